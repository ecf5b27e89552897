import { readFileSync, readdirSync } from "node:fs";
import { isAscii } from "node:buffer";
import { join } from "node:path";
const D = process.argv[2];
const { LineSplitter } = await import("/work/main/dist/audit/lines.js");
const f = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n))[1];
const lines = new LineSplitter().push(readFileSync(f));
const N=lines.length;
const vs = {
 "toString()": ()=>{ let n=0; for (const l of lines) n+=l.toString().length; return n },
 "toString(latin1)": ()=>{ let n=0; for (const l of lines) n+=l.toString("latin1").length; return n },
 "latin1Slice": ()=>{ let n=0; for (const l of lines) n+=l.latin1Slice(0,l.length).length; return n },
 "utf8Slice": ()=>{ let n=0; for (const l of lines) n+=l.utf8Slice(0,l.length).length; return n },
 "isAscii+latin1": ()=>{ let n=0; for (const l of lines) n+=(isAscii(l)? l.latin1Slice(0,l.length) : l.toString()).length; return n },
 "isAscii": ()=>{ let n=0; for (const l of lines) n+=isAscii(l)?1:0; return n },
};
const best={};
for (let r=0;r<15;r++) for (const [k,fn] of Object.entries(vs)) { const t0=performance.now(); fn(); const dt=(performance.now()-t0)*1000/N; best[k]=Math.min(best[k]??1e9, dt); }
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(18), v.toFixed(3), "µs/line");
