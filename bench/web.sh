#!/usr/bin/env bash
# The web benchmark: on a database made by `followup gen` (100,000 tasks by
# default; --tasks 1000000 for the large one), with the daemon running
# (`followup run`, its web server on), measures:
#   (w1) the ministry's page (/m/) and the coordinator's dashboard (/c/)
#        under 50 concurrent clients with wrk: median and p99 latency;
#   (w2) the dashboard's database work through the store (bench/dashsql),
#        and the ministry page's when it misses its cache, against the
#        sqlite3 shell running the same statements;
#   (w3) the daemon's resident memory, idle with the web server on, before
#        and after the load.
# Writes bench/out/web/results-N.md and prints it.
#
#   bench/web.sh                  100,000 tasks
#   bench/web.sh --tasks 1000000  the large database (about 30 s to make)
#   bench/web.sh --quick          10,000 tasks, 3 s per run (a smoke test)
#   bench/web.sh --only tasks     the coordinator's task list alone (its
#                                 three loads and the memory; no (w2))
#
# Sessions are written into the database directly (as opening a signed
# link would: web_sessions holds the SHA-256 of the cookie), so the script
# does not depend on the mail. Needs Go and gcc; installs wrk and sqlite3
# from Debian's packages when they are missing (root). Stops every process
# it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

tasks=100000 duration=10s idle_wait=30 only=
while [ $# -gt 0 ]; do
	case "$1" in
	--tasks)
		tasks=$2
		shift 2
		;;
	--quick)
		tasks=10000 duration=3s idle_wait=3
		shift
		;;
	--only)
		[ "${2:-}" = tasks ] || { echo "bench/web.sh: --only takes \"tasks\"" >&2; exit 2; }
		only=$2
		shift 2
		;;
	*)
		echo "usage: bench/web.sh [--tasks N] [--quick] [--only tasks]" >&2
		exit 2
		;;
	esac
done
out=bench/out/web
mkdir -p "$out/bin" "$out/sql"
out=$(cd "$out" && pwd)
results=$out/results-$tasks.md

pids=()
cleanup() {
	for p in "${pids[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]:-}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "== $*" >&2; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN {printf \"%.${2:-2}f\", ($1)}"; }
rss_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# What the RSS holds: the process's own memory, and the pages of files it
# maps (mostly the program's code and constants, which the kernel can
# drop and read again).
rss_split() { echo "anonymous $(calc "$(rss_kb "$1" RssAnon)/1024" 1) MB, files $(calc "$(rss_kb "$1" RssFile)/1024" 1) MB"; }
met() { if awk "BEGIN {exit !($1)}"; then echo yes; else echo NO; fi; }

log "tools"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

log "build"
export CGO_ENABLED=1
go build -o "$out/bin/followup" ./cmd/followup
go build -o "$out/bin/dashsql" ./bench/dashsql
fu=$out/bin/followup

