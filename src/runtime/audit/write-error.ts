import { MonwireError } from "../../errors.js";

/** Errno → what it means for the audit directory and how to fix it. */
const CAUSES: Readonly<Record<string, { what: string; fix: (dir: string, path: string) => string }>> = {
  ELOOP: {
    what: "the day file is a symbolic link; monwire never follows one, since it could point the trail at any file",
    fix: (_dir, path) => `Remove the link (rm ${path}) and find out who created it; the writer then creates a regular file there. Keep the audit directory writable only by the app's user.`,
  },
  ENOTREG: {
    what: "the day file is not a regular file (a FIFO, socket or device was placed at its path)",
    fix: (_dir, path) => `Remove ${path} and find out who created it; keep the audit directory writable only by the app's user.`,
  },
  EREPLACED: {
    what: "the day file was deleted or replaced again while the writer restored it",
    fix: (dir) => `Stop whatever keeps deleting or replacing files in ${dir} (log rotation must not touch audit day files); rejected entries were not acknowledged and must be retried.`,
  },
  ENOSPC: { what: "no space left on the device", fix: (dir) => `Free space on the filesystem holding ${dir}; rejected entries were not written and must be retried.` },
  EDQUOT: { what: "disk quota exceeded", fix: (dir) => `Raise the disk quota of the app's user or free space in ${dir}.` },
  EFBIG: { what: "file too large", fix: (dir) => `Raise the file size limit (ulimit -f) for the app, or move ${dir} to a filesystem without this limit.` },
  EROFS: { what: "the filesystem is read-only", fix: (dir) => `Remount the filesystem holding ${dir} read-write, or set audit.dir to a writable directory.` },
  EACCES: { what: "permission denied", fix: (dir) => `Give the app's user write permission on ${dir} (monwire creates it 0750 and its files 0640).` },
  EPERM: { what: "operation not permitted", fix: (dir) => `Check permissions and attributes (chattr -i/-a) of ${dir}.` },
  ENOTDIR: { what: "a part of the path is not a directory", fix: (dir) => `Set audit.dir to a directory path; a component of ${dir} is a regular file.` },
  EEXIST: { what: "the path exists and is not a directory", fix: (dir) => `Remove or rename the file at ${dir}, or set audit.dir to another path.` },
  ENOENT: { what: "the directory does not exist", fix: (dir) => `Check that the parent of ${dir} exists and was not removed while the app runs.` },
  EIO: { what: "the disk reported an I/O error", fix: (dir) => `Check the device holding ${dir} (dmesg, SMART) and the filesystem (fsck).` },
  EMFILE: { what: "too many open files in the process", fix: () => "Raise the open-file limit (ulimit -n) or close leaked file descriptors." },
  ENFILE: { what: "too many open files in the system", fix: () => "Raise the system open-file limit (fs.file-max)." },
  ESHORTWRITE: { what: "the disk accepted only part of the write, usually because it is full", fix: (dir) => `Free space on the filesystem holding ${dir}; rejected entries were not written and must be retried.` },
};

/** An error for a write that returned fewer bytes than asked: the kernel reports no errno for it. */
export function shortWriteError(written: number, wanted: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`short write: ${written} of ${wanted} bytes`);
  error.code = "ESHORTWRITE";
  return error;
}

/**
 * Wraps a filesystem failure as the E_AUDIT_WRITE error that `record()` rejects with. The message
 * names the file, the operation and the errno; the hint says how to fix the cause.
 */
export function auditWriteError(cause: unknown, operation: string, path: string, dir: string): MonwireError {
  if (cause instanceof MonwireError) return cause;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? "UNKNOWN";
  const known = CAUSES[code];
  const what = known?.what ?? (cause instanceof Error ? cause.message : String(cause));
  return new MonwireError("E_AUDIT_WRITE", `audit entry not written: cannot ${operation} ${path}: ${code} (${what})`, {
    cause,
    hint: known?.fix(dir, path) ?? `Check that ${dir} is a writable directory on a healthy disk.`,
  });
}
