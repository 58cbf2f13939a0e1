#!/usr/bin/env bash
# The load benchmark: builds followup, generates a database of 1,000,000
# tasks (reused from bench/out/ when present) and measures, with both sides
# of each comparison in the same run:
#   (a) followup preview --at T against the sqlite3 shell running the
#       SQL the sweep runs (bench/sweepsql traces it) on the same file;
#   (b) delivering 10,000 reminders from the outbox to postfix's smtp-sink,
#       against smtp-source sending as many messages of the same size over
#       one connection;
#   (c) the daemon's peak memory while it sweeps, and idle;
#   (d) the time from `followup run` to ready;
# and the importer: the seed imported through the CLI, and the parse rate.
# Writes bench/out/results.md (bench/out/quick/ with --quick) and prints it.
#
#   bench/run.sh           the full run (about 5 minutes on 2 cores)
#   bench/run.sh --quick   10,000 tasks and 1,000 messages, for CI
#
# Needs Go and gcc; installs sqlite3 and postfix (for smtp-sink and
# smtp-source) from Debian's packages when they are missing, which needs
# root. Stops every process it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

quick=0
case "${1:-}" in
--quick) quick=1 ;;
"") ;;
*)
	echo "usage: bench/run.sh [--quick]" >&2
	exit 2
	;;
esac

if [ "$quick" = 1 ]; then
	tasks=10000 msgs=1000 runs=5 idle_wait=5 out=bench/out/quick
else
	tasks=1000000 msgs=10000 runs=3 idle_wait=35 out=bench/out
fi
ministries=30
port=${BENCH_SMTP_PORT:-2525}
mkdir -p "$out/bin"
out=$(cd "$out" && pwd)
results=$out/results.md

# Every process started here is recorded and stopped on exit.
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
now() { date +%s.%N; }
# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN {printf \"%.${2:-3}f\", ($1)}"; }
ms() { calc "$1*1000" 0; }
rss_kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# What the RSS holds: the process's own memory, and the pages of files it
# maps (mostly the program's code and constants, which the kernel can
# drop and read again).
rss_split() { echo "anonymous $(mb "$(rss_kb "$1" RssAnon)") MB, files $(mb "$(rss_kb "$1" RssFile)") MB"; }
mb() { calc "$1/1024" 1; }

# ---------------------------------------------------------------------------
log "tools"
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
{ command -v smtp-sink && command -v smtp-source; } >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || need+=(postfix)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench/run.sh: ${need[*]} missing; run as root to install them (apt-get)" >&2
		exit 1
	fi
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export PATH=$PATH:/usr/sbin
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u nobody)

