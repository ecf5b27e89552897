#!/bin/bash
# usage: ab.sh DIR ROUNDS [extra args]  — alternates base vs new mon verify, prints CPU s and wall
D=$1; R=${2:-6}; shift 2
export MONWIRE_AUDIT_KEY=bench-key-0123456789abcdef
for i in $(seq $R); do
  for v in base new; do
    bin=/work/main/bin/mon.js; [ $v = base ] && bin=/tmp/mw-base/bin/mon.js
    /usr/bin/time -f "$v %e wall %U user %S sys" node $bin verify --dir $D --json "$@" 2>&1 >/dev/null | tail -1
  done
done | awk '{w[$1]=w[$1]" "$2; c[$1]=c[$1]" "($4+$6)} END {for (k in w) print k, "wall:" w[k], " cpu:" c[k]}'
