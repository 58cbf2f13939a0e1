#!/usr/bin/env bash
# The flood benchmark: what a hostile client can do to the daemon's memory
# (issue 20). On a small database made by `followup gen`, with the daemon
# running (`followup run`, its web server on), measures:
#   (f1) 20,000 requests with random 30 KB method names, twice: the
#        daemon's RSS and the size of /metrics before and after each
#        round, and the peak RSS;
#   (f2) 1,000 uploads at once, each a progress update with five files of
#        10 MB (50 MB), spread over 20 focal points' sessions, while another
#        session asks for its ministry's page every 100 ms: how they were
#        answered, the page's latency, the daemon's peak RSS (target: under
#        256 MB), and that every upload answered 303 was stored once and
#        whole, nothing else, and no temporary file was left.
# Each flood runs on a freshly started daemon. Writes
# bench/out/flood/results[-REV].md and prints it.
#
#   bench/flood.sh                      both floods, 1,000 uploads
#   bench/flood.sh --clients 200        fewer uploads
#   bench/flood.sh --rev aec00cd        the daemon built at another commit
#                                       (in a temporary worktree; the flood
#                                       program is this tree's)
#   bench/flood.sh --only metrics|upload
#
# Run it alone on the machine (flock /work/.bench.lock bench/flood.sh).
# Sessions are written into the database directly, as bench/web.sh does.
# Needs Go, gcc and sqlite3. Stops every process it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

clients=1000 rev="" only=""
while [ $# -gt 0 ]; do
	case "$1" in
	--clients)
		clients=$2
		shift 2
		;;
	--rev)
		rev=$2
		shift 2
		;;
	--only)
		only=$2
		shift 2
		;;
	*)
		echo "usage: bench/flood.sh [--clients N] [--rev REV] [--only metrics|upload]" >&2
		exit 2
		;;
	esac
done
out=$root/bench/out/flood
mkdir -p "$out/bin"
suffix=""
[ -n "$rev" ] && suffix="-$rev"
results=$out/results$suffix.md

pids=()
tree=""
cleanup() {
	for p in "${pids[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]:-}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null || true
	done
	if [ -n "$tree" ]; then
		git -C "$root" worktree remove --force "$tree" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "== $*" >&2; }
val() { awk -F= -v k="$2" '$1==k {print $2}' "$1"; }

log "build"
export CGO_ENABLED=1
go build -o "$out/bin/flood" ./bench/flood
fu=$out/bin/followup$suffix
if [ -n "$rev" ]; then
	tree=$(mktemp -d)/followup-$rev
	git -C "$root" worktree add --detach "$tree" "$rev" >/dev/null 2>&1
	(cd "$tree" && go build -o "$fu" ./cmd/followup)
	commit=$(git -C "$root" rev-parse --short "$rev")
else
	go build -o "$fu" ./cmd/followup
	commit=$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . ':!bench/out' || echo "+changes")
fi

# A small database (the floods measure the web server, not the data):
# 2,000 tasks of 30 ministries, made again for each run.
work=$out/work$suffix
rm -rf "$work"
mkdir -p "$work"
db=$work/flood.db cfg=$work/flood.yaml
day=$(date -u +%Y-%m-%d)
"$fu" gen --tasks 2000 --ministries 30 --seed 1 --at "${day}T08:00:00Z" --db "$db" --config-out "$cfg" >"$work/gen.log"
"$fu" tasks --config "$cfg" --db "$db" --ministry m001 >/dev/null
now=$(date -u +%s)
sqlite3 "$db" "INSERT OR REPLACE INTO schedule_slots (name, last_slot, updated_at) VALUES
	('reminders', $now, $now), ('coordinator_digest', $now, $now), ('ministry_digest', $now, $now)"
# Twenty focal points send; the twenty-first reads its page meanwhile.
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
: >"$work/sessions.txt"
values=""
for i in $(seq 1 21); do
	m=$(printf 'm%03d' "$i")
	sid=flood-$m-$RANDOM$RANDOM$RANDOM
	task=$(sqlite3 "$db" "SELECT MIN(id) FROM tasks WHERE owner = '$m'")
	values+="${values:+,}('$(sha "$sid")', '$m@example.org', '$m', 0, $now, $((now + 86400)), $now)"
	if [ "$i" -le 20 ]; then
		echo "$sid $task" >>"$work/sessions.txt"
	else
		probe=$sid
	fi
done
sqlite3 "$db" "INSERT INTO web_sessions (id_hash, focal_point, body, coordinator, created_at, expires_at, last_seen) VALUES $values"