log "build"
export CGO_ENABLED=1
go build -o "$out/bin/followup" ./cmd/followup
go build -o "$out/bin/sweepsql" ./bench/sweepsql
go build -o "$out/bin/deliver" ./bench/deliver
go build -o "$out/bin/profile" ./bench/profile
fu=$out/bin/followup
# The full run also profiles what it measures (bench/out/profiles/):
# BENCHMARKS.md quotes `go tool pprof -top` of these.
profiles=$out/profiles
rm -rf "$profiles"
mkdir -p "$profiles"
pprof_top() { # name binary profile [pprof flags...]
	local name=$1 bin=$2 prof=$3
	shift 3
	go tool pprof -top "$@" "$bin" "$prof" >"$profiles/$name.txt" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
db=$out/gen-$tasks.db
cfg=$out/gen-$tasks.yaml
meta=$out/gen-$tasks.at
# A database made by another version of the generator or of the schema is
# made again.
fingerprint=$(cat $(ls internal/loadgen/*.go | grep -v _test.go) store/migrations/*.sql | sha256sum | cut -c1-16)
if [ -f "$db" ] && [ -f "$cfg" ] && [ -f "$meta" ] && [ "$(cat "$meta.fingerprint" 2>/dev/null)" = "$fingerprint" ]; then
	log "reusing $db"
	at=$(cat "$meta")
	gen_note="reused (made by an earlier run: $(head -1 "$out/gen-$tasks.log" | sed 's/^generated [^ ]* //; s/:$//'))"
else
	rm -f "$db" "$db-wal" "$db-shm" "$cfg" "$meta" "$meta.fingerprint"
	# The generation's "now" and the sweep's time T: today 08:00 UTC, or
	# the last weekday's (reminders go out Monday to Friday).
	day=$(date -u +%Y-%m-%d)
	while [ "$(date -u -d "$day" +%u)" -gt 5 ]; do day=$(date -u -d "$day - 1 day" +%Y-%m-%d); done
	at=${day}T08:00:00Z
	log "generate $tasks tasks as of $at"
	"$fu" gen --tasks "$tasks" --ministries "$ministries" --seed 1 --at "$at" --db "$db" --config-out "$cfg" | tee "$out/gen-$tasks.log" >&2
	echo "$at" >"$meta"
	echo "$fingerprint" >"$meta.fingerprint"
	gen_note=$(head -1 "$out/gen-$tasks.log" | sed 's/^generated [^ ]* //; s/:$//')
fi
gen_counts=$(sed -n 2p "$out/gen-$tasks.log" | sed 's/^ *//')
db_size=$(du -m "$db" | cut -f1)
work=$out/work.db

# ---------------------------------------------------------------------------
log "(a) preview --at $at against the sqlite3 shell"
rm -f "$work" "$work-wal" "$work-shm"
cp "$db" "$work"
# The daemon has been running: the digests ran at T, the reminders the day
# before; so at T preview plans the reminders (the sweep) only.
t=$(date -u -d "$at" +%s)
sqlite3 "$work" "INSERT INTO schedule_slots (name, last_slot, updated_at) VALUES
	('reminders', $((t - 86400)), $t), ('coordinator_digest', $t, $t), ('ministry_digest', $t, $t)"
"$out/bin/sweepsql" --config "$cfg" --db "$work" --at "$at" >"$out/sweep.sql" 2>"$out/sweepsql.log"
sql_rows=$(sed -n 's/.*messages, \([0-9]*\) tasks.*/\1/p' "$out/sweepsql.log")
sql_statements=$(sed -n 's/^sweepsql: \([0-9]*\) statements.*/\1/p' "$out/sweepsql.log")
preview_times=() floor_times=()
for i in $(seq "$runs"); do
	s=$(now)
	"$fu" preview --config "$cfg" --db "$work" --at "$at" >"$out/preview.txt"
	preview_times+=("$(calc "$(now) - $s")")
	s=$(now)
	sqlite3 "$work" <"$out/sweep.sql" >/dev/null
	floor_times+=("$(calc "$(now) - $s")")
done
preview_tasks=$(grep -o '([0-9]* tasks\?)' "$out/preview.txt" | tr -dc '0-9\n' | awk '{s+=$1} END {print s+0}')
# The shell prints the rows of the sweep's counting statement only:
# owner|channel|rank tasks,rank tasks,... Escalation rows (channel 1) of
# owners that are no ministry of the config (the coordinator's own tasks,
# unassigned ones, owners since removed) are counted by SQL and dropped by
# the planner (issue 10: the coordinator is never escalated about what is
# its own to sort out), so they are left out here too.
ministry_ids=$(sed -n '/^ministries:/,/^[a-z]/ s/^  - id: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$cfg" | tr '\n' ' ')
floor_rows=$(sqlite3 "$work" <"$out/sweep.sql" | awk -F'|' -v ids="$ministry_ids" '
	BEGIN {n = split(ids, a, " "); for (i = 1; i <= n; i++) ministry[a[i]] = 1}
	$2 == 0 || ($1 in ministry) {n = split($3, p, ","); for (i = 1; i <= n; i++) {split(p[i], q, " "); s += q[2]}}
	END {print s + 0}')
preview_msgs=$(sed -n 's/.*: \([0-9]*\) messages\? would be sent.*/\1/p' "$out/preview.txt")
preview_s=$(median "${preview_times[@]}")
floor_s=$(median "${floor_times[@]}")
ratio_a=$(calc "$preview_s / $floor_s" 1)
# The counting statement counts a cluster's members each; the messages
# count a cluster's members of one owner once (the store merges them
# after), so with clusters the shell counts more than preview and
# sweepsql, which must agree.
same=yes
if [ "$preview_tasks" != "$sql_rows" ] || [ "$floor_rows" -lt "$preview_tasks" ]; then
	same="NO ($preview_tasks tasks in preview, $floor_rows counted by sqlite3, $sql_rows by sweepsql)"
elif [ "$floor_rows" != "$preview_tasks" ]; then
	same="yes: $preview_tasks tasks in preview and sweepsql, clusters counted once; $floor_rows by the counting statement, their members each"
fi
log "preview ${preview_s}s, sqlite3 ${floor_s}s: ${ratio_a}x; same selection: $same"
if [ "$quick" = 0 ]; then
	log "(a) profile: what preview runs, under pprof"
	"$out/bin/profile" --config "$cfg" --db "$work" --at "$at" --job all \
		--cpuprofile "$profiles/preview-cpu.prof" --memprofile "$profiles/preview-heap.prof" >"$profiles/preview.txt"
	pprof_top preview-cpu-top "$out/bin/profile" "$profiles/preview-cpu.prof" -nodecount 25
	pprof_top preview-cpu-cum "$out/bin/profile" "$profiles/preview-cpu.prof" -cum -nodecount 400
	pprof_top preview-heap "$out/bin/profile" "$profiles/preview-heap.prof" -sample_index=inuse_space -nodecount 25
fi

# ---------------------------------------------------------------------------
log "(b) $msgs reminders to smtp-sink, against smtp-source"
sink_log=$out/smtp-sink.log
smtp-sink "${sink_user[@]}" -c "127.0.0.1:$port" 1000 >"$sink_log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
outbox=$out/outbox-$msgs.db
rm -f "$outbox" "$outbox-wal" "$outbox-shm"
size=$("$out/bin/deliver" enqueue --db "$outbox" -n "$msgs")
fu_rates=() fu_times=() src_rates=() src_times=() all_sent=yes
for i in $(seq 3); do
	sqlite3 "$outbox" "UPDATE outbox SET status = 'pending', sent_at = NULL, response = '', batch = '', attempts = 0"
	line=$("$out/bin/deliver" send --db "$outbox" --smtp "127.0.0.1:$port") || all_sent=no
	echo "$line" >&2
	fu_times+=("$(echo "$line" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')")
	fu_rates+=("$(echo "$line" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')")
	marked=$(sqlite3 "$outbox" "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
	[ "$marked" = "$msgs" ] || all_sent="no ($marked of $msgs marked sent)"
	s=$(now)
	smtp-source -s 1 -m "$msgs" -l "$size" -d -f followup@example.org -t m001@example.org "127.0.0.1:$port"
	e=$(calc "$(now) - $s")
	src_times+=("$e")
	src_rates+=("$(calc "$msgs / $e" 0)")
done
# The SMTP transport alone (messages read first, outcomes not recorded):
# what the outbox's bookkeeping costs.
sqlite3 "$outbox" "UPDATE outbox SET status = 'pending', sent_at = NULL, response = '', batch = '', attempts = 0"
tr_line=$("$out/bin/deliver" send --db "$outbox" --smtp "127.0.0.1:$port" --transport-only)
echo "$tr_line" >&2
tr_rate=$(echo "$tr_line" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
if [ "$quick" = 0 ]; then
	sqlite3 "$outbox" "UPDATE outbox SET status = 'pending', sent_at = NULL, response = '', batch = '', attempts = 0"
	"$out/bin/deliver" send --db "$outbox" --smtp "127.0.0.1:$port" --cpuprofile "$profiles/deliver-cpu.prof" >"$profiles/deliver.txt"
	pprof_top deliver-cpu-cum "$out/bin/deliver" "$profiles/deliver-cpu.prof" -cum -nodecount 400
fi
fu_rate=$(median "${fu_rates[@]}")
src_rate=$(median "${src_rates[@]}")
fu_time=$(median "${fu_times[@]}")
src_time=$(median "${src_times[@]}")
ratio_b=$(calc "$fu_rate / $src_rate" 2)
log "followup $fu_rate msg/s, smtp-source $src_rate msg/s: $ratio_b"

# ---------------------------------------------------------------------------
log "(c) the daemon sweeping $tasks tasks, (d) time to ready"
rm -f "$work" "$work-wal" "$work-shm"
cp "$db" "$work"
rm -rf "$out/mail"
daemon_log=$out/daemon.log
start=$(now)
start_c=$start
"$fu" run --config "$cfg" --db "$work" --log-level info 2>"$daemon_log" &
pid=$!
pids+=($pid)
ready_first=
peak=0
deadline=$(calc "$start + 1800" 0)
while :; do
	kill -0 "$pid" 2>/dev/null || {
		cat "$daemon_log" >&2
		echo "bench/run.sh: the daemon exited" >&2
		exit 1
	}
	if [ -z "$ready_first" ] && grep -q 'msg=ready' "$daemon_log"; then
		ts=$(grep -m1 'msg=ready' "$daemon_log" | sed -n 's/^time=\([^ ]*\).*/\1/p')
		ready_first=$(calc "$(date -d "$ts" +%s.%N) - $start")
	fi
	if [ "$(grep -c 'msg="slot ran"' "$daemon_log")" -ge 3 ] &&
		[ "$(sqlite3 "$work" "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')" 2>/dev/null || echo 1)" = 0 ]; then
		break
	fi
	if grep -q 'level=ERROR' "$daemon_log" || [ "$(calc "$(now) > $deadline" 0)" = 1 ]; then
		cat "$daemon_log" >&2
		echo "bench/run.sh: the first sweep failed or took too long" >&2
		exit 1
	fi
	sleep 0.2
done
swept=$(now)
peak=$(rss_kb "$pid" VmHWM)
sweep_s=$(calc "$swept - $start - $ready_first" 1)
sent_first=$(sqlite3 "$work" "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
mail_mb=$(du -sm "$out/mail" | cut -f1)
slot_lines=$(grep 'msg="slot ran"' "$daemon_log" | sed -n 's/^time=\([^ ]*\).*job=\([a-z_]*\).*messages=\([0-9]*\).*/\2 \1 \3/p')
sleep "$idle_wait"
idle_after=$(rss_kb "$pid" VmRSS) idle_after_split=$(rss_split "$pid")
kill -TERM "$pid"
wait "$pid" || true
log "ready after ${ready_first}s; first heartbeat done after ${sweep_s}s more; peak ${peak} kB; idle ${idle_after} kB"

# (d): the same database, now swept: start, wait for ready, let the first
# heartbeat find nothing due, stop.
ready_times=() idle_fresh=()
for i in $(seq "$runs"); do
	start=$(now)
	"$fu" run --config "$cfg" --db "$work" --log-level info 2>"$daemon_log.$i" &
	pid=$!
	pids+=($pid)
	while ! grep -q 'msg=ready' "$daemon_log.$i"; do
		kill -0 "$pid" 2>/dev/null || {
			cat "$daemon_log.$i" >&2
			exit 1
		}
		sleep 0.01
	done
	ts=$(grep -m1 'msg=ready' "$daemon_log.$i" | sed -n 's/^time=\([^ ]*\).*/\1/p')
	ready_times+=("$(calc "$(date -d "$ts" +%s.%N) - $start")")
	sleep 3
	idle_fresh+=("$(rss_kb "$pid" VmRSS)")
	idle_fresh_split=$(rss_split "$pid")
	kill -TERM "$pid"
	wait "$pid" || true
done
ready_s=$(median "${ready_times[@]}")
idle_fresh_kb=$(median "${idle_fresh[@]}")
if [ "$quick" = 0 ]; then
	log "(c) profile: the first heartbeat's planning, under pprof, and where its memory stays"
	rm -f "$work" "$work-wal" "$work-shm"
	cp "$db" "$work"
	"$out/bin/profile" --config "$cfg" --db "$work" --at "$at" --job all --dry-run=false \
		--cpuprofile "$profiles/heartbeat-cpu.prof" --memprofile "$profiles/heartbeat-heap.prof" >"$profiles/heartbeat.txt"
	pprof_top heartbeat-cpu-cum "$out/bin/profile" "$profiles/heartbeat-cpu.prof" -cum -nodecount 400
	pprof_top heartbeat-heap "$out/bin/profile" "$profiles/heartbeat-heap.prof" -sample_index=inuse_space -nodecount 25
fi

# ---------------------------------------------------------------------------
log "the importer"
seed=$root/../shared/seeds/000_184c6d66c37e6cc3.txt
import_note="the seed ../shared/seeds/000_184c6d66c37e6cc3.txt is not next to the repository: skipped"
parse_note=$import_note
if [ -f "$seed" ]; then
	imports=()
	for i in $(seq 7); do
		rm -f "$out/import.db" "$out/import.db-wal" "$out/import.db-shm"
		s=$(now)
		"$fu" import --db "$out/import.db" "$seed" >/dev/null
		imports+=("$(calc "$(now) - $s")")
	done
	import_note="$(ms "$(median "${imports[@]}")") ms (median of 7)"
	ns=$(go test -run '^$' -bench ParseSeed -benchtime 2s ./ingest | awk '/^BenchmarkParseSeed/ {print $3}')
	parse_note="$(calc "1e9 / $ns" 0) documents/s ($(calc "$ns / 1e6" 2) ms per parse)"
fi

# ---------------------------------------------------------------------------
met() { if [ "$(calc "$1" 0)" = 1 ]; then echo met; else echo "**missed**"; fi; }
{
	echo "# bench/run.sh results"
	echo
	echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ)$([ "$quick" = 1 ] && echo ' (quick mode)')."
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(free -h | awk '/^Mem:/ {print $2}') RAM;"
	echo "$(go version | cut -d' ' -f3); sqlite3 shell $(sqlite3 --version | cut -d' ' -f1); postfix $(dpkg-query -W -f '${Version}' postfix 2>/dev/null || echo '?')."
	echo "Code: $(git rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout')$( [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo ' with uncommitted changes')."
	echo
	echo "Database: $tasks tasks, $ministries ministries, seed 1, as of $at ($db_size MB); $gen_counts."
	echo "Generation: $gen_note."
	echo
	echo "| | figure | target | |"
	echo "|---|---|---|---|"
	echo "| (a) \`followup preview --at $at\` | $(ms "$preview_s") ms (median of $runs; $preview_msgs messages, $preview_tasks tasks) | | |"
	echo "| (a) floor: sqlite3 shell, the sweep's $sql_statements statements | $(ms "$floor_s") ms (median of $runs; $floor_rows tasks counted) | | |"
	echo "| (a) ratio preview / floor | ${ratio_a}x (same selection: $same) | within 2x | $(met "$ratio_a <= 2") |"
	echo "| (b) followup: $msgs reminders to smtp-sink | $fu_rate msg/s ($fu_time s, median of 3; every message marked sent: $all_sent) | | |"
	echo "| (b) smtp-source -s 1 -d -m $msgs -l $size | $src_rate msg/s ($src_time s, median of 3) | | |"
	echo "| (b) ratio followup / smtp-source | $ratio_b | at least 0.5, all sent | $(met "$ratio_b >= 0.5 && \"$all_sent\" == \"yes\"") |"
	echo "| (b) for comparison: the SMTP transport alone, outcomes not recorded | $tr_rate msg/s ($(calc "$tr_rate / $src_rate" 2) of smtp-source) | | |"
	echo "| (c) daemon peak RSS, first heartbeat on $tasks tasks | $(mb "$peak") MB (VmHWM; heartbeat took ${sweep_s} s, $sent_first messages, $mail_mb MB of .eml) | under 256 MB | $(met "$peak < 256*1024") |"
	echo "| (c) idle daemon RSS, ${idle_wait} s after that heartbeat | $(mb "$idle_after") MB ($idle_after_split) | under 40 MB | $(met "$idle_after < 40*1024") |"
	echo "| (c) idle daemon RSS, freshly started on the swept database | $(mb "$idle_fresh_kb") MB (median of $runs; the last: $idle_fresh_split) | under 40 MB | $(met "$idle_fresh_kb < 40*1024") |"
	echo "| (d) \`followup run\` to ready, $tasks tasks | $(ms "$ready_s") ms (median of $runs; the first start on the new copy: $(ms "$ready_first") ms) | under 500 ms | $(met "$ready_s < 0.5") |"
	echo "| import of the seed through the CLI, new database | $import_note | under 100 ms | $([ -f "$seed" ] && met "$(median "${imports[@]}") < 0.1" || echo -) |"
	echo "| parse rate (BenchmarkParseSeed) | $parse_note | | |"
	echo
	echo "First heartbeat, job by job (time the slot was recorded, messages):"
	echo
	echo '```'
	echo "daemon started at $(date -u -d "@$start_c" +%H:%M:%S.%3N) ($daemon_log)"
	echo "$slot_lines"
	echo '```'
	echo
	if [ "$quick" = 0 ]; then
		echo "Profiles (\`go tool pprof -top\` outputs in $profiles/):"
		echo
		echo '```'
		cat "$profiles/preview.txt" "$profiles/heartbeat.txt"
		echo '```'
		echo
	fi
	echo "Runs: preview ${preview_times[*]} s; sqlite3 ${floor_times[*]} s; followup delivery ${fu_times[*]} s;"
	echo "smtp-source ${src_times[*]} s; ready ${ready_times[*]} s."
} >"$results"
cat "$results"
