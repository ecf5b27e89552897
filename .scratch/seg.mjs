import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const D = process.argv[2];
const { verifySegment } = await import("/work/main/dist/audit/verify-segment.js");
const files = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n));
for (let r=0;r<8;r++) {
  const c0 = process.cpuUsage(); const t0=performance.now(); let lines=0, bytes=0;
  for (const f of files) { const day=f.match(/\d{4}-\d\d-\d\d/)[0]; const size=statSync(f).size; const res = await verifySegment({ path:f, key:"bench-key-0123456789abcdef", day, fileStart:true, fileEnd:true, start:0, end:size, hashFile:true }); lines+=res.lines; bytes+=res.bytes; if (res.issueCount) console.log(res.issues.slice(0,2)); }
  const dt=performance.now()-t0; const cpu=process.cpuUsage(c0);
  console.log(`lines ${lines} ${(dt*1000/lines).toFixed(2)} µs/line wall, cpu ${((cpu.user+cpu.system)/lines).toFixed(2)} µs/line, ${(bytes/1e6/(dt/1000)).toFixed(0)} MB/s`);
}
