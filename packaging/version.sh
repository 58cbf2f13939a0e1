#!/bin/sh
# The version make release stamps into followup and its packages:
#   v1.2.0 tagged on this commit       1.2.0
#   3 commits after the tag v1.2.0     1.2.0-3-gHASH
#   no v* tag yet                      0.0.0-N-gHASH (N commits: it grows)
# with -dirty when tracked files have uncommitted changes. Outside git
# (a source tarball) it says 0.0.0-unknown: give make VERSION= and COMMIT=.
set -eu
if d=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
	echo "${d#v}"
	exit 0
fi
if h=$(git rev-parse --short=12 HEAD 2>/dev/null); then
	n=$(git rev-list --count HEAD)
	dirty=
	git diff --quiet HEAD -- 2>/dev/null || dirty=-dirty
	echo "0.0.0-$n-g$h$dirty"
	exit 0
fi
echo 0.0.0-unknown
