import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const D = process.argv[2];
const { verifySegment } = await import("/work/main/dist/audit/verify-segment.js");
const files = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n));
let lines=0; const c0=process.cpuUsage(); const t0=performance.now();
for (const f of files) { const day=f.match(/\d{4}-\d\d-\d\d/)[0]; const size=statSync(f).size; const t1=performance.now(); const res = await verifySegment({ path:f, key:"bench-key-0123456789abcdef", day, fileStart:true, fileEnd:true, start:0, end:size, hashFile:true }); lines+=res.lines; console.log(f.slice(-14), ((performance.now()-t1)*1000/res.lines).toFixed(2), "µs/line"); }
const c=process.cpuUsage(c0); console.log("total", ((performance.now()-t0)*1000/lines).toFixed(2), "µs/line wall", ((c.user+c.system)/lines).toFixed(2), "cpu");
import { readdirSync as rd, readFileSync as rf } from "node:fs";
for (const t of rd("/proc/self/task")) { const st = rf(`/proc/self/task/${t}/stat`, "utf8"); const name = rf(`/proc/self/task/${t}/comm`, "utf8").trim(); const f = st.slice(st.lastIndexOf(")")+2).split(" "); console.log(name.padEnd(16), "utime", f[11], "stime", f[12]); }
