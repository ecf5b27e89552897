import type { BusinessEventSink } from "./business-event.js";
import type { MonwireMetrics } from "./metrics.js";

export interface SessionCounterOptions {
  metrics: MonwireMetrics;
  /** A session nobody used for this long stops counting. */
  idleTimeoutMs: number;
  /** Most sessions remembered; the least recently used go first. */
  maxTracked: number;
  now?: () => number;
}

/**
 * active_user_sessions from login/logout events. Each session is remembered by tenant and user
 * (anonymous starts get a key of their own), so a logout ends that user's session, a logout
 * without a known session changes nothing (never negative), and a session idle for longer than
 * the timeout expires (no upward drift). The process starts at 0: sessions from before a restart
 * are not counted twice.
 */
export class SessionCounter implements BusinessEventSink {
  readonly name = "sessions";
  /** tenant\0user → last use (ms); Map order is use order, oldest first. */
  private readonly sessions = new Map<string, number>();
  private readonly perTenant = new Map<string, number>();
  private anonymous = 0;
  private readonly now: () => number;

  constructor(private readonly options: SessionCounterOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  handle(event: Parameters<BusinessEventSink["handle"]>[0]): void {
    if (event.kind !== "session_started" && event.kind !== "session_ended") return;
    try {
      const user = event.actorId ?? event.context?.actor?.id;
      if (event.kind === "session_started") this.start(event.tenant, user);
      else this.end(event.tenant, user);
    } catch {
      // Counting sessions must never fail a login.
    }
  }

  start(tenant: string, user: string | undefined): void {
    this.expire();
    const key = `${tenant}\u0000${user ?? `~${++this.anonymous}`}`;
    const known = this.sessions.delete(key);
    this.sessions.set(key, this.now());
    if (!known) this.add(tenant, 1);
    while (this.sessions.size > this.options.maxTracked) this.drop(this.sessions.keys().next().value as string);
  }

  end(tenant: string, user: string | undefined): void {
    if (user !== undefined && this.sessions.has(`${tenant}\u0000${user}`)) return this.drop(`${tenant}\u0000${user}`);
    // A logout nobody can tie to a session ends the tenant's oldest anonymous one, if any.
    const prefix = `${tenant}\u0000~`;
    for (const key of this.sessions.keys()) if (key.startsWith(prefix)) return this.drop(key);
  }

  /** Marks a user's session as used, so it does not expire while the user is active. */
  touch(tenant: string, user: string): void {
    const key = `${tenant}\u0000${user}`;
    if (!this.sessions.delete(key)) return;
    this.sessions.set(key, this.now());
  }

  /** Drops idle sessions and publishes the counts (run at each scrape). */
  collect(): void {
    this.expire();
  }

  private expire(): void {
    const oldest = this.now() - this.options.idleTimeoutMs;
    for (const [key, lastUse] of this.sessions) {
      if (lastUse > oldest) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    this.sessions.delete(key);
    this.add(key.slice(0, key.indexOf("\u0000")), -1);
  }

  private add(tenant: string, delta: number): void {
    const next = Math.max(0, (this.perTenant.get(tenant) ?? 0) + delta);
    this.perTenant.set(tenant, next);
    this.options.metrics.activeSessions.set({ tenant }, next);
  }
}
