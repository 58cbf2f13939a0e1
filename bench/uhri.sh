#!/usr/bin/env bash
# The UHRI reader's benchmark: generates a made-up export of the whole
# index's size (270,000 rows, reused from bench/out/ when present), then
# reads it in a process of its own and prints the time and the peak RSS:
# "scan" as an importer reads it (each row handed over, nothing kept but
# the links of concerns), "read" keeping every document in memory (a dry
# run). Target for the whole import: under 60 s and 300 MB.
#
#   bench/uhri.sh [ROWS]       (run it under flock /work/.bench.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-270000}
out=bench/out
mkdir -p "$out"
file=$out/uhri-$rows.xlsx
[ -s "$file" ] || go run ./bench/uhri gen -rows "$rows" -format xlsx -o "$file"
go build -o "$out/uhri" ./bench/uhri
ls -l "$file"
for mode in scan read; do
	echo "== $mode"
	/usr/bin/time -f "cpu: user %U s, system %S s; wall %e s; peak RSS %M KB" "$out/uhri" "$mode" "$file"
done
