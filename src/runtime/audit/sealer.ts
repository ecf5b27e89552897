import { sealThrough, type Anchor } from "../../audit/anchor.js";
import { addDays, utcDay } from "../../audit/chain.js";
import { listAuditNames } from "../../audit/files.js";

export interface SealerSettings {
  dir: string;
  key: string | undefined;
  clock: () => Date;
  /** How long after UTC midnight a day counts as closed, so other processes' in-flight writes land first. */
  graceMs: number;
  onError: (error: unknown) => void;
  /** The anchors this process wrote (oldest first), to be linked from the entry chain. */
  onSealed?: (anchors: Anchor[]) => void;
}

/** After a failed seal, wait this long before trying again, so a broken disk is not rescanned per write. */
const RETRY_MS = 60_000;

/**
 * Seals closed UTC days with anchors, triggered by writes: the first write after midnight (plus
 * the grace period) seals yesterday and any earlier day still unsealed. Sealing runs in the
 * background and never fails a write; failures go to `onError` and are retried later.
 */
export class Sealer {
  private sealedThrough: string | undefined;
  /** The newest closed day a write has asked to seal; picked up when a running seal finishes. */
  private wanted: string | undefined;
  private running: Promise<void> | undefined;
  private retryAt = 0;
  failures = 0;

  constructor(private readonly settings: SealerSettings) {}

  /** Called after every successful write; cheap unless a new day has closed. */
  afterWrite(): void {
    const now = this.settings.clock().getTime();
    const closedDay = addDays(utcDay(now - this.settings.graceMs), -1);
    if (now < this.retryAt) return;
    if (this.sealedThrough !== undefined && closedDay <= this.sealedThrough) return;
    if (this.wanted === undefined || closedDay > this.wanted) this.wanted = closedDay;
    this.running ??= this.run();
  }

  /** Resolves once sealing in progress has finished (used by close()). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async run(): Promise<void> {
    while (this.wanted !== undefined && (this.sealedThrough === undefined || this.wanted > this.sealedThrough)) {
      const day = this.wanted;
      try {
        await this.seal(day);
        this.sealedThrough = day;
      } catch (error) {
        this.failures += 1;
        this.retryAt = this.settings.clock().getTime() + RETRY_MS;
        this.wanted = undefined;
        try {
          this.settings.onError(error);
        } catch {
          // A throwing warning handler must not turn into an unhandled rejection in the host.
        }
      }
    }
    this.running = undefined;
  }

  private async seal(throughDay: string): Promise<void> {
    const { dir, key, clock } = this.settings;
    const days = (await listAuditNames(dir)).dayFiles.map((f) => f.day);
    // Without an anchor yet, sealing starts at the oldest day file; a directory whose only file is
    // today's starts after throughDay, so nothing is sealed. With anchors, sealThrough continues
    // after the newest one (sealing empty days too: an anchor proves there were no events).
    const firstDay = days[0] ?? addDays(throughDay, 1);
    const written = await sealThrough({ dir, throughDay, firstDay, key, now: clock() });
    if (written.length > 0) this.settings.onSealed?.(written);
  }
}
