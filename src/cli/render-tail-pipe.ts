import { closeSync, fstatSync, openSync } from "node:fs";

/**
 * Notices that the reader of our stdout pipe went away while we wait for new entries, the way
 * GNU `tail -f` does since coreutils 8.28: without it, `mon tail | head -3` would sit idle until
 * the next entry made a write fail with EPIPE.
 *
 * Node has no poll() on a write-only fd, so this opens a second write handle on the same pipe
 * (through /proc/self/fd/1, which adds a writer, not a reader) and asks libuv to watch it for
 * reading. A pipe's write end never becomes readable; the kernel reports EPOLLERR on it once the
 * last reader closed, which libuv delivers as a failed read. Best effort: on other platforms, or
 * if the internal binding is not there, stdout errors still end the process at the next write.
 */
interface ReadableHandle {
  open(fd: number): number;
  readStart(): number;
  close(callback?: () => void): void;
  onread: (...args: unknown[]) => void;
}

export function watchStdoutReader(onGone: () => void): () => void {
  if (process.platform !== "linux") return () => undefined;
  let fd: number | undefined;
  let handle: ReadableHandle | undefined;
  const stop = () => {
    // Once the handle owns the fd, closing the handle closes it; closing it twice could hit a reused fd.
    if (handle) handle.close();
    else if (fd !== undefined) closeSync(fd);
    handle = undefined;
    fd = undefined;
  };
  try {
    if (!fstatSync(1).isFIFO()) return () => undefined;
    fd = openSync("/proc/self/fd/1", "w");
    const binding = (process as unknown as { binding(name: string): { TCP: new (type: number) => ReadableHandle; constants: { SOCKET: number } } }).binding("tcp_wrap");
    // A TCP wrap is used only because, unlike a pipe wrap, it does not refuse to read a write-only fd.
    const created = new binding.TCP(binding.constants.SOCKET);
    if (created.open(fd) !== 0) throw new Error("open failed");
    handle = created;
    created.onread = () => {
      stop();
      onGone();
    };
    if (created.readStart() !== 0) throw new Error("readStart failed");
  } catch {
    stop();
  }
  return stop;
}
