import { tailAudit, type TailItem, type TailOptions } from "./follow-session.js";
import type { HostTrail } from "./verify-hosts.js";

/**
 * `mon tail` over several hosts' trails: each host is tailed by the same core; their histories
 * are merged by entry time (the last `count` matching entries over all hosts), then live entries
 * are passed on as they arrive from any host. Entries carry their host; problems and chain
 * breaks name it in their file (`host/audit-….log`).
 */
type Tagged = TailItem;

function tag(item: TailItem, host: string): Tagged {
  if (item.type === "entry") return { ...item, host };
  if (item.type === "problem" || item.type === "chain") return { ...item, file: `${host}/${item.file}` };
  if (item.type === "notice") return { ...item, message: `${host}: ${item.message}` };
  return item;
}

export async function* tailHosts(hosts: readonly HostTrail[], options: Omit<TailOptions, "dir">): AsyncGenerator<Tagged> {
  const streams = hosts.map((h) => ({ host: h.host, it: tailAudit({ ...options, dir: h.dir })[Symbol.asyncIterator]() }));
  try {
    // History: everything each host yields up to its first idle (or its end without --follow).
    const history: Array<{ item: Tagged; ts: string; order: number }> = [];
    const live: typeof streams = [];
    let order = 0;
    for (const stream of streams) {
      let lastTs = "";
      for (;;) {
        const next = await stream.it.next();
        if (next.done) break;
        if (next.value.type === "idle") {
          live.push(stream);
          break;
        }
        if (next.value.type === "batch") continue;
        if (next.value.type === "entry") lastTs = next.value.entry.ts;
        history.push({ item: tag(next.value, stream.host), ts: lastTs, order: order++ });
      }
    }
    history.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.order - b.order));
    const count = options.count ?? (options.filters.since ? undefined : 10);
    let skip = count === undefined ? 0 : Math.max(0, history.filter((h) => h.item.type === "entry").length - count);
    for (const { item } of history) {
      if (item.type === "entry" && skip > 0) {
        skip -= 1;
        continue;
      }
      yield item;
    }
    yield { type: "batch" };
    if (!options.follow) return;

    // Following: whichever host has something next goes first.
    const pending = new Map(live.map((s) => [s, s.it.next().then((r) => ({ s, r }))]));
    while (pending.size > 0) {
      const { s, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(s);
        continue;
      }
      pending.set(s, s.it.next().then((next) => ({ s, r: next })));
      yield tag(r.value, s.host);
    }
  } finally {
    await Promise.all(streams.map((s) => s.it.return?.(undefined)));
  }
}
