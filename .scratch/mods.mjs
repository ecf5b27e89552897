// register a loader hook that logs resolved URLs
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(`export async function load(url, ctx, next){ if(!url.startsWith("node:")) process._rawDebug?.(url); return next(url, ctx); }`));
