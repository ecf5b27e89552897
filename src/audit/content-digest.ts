import { createHash, type Hash } from "node:crypto";

/**
 * SHA-256 of a file's (uncompressed) content, plus the SHA-256 of its first `prefixBytes` bytes
 * when asked: with the sealed size from an anchor, that tells "lines were appended after
 * sealing" apart from "sealed content was changed", at the cost of one hash-state copy.
 */
export class ContentDigest {
  private readonly hasher: Hash = createHash("sha256");
  private bytes = 0;
  private prefix: string | undefined;

  constructor(private readonly prefixBytes?: number) {
    if (prefixBytes === 0) this.prefix = createHash("sha256").digest("hex");
  }

  update(chunk: Buffer): void {
    const cut = this.prefixBytes === undefined || this.prefix !== undefined ? -1 : this.prefixBytes - this.bytes;
    if (cut >= 0 && cut <= chunk.length) {
      this.hasher.update(chunk.subarray(0, cut));
      this.prefix = this.hasher.copy().digest("hex");
      this.hasher.update(chunk.subarray(cut));
    } else this.hasher.update(chunk);
    this.bytes += chunk.length;
  }

  /** Final digests; `prefixSha256` is undefined when the content is shorter than the prefix. */
  result(): { sha256: string; prefixSha256?: string } {
    return { sha256: this.hasher.digest("hex"), prefixSha256: this.prefix };
  }
}
