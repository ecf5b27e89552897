import type { ServerResponse } from "node:http";
import type { EventRule, RouteRule, RuleField } from "../../config/event-rules.js";
import type { MonwireConfig } from "../../config/schema.js";
import { applyActor, type ActorLookup, type ResolvedActor } from "../actor.js";
import { getRequestContext, runWithContext, type RequestContext } from "../context.js";
import { hasRequestObservers, notifyRequestObservers } from "../request-observers.js";
import type { ExceptionMark } from "../error-handler.js";
import type { MonwireMetrics } from "../metrics.js";
import type { SecuritySignals } from "../security-signals.js";
import type { SessionCounter } from "../sessions.js";
import { eventNameOf, type Tracker } from "../track.js";
import { captureResponse } from "./capture.js";
import { buildRuleEvents, type RuleEventInput } from "./events.js";
import { outcomeOf, readValue, type Outcome, type ValueSources } from "./values.js";

/** Per-request state: the error handler's mark plus what rules and the actor need. One shape for every request. */
export interface RequestState extends ExceptionMark {
  req: RuledRequest;
  res: ServerResponse;
  context: RequestContext;
  rule: RouteRule | undefined;
  params: Record<string, unknown> | undefined;
  /** The JSON the handler sent, on ruled requests (null: sent but not JSON). */
  response: unknown;
  captured: boolean;
  actor: ResolvedActor | undefined;
}

type RuledRequest = object & { method?: string; body?: unknown; query?: unknown; headers: Record<string, unknown>; params?: Record<string, unknown> };

/**
 * The values one rule reads for one request, as buildRuleEvents sees them. A rule's events are
 * built synchronously, one rule at a time, so a single reader serves every request: its fields are
 * set before each build. A value the rule names but the request lacks is recorded without it and
 * counted; txId is read first (for the request context) and kept for the wallet event.
 */
class RuleReader implements RuleEventInput {
  rule: EventRule | undefined = undefined;
  sources: ValueSources | undefined = undefined;
  aborted = false;
  txId: unknown = undefined;
  outcome: Outcome = { outcome: "success" };
  actorId: string | undefined = undefined;
  currency: string | undefined = undefined;
  branchPath: readonly string[] | undefined = undefined;

  constructor(
    readonly products: readonly string[],
    private readonly error: (rule: EventRule, field: string) => void,
  ) {}

  readSource(field: RuleField): unknown {
    const rule = this.rule as EventRule;
    const source = rule.fields[field];
    if (source === undefined) return undefined;
    const value = readValue(source, this.sources as ValueSources);
    if (value === undefined && !(this.aborted && source.kind === "path" && source.root === "response")) this.error(rule, field);
    return value;
  }

  read(field: RuleField): unknown {
    return field === "txId" ? this.txId : this.readSource(field);
  }

  unusable(field: RuleField): void {
    this.error(this.rule as EventRule, field);
  }
}

/** What the middleware calls; created once per monitoring. */
export interface RequestHooks {
  /** Express dispatched a route: one Map lookup decides whether a rule applies. */
  onRoute(state: RequestState, template: string, params: Record<string, unknown>): void;
  /** The response is done (or the client went away). */
  onFinish(state: RequestState, status: number, aborted: boolean): void;
  /** An error reached the monwire error handler: the actor and transaction id go on the context before Sentry reports. */
  onError(state: RequestState): void;
  /** Keys of the rules whose route has been dispatched at least once in this process. */
  readonly seen: ReadonlySet<string>;
}

export interface RequestHooksOptions {
  rules: readonly RouteRule[];
  tracker: Tracker;
  actor: ActorLookup;
  config: MonwireConfig;
  metrics: MonwireMetrics;
  security?: SecuritySignals;
  sessions?: SessionCounter;
}

/**
 * Builds the hooks that turn route rules into business events. Routes without a rule cost one Map
 * lookup at dispatch and two comparisons at the end; the response of a ruled route is captured,
 * and at its end exactly one event (plus `also`) is recorded — unless the app tracked the same
 * event itself in that request. Nothing here throws into the host.
 */
