import { readFileSync, readdirSync } from "node:fs";
import { hash, createHmac } from "node:crypto";
import { join } from "node:path";
const D = process.argv[2];
const { LineSplitter } = await import("/work/main/dist/audit/lines.js");
const f = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n))[1];
const lines = new LineSplitter().push(readFileSync(f)).slice(0, 20000);
const N=lines.length;
const scratch = Buffer.alloc(70000); const outer = Buffer.alloc(96);
const vs = {
 "binary+write": ()=>{ let n=0; for (const l of lines) { scratch.set(l,64); outer.write(hash("sha256", scratch.subarray(0,64+l.length-74), "binary"), 64, "latin1"); n+=hash("sha256", outer, "hex").length; } return n },
 "buffer+set": ()=>{ let n=0; for (const l of lines) { scratch.set(l,64); outer.set(hash("sha256", scratch.subarray(0,64+l.length-74), "buffer"), 64); n+=hash("sha256", outer, "hex").length; } return n },
 "latin1Write": ()=>{ let n=0; for (const l of lines) { scratch.set(l,64); outer.latin1Write(hash("sha256", scratch.subarray(0,64+l.length-74), "latin1"), 64); n+=hash("sha256", outer, "hex").length; } return n },
 "inner only hex": ()=>{ let n=0; for (const l of lines) { scratch.set(l,64); n+=hash("sha256", scratch.subarray(0,64+l.length-74), "hex").length; } return n },
 "createHmac": ()=>{ let n=0; for (const l of lines) { n+=createHmac("sha256","bench-key-0123456789abcdef").update(l).digest("hex").length; } return n },
};
const best={};
for (let r=0;r<15;r++) for (const [k,fn] of Object.entries(vs)) { const t0=performance.now(); fn(); const dt=(performance.now()-t0)*1000/N; best[k]=Math.min(best[k]??1e9, dt); }
for (const [k,v] of Object.entries(best)) console.log(k.padEnd(18), v.toFixed(3), "µs/line");
import { createHash } from "node:crypto";
const base = createHash("sha256").update(Buffer.alloc(64, 0x36));
const vs2 = {
 "copy().update": ()=>{ let n=0; for (const l of lines) { n+=base.copy().update(l).digest("latin1").length; } return n },
 "inner only hex": vs["inner only hex"],
};
const best2={};
for (let r=0;r<15;r++) for (const [k,fn] of Object.entries(vs2)) { const t0=performance.now(); fn(); const dt=(performance.now()-t0)*1000/N; best2[k]=Math.min(best2[k]??1e9, dt); }
for (const [k,v] of Object.entries(best2)) console.log(k.padEnd(18), v.toFixed(3), "µs/line");