# The database, made again when the generator or the schema changed.
db=$out/gen-$tasks.db cfg=$out/gen-$tasks.yaml
fingerprint=$(cat $(ls internal/loadgen/*.go | grep -v _test.go) store/migrations/*.sql | sha256sum | cut -c1-16)
if [ ! -f "$db" ] || [ "$(cat "$db.fingerprint" 2>/dev/null)" != "$fingerprint" ]; then
	rm -f "$db" "$db-wal" "$db-shm" "$cfg"
	day=$(date -u +%Y-%m-%d)
	log "generate $tasks tasks as of ${day}T08:00:00Z"
	"$fu" gen --tasks "$tasks" --ministries 30 --seed 1 --at "${day}T08:00:00Z" --db "$db" --config-out "$cfg" >"$out/gen-$tasks.log"
	echo "$fingerprint" >"$db.fingerprint"
fi
gen_counts=$(sed -n 2p "$out/gen-$tasks.log" | sed 's/^ *//')
work=$out/work-$tasks.db
rm -f "$work" "$work-wal" "$work-shm"
cp "$db" "$work"
now=$(date -u +%s)
# The daemon has been running: every schedule ran at its last slot, so
# starting it plans nothing and the web server is measured alone. Its
# schema is brought up to date first (a web session needs web_sessions).
"$fu" tasks --config "$cfg" --db "$work" --ministry m001 >/dev/null
sqlite3 "$work" "INSERT OR REPLACE INTO schedule_slots (name, last_slot, updated_at) VALUES
	('reminders', $now, $now), ('coordinator_digest', $now, $now), ('ministry_digest', $now, $now)"
# A ministry of median size, and the coordinator: one session each.
ministry=$(sqlite3 "$work" "SELECT owner FROM (SELECT owner, COUNT(*) n FROM tasks WHERE owner != '' GROUP BY owner ORDER BY n) LIMIT 1 OFFSET 15")
ministry_tasks=$(sqlite3 "$work" "SELECT (SELECT COUNT(*) FROM tasks WHERE owner = '$ministry') + (SELECT COUNT(*) FROM task_support WHERE ministry = '$ministry')")
msid=bench-ministry-$RANDOM$RANDOM csid=bench-coordinator-$RANDOM$RANDOM
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
sqlite3 "$work" "INSERT INTO web_sessions (id_hash, focal_point, body, coordinator, created_at, expires_at, last_seen) VALUES
	('$(sha "$msid")', '$ministry@example.org', '$ministry', 0, $now, $((now + 86400)), $now),
	('$(sha "$csid")', 'coordinator@example.org', 'coordinator', 1, $now, $((now + 86400)), $now)"

log "start the daemon with its web server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
FOLLOWUP_WEB_LISTEN=127.0.0.1:$port "$fu" run --config "$cfg" --db "$work" 2>"$out/daemon-$tasks.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 600); do
	grep -q 'msg=ready' "$out/daemon-$tasks.log" && grep -q 'web server listening' "$out/daemon-$tasks.log" && break
	sleep 0.1
done
grep -q 'msg=ready' "$out/daemon-$tasks.log" || { cat "$out/daemon-$tasks.log" >&2; exit 1; }
base=http://127.0.0.1:$port
# Idle, freshly started, before any page was asked for.
sleep "$idle_wait"
idle_fresh=$(rss_kb "$pid" VmRSS) idle_fresh_split=$(rss_split "$pid")
for path in /m/ /c/; do
	sid=$msid
	[ "$path" = /c/ ] && sid=$csid
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: followup_session=$sid" "$base$path")
	[ "$code" = 200 ] || { echo "GET $path: HTTP $code" >&2; cat "$out/daemon-$tasks.log" >&2; exit 1; }
done
sleep "$idle_wait"
idle_before=$(rss_kb "$pid" VmRSS) idle_before_split=$(rss_split "$pid")

# wrk's --latency table: the 50% and 99% lines, in milliseconds.
lat_ms() { awk -v p="$2" '$1==p {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.1f", v}' "$1"; }
load() { # name path session
	log "(w1) $1: 50 clients for $duration"
	# The first request fills the dashboard's cache, as the first visitor's would.
	curl -s -o /dev/null -H "Cookie: followup_session=$3" "$base$2"
	wrk -t2 -c50 -d"$duration" --timeout 30s --latency -H "Cookie: followup_session=$3" "$base$2" >"$out/wrk-$tasks-$1.txt"
	cat "$out/wrk-$tasks-$1.txt" >&2
}
if [ -z "$only" ]; then
	load ministry /m/ "$msid"
	load dashboard /c/ "$csid"
fi
# The coordinator's task list, without a filter and with the tag filters:
# the rarest theme in use (the list walks the most recommendations to fill
# its page), and an SDG goal, which takes its targets.
theme=$(sqlite3 "$work" "SELECT g.name FROM tags g JOIN recommendation_tags rt ON rt.tag_id = g.id WHERE g.kind = 'theme' GROUP BY g.id ORDER BY COUNT(*), g.id LIMIT 1")
goal=$(sqlite3 "$work" "SELECT substr(name, 1, instr(name, '.') - 1) FROM tags WHERE kind = 'sdg' ORDER BY id LIMIT 1")
tagged=$(sqlite3 "$work" "SELECT COUNT(*) FROM recommendation_tags rt JOIN tags g ON g.id = rt.tag_id WHERE g.kind = 'theme' AND g.name = '${theme//\'/\'\'}'")
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
for path in /c/tasks "/c/tasks?theme=$(urlenc "$theme")" "/c/tasks?sdg=$goal"; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: followup_session=$csid" "$base$path")
	[ "$code" = 200 ] || { echo "GET $path: HTTP $code" >&2; exit 1; }
done
load tasks /c/tasks "$csid"
load tasks-theme "/c/tasks?theme=$(urlenc "$theme")" "$csid"
load tasks-sdg "/c/tasks?sdg=$goal" "$csid"
if [ -n "$only" ]; then
	# The figures of the loads that ran, from the files they wrote.
	rm -f "$out/wrk-$tasks-ministry.txt" "$out/wrk-$tasks-dashboard.txt"
	touch "$out/wrk-$tasks-ministry.txt" "$out/wrk-$tasks-dashboard.txt"
fi
m_p50=$(lat_ms "$out/wrk-$tasks-ministry.txt" 50%) m_p99=$(lat_ms "$out/wrk-$tasks-ministry.txt" 99%)
d_p50=$(lat_ms "$out/wrk-$tasks-dashboard.txt" 50%) d_p99=$(lat_ms "$out/wrk-$tasks-dashboard.txt" 99%)
m_rps=$(awk '/^Requests\/sec/ {print $2}' "$out/wrk-$tasks-ministry.txt")
m_err=$(awk '/Socket errors/ {print $NF + 0}' "$out/wrk-$tasks-ministry.txt")
d_err=$(awk '/Socket errors/ {print $NF + 0}' "$out/wrk-$tasks-dashboard.txt")
d_rps=$(awk '/^Requests\/sec/ {print $2}' "$out/wrk-$tasks-dashboard.txt")
list_rows=""
for name in tasks tasks-theme tasks-sdg; do
	f=$out/wrk-$tasks-$name.txt
	case $name in
	tasks) what="task list /c/tasks" ;;
	tasks-theme) what="task list, theme “$theme” ($tagged recommendations)" ;;
	tasks-sdg) what="task list, SDG goal $goal (its targets)" ;;
	esac
	list_rows+="| $what, median / p99 | $(lat_ms "$f" 50%) / $(lat_ms "$f" 99%) ms ($(awk '/^Requests\/sec/ {print $2}' "$f") requests/s) | p99 under 200 ms | $(met "$(lat_ms "$f" 99%) < 200") |"$'\n'