export function createRequestHooks(options: RequestHooksOptions): RequestHooks {
  const { tracker, metrics, security, sessions, config } = options;
  // Method → template → rule: the lookup at dispatch reads two maps instead of building a
  // "METHOD /template" string for every routed request.
  const byMethod = new Map<string, Map<string, RouteRule>>();
  for (const rule of options.rules) {
    let templates = byMethod.get(rule.method);
    if (!templates) byMethod.set(rule.method, (templates = new Map()));
    templates.set(rule.template, rule);
  }
  const seen = new Set<string>();
  const labels = new Map<EventRule, string>();
  for (const rule of options.rules) {
    labels.set(rule, rule.key);
    rule.also.forEach((also, i) => labels.set(also, `${rule.key} also[${i}]`));
  }

  const resolveActor = (state: RequestState): ResolvedActor | undefined => {
    if (state.actor) return state.actor;
    const actor = options.actor(state.req, state.res);
    if (actor) {
      state.actor = actor;
      applyActor(state.context, actor);
    }
    return actor;
  };

  /**
   * Resolves the actor at route dispatch and tells the request observers once it is found: Sentry
   * puts the user on the request's scope, so the transaction (spans) carries it as errors do.
   * Only here, inside the request's async context: at the response's close the current scope may
   * not be this request's.
   */
  const announceActor = (state: RequestState): void => {
    const known = state.actor;
    const actor = resolveActor(state);
    if (actor && !known) notifyRequestObservers(state.context, "actor");
  };

  // Express 5 parses the query string on each read of req.query: read it only for rules that use it.
  const usesQuery = new Set<EventRule>();
  const mark = (rule: EventRule, root: EventRule) => {
    for (const source of Object.values(rule.fields)) if (source?.kind === "path" && source.root === "query") usesQuery.add(root);
  };
  for (const rule of options.rules) {
    mark(rule, rule);
    for (const also of rule.also) mark(also, rule);
  }

  const sourcesOf = (state: RequestState, rule: EventRule | undefined): ValueSources => {
    const { req } = state;
    return {
      body: req.body,
      params: state.params ?? req.params,
      query: rule !== undefined && usesQuery.has(rule) ? req.query : undefined,
      headers: req.headers,
      user: state.actor?.user,
      response: state.response,
    };
  };

  const ruleError = (rule: EventRule, field: string) => {
    try {
      metrics.ruleErrors.inc({ rule: labels.get(rule) ?? "unknown", field });
    } catch {
      // Counting a rule error must not become one.
    }
  };

  // What buildRuleEvents reads: one object for the whole monitoring instead of an object and
  // three closures per ruled request (see RuleReader).
  const input = new RuleReader(config.metrics.products, ruleError);

  const recordRule = (state: RequestState, rule: EventRule, status: number, aborted: boolean, sources: ValueSources): void => {
    const { context } = state;
    if (context.explicit?.has(rule.event)) return;
    input.rule = rule;
    input.sources = sources;
    input.aborted = aborted;
    input.outcome = outcomeOf(status, rule.reasons, { aborted, exception: state.exception });
    const txId = (input.txId = input.readSource("txId"));
    if (txId !== undefined && context.txId === undefined && (typeof txId === "string" || typeof txId === "number")) context.txId = String(txId);
    input.actorId = state.actor?.id ?? context.actor?.id;
    input.currency = config.tenants.currency[context.tenant];
    input.branchPath = context.branchPath;
    const events = buildRuleEvents(rule, input);
    // The reader must not keep the last request's body and response alive.
    input.sources = undefined;
    input.txId = undefined;
    // A direct monitoring.audit.* call for the same event wrote its entry: the rule still counts
    // the metric but writes no second entry; an audit-only event is then recorded by the app alone.
    const audited = context.audited?.has(rule.event) === true;
    for (const event of events) {
      if (event.kind === "session_started" && context.explicit?.has("session.started")) continue;
      if (audited) {
        if (event.kind === "audit") continue;
        if (eventNameOf(event) === rule.event) (event as { auditedByApp?: boolean }).auditedByApp = true;
      }
      void tracker.emit(event);
    }
  };

  const finishRule = (state: RequestState, rule: RouteRule, status: number, aborted: boolean): void => {
    resolveActor(state);
    const sources = sourcesOf(state, rule);
    recordRule(state, rule, status, aborted, sources);
    if (aborted || status < 200 || status >= 300) return;
    for (const also of rule.also) recordRule(state, also, status, aborted, sources);
  };

  return {
    seen,
    onRoute(state, template, params) {
      const rule = byMethod.size === 0 ? undefined : byMethod.get(state.req.method as string)?.get(template);
      state.rule = rule;
      if (!rule) {
        if (hasRequestObservers()) announceActor(state);
        return;
      }
      if (!seen.has(rule.key)) seen.add(rule.key);
      state.params = params;
      // The user as the auth middleware left it: a logout handler may remove it before the end.
      announceActor(state);
      if (!state.captured) {
        state.captured = true;
        captureResponse(state.res);
      }
    },
    onFinish(state, status, aborted) {
      try {
        const { context } = state;
        if ((status === 401 || status === 403) && security) {
          resolveActor(state);
          security.denied(context);
        }
        if (sessions && sessions.size > 0) {
          const actor = resolveActor(state);
          if (actor) sessions.touch(context.tenant, actor.id);
        }
        const rule = state.rule;
        // The events read the request context; "close" usually fires inside it already, and then
        // entering it again (a closure and an AsyncLocalStorage run) is pure cost.
        if (rule) {
          if (getRequestContext() === context) finishRule(state, rule, status, aborted);
          else runWithContext(context, () => finishRule(state, rule, status, aborted));
        }
      } catch {
        // A broken rule must not break a purchase.
      }
    },
    onError(state) {
      try {
        resolveActor(state);
        const source = state.rule?.fields.txId;
        if (!source || state.context.txId !== undefined || (source.kind === "path" && source.root === "response")) return;
        const value = readValue(source, sourcesOf(state, state.rule));
        if (typeof value === "string" || typeof value === "number") state.context.txId = String(value);
      } catch {
        // The error is what matters here; its context is best effort.
      }
    },
  };
}
