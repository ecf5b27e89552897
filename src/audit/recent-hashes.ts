/** How many of a writer's last entries a checker remembers (to explain duplicates and links). */
export const TAIL_HASHES = 16;

/**
 * A writer's last TAIL_HASHES entries (seq, hash, line), oldest first. A ring of fixed arrays:
 * recording the entry of every line allocates nothing, and lookups happen only off the hot path.
 */
export class RecentHashes {
  private readonly seqs: number[] = new Array<number>(TAIL_HASHES).fill(0);
  private readonly hashes: string[] = new Array<string>(TAIL_HASHES).fill("");
  private readonly lines: number[] = new Array<number>(TAIL_HASHES).fill(0);
  private next = 0;
  private size = 0;

  /** Records an entry; seqs arrive in increasing order, so none is recorded twice. */
  add(seq: number, hash: string, line: number): void {
    const at = this.next;
    this.seqs[at] = seq;
    this.hashes[at] = hash;
    this.lines[at] = line;
    this.next = at + 1 === TAIL_HASHES ? 0 : at + 1;
    if (this.size < TAIL_HASHES) this.size += 1;
  }

  /** Replaces the newest `count` hashes with `own(hash)` (a copy that shares no memory with a window). */
  ownNewest(count: number, own: (hash: string) => string): void {
    for (let i = 1; i <= Math.min(count, this.size); i++) {
      const at = (this.next - i + TAIL_HASHES) % TAIL_HASHES;
      this.hashes[at] = own(this.hashes[at] as string);
    }
  }

  get(seq: number): { hash: string; line: number } | undefined {
    for (let i = 0; i < this.size; i++) if (this.seqs[i] === seq) return { hash: this.hashes[i] as string, line: this.lines[i] as number };
    return undefined;
  }

  /** [seq, hash] pairs, oldest first. */
  pairs(): [number, string][] {
    const start = this.size < TAIL_HASHES ? 0 : this.next;
    return Array.from({ length: this.size }, (_, i) => {
      const at = (start + i) % TAIL_HASHES;
      return [this.seqs[at] as number, this.hashes[at] as string];
    });
  }
}
