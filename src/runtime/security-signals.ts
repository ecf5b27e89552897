import type { SecurityConfig } from "../config/schema.js";
import type { BusinessEvent, BusinessEventSink } from "./business-event.js";
import type { RequestContext } from "./context.js";
import type { MonwireMetrics } from "./metrics.js";

/**
 * Counts events per key in fixed windows, remembering at most `max` keys: when a flood of
 * distinct keys (IPs) arrives, the least recently seen are forgotten first, so memory stays
 * bounded whatever the traffic.
 */
export class WindowCounter {
  /** key → window start and count; Map order is last-seen order. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly windowMs: number, private readonly max: number) {}

  get size(): number {
    return this.windows.size;
  }

  /** Counts one event for `key` at `now`; returns the count in the key's current window. */
  hit(key: string, now: number): number {
    let window = this.windows.get(key);
    if (window) this.windows.delete(key);
    if (!window || now - window.start >= this.windowMs) window = { start: now, count: 0 };
    window.count += 1;
    this.windows.set(key, window);
    if (this.windows.size > this.max) this.windows.delete(this.windows.keys().next().value as string);
    return window.count;
  }
}

export type SecuritySignal = "brute_force" | "access_denied_burst";

/** Receives a signal once per key and window, when the count reaches the threshold. */
export type SignalReport = (signal: SecuritySignal, details: { tenant: string; scope: string; key: string; count: number; windowSeconds: number }, context: RequestContext | undefined) => void;

export interface SecuritySignals extends BusinessEventSink {
  /** A response with 401/403 for the request's actor (or its IP when anonymous). */
  denied(context: RequestContext): void;
}

/**
 * Security signals without code: failed logins per IP and per account (brute force), and bursts
 * of 401/403 per actor (access denied). Each fires once when its count reaches the threshold
 * within the window; `report` records the audit entry, the metric is counted here.
 */
export function createSecuritySignals(config: SecurityConfig, metrics: MonwireMetrics, report: SignalReport, now: () => number = Date.now): SecuritySignals {
  const brute = config.bruteForce;
  const perIp = new WindowCounter(brute.windowSeconds * 1000, config.maxTracked);
  const perAccount = new WindowCounter(brute.windowSeconds * 1000, config.maxTracked);
  const denied = new WindowCounter(config.accessDenied.windowSeconds * 1000, config.maxTracked);

  const fire = (signal: SecuritySignal, tenant: string, scope: string, key: string, count: number, windowSeconds: number, context: RequestContext | undefined) => {
    try {
      metrics.securitySignals.inc({ signal, tenant });
      report(signal, { tenant, scope, key, count, windowSeconds }, context);
    } catch {
      // A signal that cannot be recorded must not fail the request that triggered it.
    }
  };

  return {
    name: "security-signals",
    handle(event: BusinessEvent) {
      if (event.kind !== "login" || event.outcome !== "failure") return;
      const at = now();
      const ip = event.context?.ip;
      if (ip !== undefined) {
        const count = perIp.hit(`${event.tenant}\u0000${ip}`, at);
        if (count === brute.perIp) fire("brute_force", event.tenant, "ip", ip, count, brute.windowSeconds, event.context);
      }
      if (event.actorId !== undefined) {
        const count = perAccount.hit(`${event.tenant}\u0000${event.actorId}`, at);
        if (count === brute.perAccount) fire("brute_force", event.tenant, "account", event.actorId, count, brute.windowSeconds, event.context);
      }
    },
    denied(context) {
      const who = context.actor?.id ?? context.ip;
      if (who === undefined) return;
      const scope = context.actor ? "actor" : "ip";
      const count = denied.hit(`${context.tenant}\u0000${scope}\u0000${who}`, now());
      if (count === config.accessDenied.perActor) fire("access_denied_burst", context.tenant, scope, who, count, config.accessDenied.windowSeconds, context);
    },
  };
}