start_daemon() { # name
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	FOLLOWUP_WEB_LISTEN=127.0.0.1:$port "$fu" run --config "$cfg" --db "$db" 2>"$work/daemon-$1.log" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 600); do
		grep -q 'web server listening' "$work/daemon-$1.log" && break
		sleep 0.1
	done
	grep -q 'web server listening' "$work/daemon-$1.log" || {
		cat "$work/daemon-$1.log" >&2
		exit 1
	}
	base=http://127.0.0.1:$port
	sleep 3 # settled: the first heartbeat ran
}
stop_daemon() {
	kill -TERM "$pid"
	wait "$pid" || true
	pids=()
}

rows=""
if [ "$only" != upload ]; then
	log "(f1) 20,000 requests with random 30 KB method names"
	start_daemon metrics
	"$out/bin/flood" metrics --base "$base" --pid "$pid" --requests 20000 --rounds 2 --method-size 30720 >"$work/metrics.txt"
	cat "$work/metrics.txt" >&2
	stop_daemon
	m=$work/metrics.txt
	rows+="| (f1) RSS before → after 20,000 requests with random 30 KB methods (peak) → after 20,000 more (peak) | $(val "$m" rss_before_mb) → $(val "$m" rss_after_mb_1) MB ($(val "$m" rss_peak_mb_1)) → $(val "$m" rss_after_mb_2) MB ($(val "$m" rss_peak_mb_2)) | bounded: the second round adds nothing |"$'\n'
	rows+="| (f1) memory the Go runtime holds (go_memstats_sys_bytes) before → after → after 20,000 more | $(val "$m" go_sys_before_mb) → $(val "$m" go_sys_after_mb_1) → $(val "$m" go_sys_after_mb_2) MB | bounded |"$'\n'
	rows+="| (f1) /metrics before → after → after 20,000 more | $(val "$m" metrics_before_bytes) → $(val "$m" metrics_after_bytes_1) → $(val "$m" metrics_after_bytes_2) bytes | bounded |"$'\n'
fi
if [ "$only" != metrics ]; then
	log "(f2) $clients uploads of 50 MB at once"
	start_daemon upload
	"$out/bin/flood" upload --base "$base" --pid "$pid" --sessions "$work/sessions.txt" --clients "$clients" --probe "$probe" >"$work/upload.txt"
	cat "$work/upload.txt" >&2
	stop_daemon
	u=$work/upload.txt
	accepted=$(val "$u" answer_303)
	accepted=${accepted:-0}
	stored=$(sqlite3 "$db" "SELECT COUNT(*) FROM task_updates WHERE text = 'flood upload'")
	files=$(sqlite3 "$db" "SELECT COUNT(*) FROM update_evidence e JOIN task_updates u ON u.id = e.update_id WHERE u.text = 'flood upload'")
	whole=$(sqlite3 "$db" "SELECT COUNT(*) FROM update_evidence e JOIN task_updates u ON u.id = e.update_id JOIN evidence_files f ON f.id = e.id
		WHERE u.text = 'flood upload' AND e.size = 10485760 AND length(f.data) = 10485760")
	sums=$(sqlite3 "$db" "SELECT COUNT(DISTINCT e.sha256) FROM update_evidence e JOIN task_updates u ON u.id = e.update_id WHERE u.text = 'flood upload'")
	left=$(find "$work" -maxdepth 1 -name '.followup-upload-*' | wc -l)
	answers=$(grep '^answer_' "$u" | sed 's/^answer_//; s/=/: /' | paste -sd, - | sed 's/,/, /g')
	peak=$(val "$u" rss_peak_mb)
	rows+="| (f2) $clients uploads of 5 × 10 MB at once: answers | $answers | 503 beyond the bound |"$'\n'
	rows+="| (f2) daemon RSS before → after (peak) | $(val "$u" rss_before_mb) → $(val "$u" rss_after_mb) MB (**$peak MB**) | peak under 256 MB: $(awk "BEGIN {print ($peak < 256) ? \"met\" : \"NOT met\"}") |"$'\n'
	rows+="| (f2) the ministry's page every 100 ms meanwhile | $(val "$u" page_requests) requests, $(val "$u" page_not_200) not 200, median $(val "$u" page_median_ms) ms, slowest $(val "$u" page_max_ms) ms | keeps answering |"$'\n'
	rows+="| (f2) stored: updates / files / whole 10 MB files / distinct contents; temporary files left | $stored / $files / $whole / $sums; $left | updates = 303 answers ($accepted), files = 5 × updates, all whole, 1 content, 0 left |"$'\n'
fi

{
	echo "# Flood benchmark at $commit"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(uptime | sed 's/.*load average: //') load average when written). Database: 2,000 tasks, 30 ministries."
	echo
	echo "| Measure | Value | Target |"
	echo "|---|---|---|"
	printf '%s' "$rows"
} >"$results"
cat "$results"
