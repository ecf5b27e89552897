import { readdirSync, createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
const D = process.argv[2];
const files = readdirSync(D).filter(n=>n.endsWith(".log")).map(n=>join(D,n));
async function stream(hw) { let n=0; for (const f of files) { for await (const c of createReadStream(f,{highWaterMark:hw})) n+=c.length; } return n; }
async function fh(size, reuse) { let n=0; const shared = Buffer.allocUnsafeSlow(size); for (const f of files) { const h = await open(f); let pos=0; for(;;){ const b = reuse? shared : Buffer.allocUnsafeSlow(size); const {bytesRead} = await h.read(b,0,size,pos); if(!bytesRead)break; pos+=bytesRead; n+=bytesRead;} await h.close(); } return n; }
for (let r=0;r<4;r++) for (const [name, fn] of [["stream 256k",()=>stream(256*1024)],["stream 1M",()=>stream(1<<20)],["fh 1M fresh",()=>fh(1<<20,false)],["fh 1M reuse",()=>fh(1<<20,true)],["fh 256k reuse",()=>fh(256<<10,true)]]) { const c0=process.cpuUsage(); const t0=performance.now(); await fn(); const c=process.cpuUsage(c0); if(r==3) console.log(name.padEnd(14),(performance.now()-t0).toFixed(0),"ms wall", ((c.user+c.system)/1000).toFixed(0), "ms cpu"); }
