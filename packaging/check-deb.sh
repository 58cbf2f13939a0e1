#!/usr/bin/env bash
# Installs followup's amd64 package on this machine, checks what it put
# where, runs the daemon from it, then removes and purges it and checks
# what is left. Run as root, on a machine you can spare (CI runs it):
#   packaging/check-deb.sh dist/followup_VERSION_amd64.deb VERSION COMMIT
# It works with or without systemd running (a container has none).
set -euo pipefail
deb=$1 version=$2 commit=$3
fail() { echo "check-deb: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "run as root"
[ -f "$deb" ] || fail "$deb: no such package"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	dpkg -P followup >/dev/null 2>&1 || true
}
trap cleanup EXIT
# A run that stopped half way left it installed.
dpkg -P followup >/dev/null 2>&1 || true

echo "-- dpkg -i"
start=$(date +%s%N)
dpkg -i "$deb"
end=$(date +%s%N)
echo "install time: $(((end - start) / 1000000)) ms; package size: $(stat -c %s "$deb") bytes"

echo "-- what it installed"
out=$(followup version)
echo "$out"
[[ $out == "followup $version (revision $commit"* ]] || fail "followup version says \"$out\", want version $version and commit $commit"
followup config check /etc/followup/followup.yaml
getent passwd followup | grep -q ':/var/lib/followup:/usr/sbin/nologin$' || fail "no followup system user"
[ "$(stat -c '%a %U %G' /var/lib/followup)" = "700 followup followup" ] || fail "/var/lib/followup: $(stat -c '%a %U %G' /var/lib/followup)"
[ "$(stat -c '%a %U %G' /etc/followup/followup.yaml)" = "640 root followup" ] || fail "followup.yaml: $(stat -c '%a %U %G' /etc/followup/followup.yaml)"
grep -qx /etc/followup/followup.yaml /var/lib/dpkg/info/followup.conffiles || fail "followup.yaml is not a conffile"
[ -f /etc/followup/unconfigured ] || fail "no /etc/followup/unconfigured: the service would start on the example"
unit=/usr/lib/systemd/system/followup.service
# deb-systemd-helper links /lib/systemd/system/…: the same file on a
# merged /usr.
[ "$(readlink -f /etc/systemd/system/multi-user.target.wants/followup.service)" = "$(readlink -f "$unit")" ] || fail "the service is not enabled"
grep -qx 'ConditionPathExists=!/etc/followup/unconfigured' "$unit" || fail "the unit does not wait for the admin"
# The unit as systemd reads it: directives, paths, the user, the binary.
systemd-analyze verify "$unit"

echo "-- the daemon, as the service runs it, writes only where the package lets it"
log=$(mktemp)
# setpriv execs the daemon itself, so that the stop signal reaches it.
setpriv --reuid followup --regid followup --init-groups /usr/bin/followup run --config /etc/followup/followup.yaml 2>"$log" &
pid=$!
for _ in $(seq 1 60); do
	ls /var/lib/followup/mail/*.eml >/dev/null 2>&1 && break
	sleep 0.5
done
kill -TERM "$pid"
wait "$pid" || { cat "$log"; fail "the daemon failed"; }
pid=
grep -q 'msg=stopped' "$log" || { cat "$log"; fail "the daemon did not stop cleanly"; }
ls /var/lib/followup/mail/*.eml >/dev/null 2>&1 || { cat "$log"; fail "the daemon sent no mail into /var/lib/followup/mail"; }
for f in followup.db followup-web.key; do
	[ "$(stat -c '%a %U' /var/lib/followup/$f)" = "600 followup" ] || fail "/var/lib/followup/$f: $(stat -c '%a %U' /var/lib/followup/$f)"
done
rm -f "$log"

echo "-- installed again over itself: the admin's edits and the marker stay"
echo "# edited by the admin" >>/etc/followup/followup.yaml
dpkg -i "$deb"
tail -1 /etc/followup/followup.yaml | grep -qx '# edited by the admin' || fail "the admin's edit of followup.yaml was lost"
[ -f /etc/followup/unconfigured ] || fail "the marker went away on reinstall"

echo "-- dpkg -r keeps the data and the config"
dpkg -r followup
[ ! -e /usr/bin/followup ] && [ ! -e "$unit" ] || fail "remove left the binary or the unit"
[ -f /var/lib/followup/followup.db ] || fail "remove deleted the database"
[ -f /etc/followup/followup.yaml ] || fail "remove deleted the config"

echo "-- dpkg -P deletes what it says, and only that"
mkdir -p /var/tmp/followup-keep && echo keep >/var/tmp/followup-keep/backup.db && chown followup /var/tmp/followup-keep/backup.db
dpkg -P followup
for p in /var/lib/followup /var/cache/followup /etc/followup /etc/systemd/system/multi-user.target.wants/followup.service /etc/systemd/system/followup.service; do
	[ ! -e "$p" ] && [ ! -L "$p" ] || fail "purge left $p"
done
getent passwd followup >/dev/null || fail "purge deleted the followup user, which it says it keeps"
[ -f /var/tmp/followup-keep/backup.db ] || fail "purge deleted a file outside what it names"
rm -rf /var/tmp/followup-keep
echo "check-deb: OK"
