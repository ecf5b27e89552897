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

/** One counted session: its tenant, its user when known, and when it started. */
interface Session {
  tenant: string;
  user: string | undefined;
  at: number;
}

/**
 * active_user_sessions from login/logout events. Each login is one session (a user signed in on
 * two devices has two); a logout ends that user's oldest session, else an anonymous one of the
 * tenant, and a logout nobody can match changes nothing (never negative). A session whose user has
 * not been seen for longer than the idle timeout expires (no upward drift), and the process starts
 * at 0: sessions from before a restart are not counted twice.
 */
export class SessionCounter implements BusinessEventSink {
  readonly name = "sessions";
  /** Map order is start order, oldest first. */
  private readonly sessions = new Map<number, Session>();
  /** tenant\0user → sessions held and last use, for users with at least one session. */
  private readonly users = new Map<string, { count: number; at: number }>();
  private readonly perTenant = new Map<string, number>();
  private nextId = 0;
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
    const at = this.now();
    this.sessions.set(++this.nextId, { tenant, user, at });
    if (user !== undefined) {
      const key = `${tenant}\u0000${user}`;
      const known = this.users.get(key);
      this.users.set(key, { count: (known?.count ?? 0) + 1, at });
    }
    this.add(tenant, 1);
    while (this.sessions.size > this.options.maxTracked) this.drop(this.sessions.keys().next().value as number);
  }

  end(tenant: string, user: string | undefined): void {
    let fallback: number | undefined;
    for (const [id, session] of this.sessions) {
      if (session.tenant !== tenant) continue;
      if (user !== undefined && session.user === user) return this.drop(id);
      if (fallback === undefined && (session.user === undefined || user === undefined)) fallback = id;
    }
    if (fallback !== undefined) this.drop(fallback);
  }

  /** Marks a user as active, so their sessions do not expire while they use the app. */
  touch(tenant: string, user: string): void {
    const known = this.users.get(`${tenant}\u0000${user}`);
    if (known) known.at = this.now();
  }

  /** Drops idle sessions (run at each scrape). */
  collect(): void {
    const oldest = this.now() - this.options.idleTimeoutMs;
    for (const [id, session] of this.sessions) {
      const used = session.user === undefined ? session.at : Math.max(session.at, this.users.get(`${session.tenant}\u0000${session.user}`)?.at ?? 0);
      if (used <= oldest) this.drop(id);
    }
  }

  private drop(id: number): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    if (session.user !== undefined) {
      const key = `${session.tenant}\u0000${session.user}`;
      const known = this.users.get(key);
      if (known && --known.count <= 0) this.users.delete(key);
    }
    this.add(session.tenant, -1);
  }

  private add(tenant: string, delta: number): void {
    const next = Math.max(0, (this.perTenant.get(tenant) ?? 0) + delta);
    this.perTenant.set(tenant, next);
    this.options.metrics.activeSessions.set({ tenant }, next);
  }
}
