#!/usr/bin/env bash
# Regenerates the databases of earlier releases that store/upgrade_test.go
# migrates: for each commit below, it builds that commit's followup from a
# git worktree, and with that binary imports the example document, moves
# tasks through stages, records a progress update with a file through the
# web pages (where that release has them), and runs the daemon until its
# mail is delivered, so that tasks, events, updates and outbox rows exist.
# Then it writes <schema>-<commit>/followup.db here and README.md.
#   store/testdata/releases/make.sh        (needs go, gcc, curl, python3)
# Add a commit when a release changes the schema (store/migrations).
set -euo pipefail
commits=(d9da086 aec00cd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	for c in "${commits[@]}"; do
		git -C "$repo" worktree remove --force "$work/wt-$c" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

waitfor() { # waitfor SECONDS COMMAND...: until COMMAND succeeds
	local n=$(($1 * 2))
	shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.5
	done
	return 1
}
mails() { find "$1/mail" -name '*.eml' 2>/dev/null | wc -l; }
more_mail() { [ "$(mails "$1")" -gt "$2" ]; } # more_mail DIR N: more than N .eml files

readme="$work/README.md"
cat >"$readme" <<'TXT'
# Databases written by earlier releases

Each folder holds a `followup.db` written by the followup binary built from
the commit it names, by `make.sh` beside this file (which says what it does
with them). `store/upgrade_test.go` migrates copies of them and checks that
every row survives. Regenerate with `store/testdata/releases/make.sh`.

| folder | commit | schema (last migration) | what it holds |
| --- | --- | --- | --- |
TXT
rm -rf "$here"/[0-9][0-9][0-9][0-9]-*
for c in "${commits[@]}"; do
	full=$(git -C "$repo" rev-parse "$c^{commit}")
	wt="$work/wt-$c"
	git -C "$repo" worktree add --detach "$wt" "$full" >/dev/null
	bin="$work/followup-$c"
	echo "== $c: building" >&2
	(cd "$wt" && CGO_ENABLED=1 go build -o "$bin" ./cmd/followup)
	last=$(git -C "$repo" ls-tree --name-only "$full" store/migrations/ | sort | tail -1)
	schema=$(basename "$last" | cut -c1-4)
	d="$work/run-$c"
	mkdir -p "$d"
	cp "$wt/examples/lao-opsc/followup.yaml" "$wt/examples/lao-opsc/sample-co.txt" "$d/"
	cfg="$d/followup.yaml"
	web=
	if grep -q '{"link"' "$wt/cmd/followup/main.go"; then
		web=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		printf '\nweb:\n  listen: 127.0.0.1:%s\n' "$web" >>"$cfg"
	fi

	echo "== $c: import, stages, mail" >&2
	"$bin" import --config "$cfg" "$d/sample-co.txt" >/dev/null
	ids=$("$bin" tasks --config "$cfg" --json | python3 -c 'import json, sys; print(" ".join(str(t["task"]) for t in json.load(sys.stdin)[:2]))')
	moj=$("$bin" tasks --config "$cfg" --ministry moj --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["task"])')
	set -- $ids
	"$bin" task advance "$1" acknowledged --config "$cfg" --by "Fixture script" --note "Received (fixture)" >/dev/null
	"$bin" task advance "$2" acknowledged --config "$cfg" --by "Fixture script" >/dev/null
	"$bin" task advance "$2" action_planned --config "$cfg" --by "Fixture script" --note "Planned (fixture)" >/dev/null
	"$bin" run --config "$cfg" 2>"$d/log" &
	pid=$!
	waitfor 60 more_mail "$d" 0 || { cat "$d/log"; exit 1; }
	holds="tasks, task events, delivered mail"
	if [ -n "$web" ]; then
		echo "== $c: a progress update with a file, through the ministry's page" >&2
		link=$("$bin" link moj --config "$cfg" --email legislation@moj.example.org)
		jar="$d/cookies"
		curl -sS -c "$jar" -b "$jar" -L -o /dev/null "$link"
		printf '%%PDF-1.4\n%%%%EOF\n' >"$d/evidence.pdf"
		before=$(mails "$d")
		code=$(curl -sS -b "$jar" -o /dev/null -w '%{http_code}' \
			-F task="$moj" -F name="Fixture script" -F text="Drafted the amendment (fixture)" -F done_on=2026-11-30 \
			-F links="https://example.org/amendment" -F "file=@$d/evidence.pdf;type=application/pdf" \
			"http://127.0.0.1:$web/m/task/$moj/update")
		[ "$code" = 303 ] || { echo "update: HTTP $code" >&2; cat "$d/log"; exit 1; }
		# Its receipt goes out as mail too.
		waitfor 60 more_mail "$d" "$before" || { cat "$d/log"; exit 1; }
		holds="$holds, a progress update with a link and a file, its receipt, a web session"
	fi
	kill -TERM "$pid"
	wait "$pid"
	pid=
	grep -q 'msg=stopped' "$d/log" || { cat "$d/log"; exit 1; }
	out="$here/$schema-$c"
	mkdir -p "$out"
	# One file as the release left it: the daemon checkpointed its WAL at exit.
	[ ! -s "$d/followup.db-wal" ] || { echo "the daemon left a WAL behind" >&2; exit 1; }
	cp "$d/followup.db" "$out/followup.db"
	echo "| \`$schema-$c\` | $full | $last | $holds |" >>"$readme"
	git -C "$repo" worktree remove --force "$wt"
done
cp "$readme" "$here/README.md"
ls -l "$here"/*/followup.db >&2
