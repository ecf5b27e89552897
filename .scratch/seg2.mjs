import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const D = process.argv[2];
const { verifySegment } = await import("/work/main/dist/audit/verify-segment.js");
const f = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n))[3];
const day=f.match(/\d{4}-\d\d-\d\d/)[0]; const size=statSync(f).size;
const out=[];
for (let r=0;r<6;r++) { const t1=performance.now(); const res = await verifySegment({ path:f, key:"bench-key-0123456789abcdef", day, fileStart:true, fileEnd:true, start:0, end:size, hashFile:true }); out.push(((performance.now()-t1)*1000/res.lines).toFixed(2)); }
console.log(out.join(" "), "µs/line");
