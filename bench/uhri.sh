#!/usr/bin/env bash
# The UHRI reader's and importer's benchmark: generates a made-up export of
# the whole index's size (270,000 rows, reused from bench/out/ when
# present), then reads it in a process of its own and prints the time and
# the peak RSS: "scan" as an importer reads it (each row handed over,
# nothing kept but the links of concerns), "read" keeping every document
# in memory (a dry run), and "import": followup import into a new database
# (every row read and written in one transaction, with its tags and task),
# then the database's size and rows. Target for the whole import: under
# 60 s and 300 MB. Each mode prints the load average before it: the time
# is the wall clock's, which other work on the machine stretches.
#
#   bench/uhri.sh [ROWS [MODES]]   (run it under flock /work/.bench.lock;
#                                  MODES: "scan read import", the default)
#   bench/uhri.sh 270000 import    the import alone
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-270000}
modes=${2:-scan read import}
out=bench/out
mkdir -p "$out"
file=$out/uhri-$rows.xlsx
[ -s "$file" ] || go run ./bench/uhri gen -rows "$rows" -format xlsx -o "$file"
go build -o "$out/uhri" ./bench/uhri
ls -l "$file"
for mode in $modes; do
	echo "== $mode (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
	if [ "$mode" != import ]; then
		/usr/bin/time -f "cpu: user %U s, system %S s; wall %e s; peak RSS %M KB" "$out/uhri" "$mode" "$file"
		continue
	fi
	go build -o "$out/followup" ./cmd/followup
	db=$out/uhri-import.db
	rm -f "$db" "$db-wal" "$db-shm"
	/usr/bin/time -f "cpu: user %U s, system %S s; wall %e s; peak RSS %M KB" "$out/followup" import --db "$db" "$file" >"$out/uhri-import.log"
	tail -n 5 "$out/uhri-import.log"
	ls -l "$db"
	if command -v sqlite3 >/dev/null; then
		for t in documents recommendations tasks recommendation_tags; do
			echo "$t: $(sqlite3 "$db" "SELECT COUNT(*) FROM $t")"
		done
	fi
done
