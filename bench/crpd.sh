#!/usr/bin/env bash
# The importer on a corpus nobody here wrote: the CRPD's concluding
# observations collected in github.com/LinusConradM/test_crpd_dashboard
# (commit 622410c, data/pdfs/*_CO_*.pdf: 143 PDFs in English, French,
# Spanish and Arabic, and four follow-up replies). Every document is read
# as `followup import --dry-run` reads it (nothing is written) and the
# table says, for each, its symbol, language and recommendations with the
# self-check's warnings, or why it was refused. BENCHMARKS.md keeps the
# table ("The CRPD collection").
#
#   bench/crpd.sh FOLDER          the collection's data/pdfs folder
#   CRPD_PDFS=FOLDER bench/crpd.sh
#   bench/crpd.sh -v FOLDER       each warning under its document
#
# The collection is not part of the repository (fetch it, do not commit
# it); without it the script says so and exits 0. Needs Go only: the
# importer reads PDFs in-process.
set -euo pipefail
cd "$(dirname "$0")/.."

verbose=
if [ "${1:-}" = "-v" ]; then
	verbose=-v
	shift
fi
dir=${1:-${CRPD_PDFS:-}}
if [ -z "$dir" ] || ! ls "$dir"/*_CO_*.pdf >/dev/null 2>&1; then
	echo "bench/crpd.sh: skipped: no CRPD collection (give the folder of *_CO_*.pdf files, e.g. test_crpd_dashboard/data/pdfs, as argument or in CRPD_PDFS)" >&2
	exit 0
fi
go run ./bench/crpd $verbose "$dir"