done
peak=$(rss_kb "$pid" VmHWM)
sleep "$idle_wait"
idle_after=$(rss_kb "$pid" VmRSS) idle_after_split=$(rss_split "$pid")
kill -TERM "$pid"
wait "$pid" || true
pids=()

sql_rows=""
if [ -z "$only" ]; then
	log "(w2) the dashboard's and the ministry page's queries: the store against the sqlite3 shell"
	rm -f "$out"/sql/*.sql
	"$out/bin/dashsql" --config "$cfg" --db "$work" --at "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" --out "$out/sql" --ministry "$ministry" >"$out/dashsql-$tasks.txt"
	# The shell runs each part's statements five times in one process (warm,
	# as the store's are) and the median of the five is kept.
	shell_ms() {
		local f=$1 i
		{
			head -2 "$f"
			for i in 1 2 3 4 5; do
				tail -n +3 "$f"
				printf '.output\n.print REP\n.output /dev/null\n'
			done
		} | sqlite3 "$work" 2>&1 | awk '/^Run Time/ {s += $4} /^REP$/ {print s * 1000; s = 0}' | sort -g | sed -n 3p
	}
	sql_rows=""
	while read -r name go_ms rows stmts; do
		sh_ms=$(shell_ms "$out/sql/$name.sql")
		ratio=$(calc "$go_ms / ($sh_ms > 0 ? $sh_ms : 0.01)")
		sql_rows+="| $name | $stmts | $(calc "$go_ms" 1) ms | $(calc "$sh_ms" 1) ms | ${ratio}× | $(met "$go_ms <= 2 * $sh_ms || $go_ms - $sh_ms < 1") |"$'\n'
	done <"$out/dashsql-$tasks.txt"
fi

{
	echo "# Web benchmark, $tasks tasks"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(uptime | sed 's/.*load average: //') load average when written). Database: $gen_counts."
	echo "Ministry page of $ministry ($ministry_tasks tasks as lead or support); wrk -t2 -c50 -d$duration --timeout 30s."
	echo
	echo "| Measure | Value | Target | Met |"
	echo "|---|---|---|---|"
	if [ -z "$only" ]; then
		echo "| ministry page /m/, median | $m_p50 ms ($m_rps requests/s, ${m_err:-0} timeouts over 30 s) | | |"
		echo "| ministry page /m/, p99 | $m_p99 ms | under 50 ms | $(met "$m_p99 < 50") |"
		echo "| dashboard /c/, median | $d_p50 ms ($d_rps requests/s, ${d_err:-0} timeouts over 30 s) | | |"
		echo "| dashboard /c/, p99 | $d_p99 ms | under 200 ms | $(met "$d_p99 < 200") |"
	fi
	printf '%s' "$list_rows"
	echo "| idle RSS with the web server, freshly started | $(calc "$idle_fresh/1024" 1) MB ($idle_fresh_split) | under 40 MB | $(met "$idle_fresh < 40*1024") |"
	echo "| idle RSS, after one visit to each page (the dashboard's overview built) | $(calc "$idle_before/1024" 1) MB ($idle_before_split) | under 40 MB | $(met "$idle_before < 40*1024") |"
	echo "| peak RSS during the load | $(calc "$peak/1024" 1) MB | | |"
	echo "| idle RSS, $idle_wait s after the load | $(calc "$idle_after/1024" 1) MB ($idle_after_split) | under 40 MB | $(met "$idle_after < 40*1024") |"
	if [ -z "$only" ]; then
		echo
		echo "The dashboard's database work, and the ministry page's when it misses its cache (bench/dashsql; medians of 5 runs each):"
		echo
		echo "| Part | Statements | Store (Go) | sqlite3 shell | Ratio | Within 2× |"
		echo "|---|---|---|---|---|---|"
		printf '%s' "$sql_rows"
	fi
} >"$results"
cat "$results"
