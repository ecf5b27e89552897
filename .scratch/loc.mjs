import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
const D = process.argv[2];
const { matchPlainEntry, locateChainFields } = await import("/work/main/dist/audit/line-pattern.js");
const { LineSplitter } = await import("/work/main/dist/audit/lines.js");
const f = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n))[1];
const texts = new LineSplitter().push(readFileSync(f)).map(l=>l.toString());
const N=texts.length;
const RE = /^\{"action":"([^"\\]*)".*?,"hash":"([0-9a-f]{64})",.*?"prev":"([0-9a-f]{64})".*?,"seq":([1-9]\d{0,15}),.*,"ts":"([^"\\]*)".*?,"v":1,"writer":"([^"\\]*)"\}$/;
const vs = {
 locate: ()=>{ let n=0; for (const t of texts) if (locateChainFields(t)) n++; return n },
 fullRegex: ()=>{ let n=0; for (const t of texts) if (matchPlainEntry(t)) n++; return n },
 simpleRegex: ()=>{ let n=0; for (const t of texts) if (RE.exec(t)) n++; return n },
};
const best={}; const first={};
for (let r=0;r<20;r++) for (const [k,fn] of Object.entries(vs)) { const t0=performance.now(); const n=fn(); const dt=(performance.now()-t0)*1000/N; if(r===0) first[k]=dt.toFixed(3)+" n="+n; best[k]=Math.min(best[k]??1e9, dt); }
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(18), v.toFixed(3), "µs/line best; first", first[k]);
