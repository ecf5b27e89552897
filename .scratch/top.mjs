import { readFileSync } from "node:fs";
const p = JSON.parse(readFileSync(process.argv[2]));
const self = new Map(); const byId = new Map(p.nodes.map(n=>[n.id,n]));
const dt = p.timeDeltas; const counts = new Map();
p.samples.forEach((s,i)=>counts.set(s,(counts.get(s)||0)+(dt[i]||0)));
let total=0;
for (const [id,us] of counts) { const n=byId.get(id); const k=`${n.callFrame.functionName||"(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`; self.set(k,(self.get(k)||0)+us); total+=us; }
console.log("total ms", (total/1000).toFixed(0));
[...self].sort((a,b)=>b[1]-a[1]).slice(0,30).forEach(([k,us])=>console.log((us/1000).toFixed(1).padStart(8), (100*us/total).toFixed(1).padStart(5)+"%", k));
