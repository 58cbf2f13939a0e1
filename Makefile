# Release builds (docs/install.md). `make release` writes into dist/:
#   followup-linux-amd64, followup-linux-arm64     the binaries (cgo)
#   followup_VERSION_amd64.deb, ..._arm64.deb      the Debian packages
#   SHA256SUMS                                     of the four
# The arm64 binary is cross-compiled with Debian's gcc-aarch64-linux-gnu.
# Outside git, give VERSION= and COMMIT= (packaging/version.sh says how
# the version is made).

GO ?= go
VERSION ?= $(shell sh packaging/version.sh)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# The packages' file times: the commit's, so that a rebuild of the same
# commit gives the same files.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
DEB_MAINTAINER ?= followup maintainers <followup@example.org>
CC_arm64 ?= aarch64-linux-gnu-gcc
CC_amd64 ?= $(if $(filter x86_64,$(shell uname -m)),gcc,x86_64-linux-gnu-gcc)

# -trimpath and no VCS stamp of Go's own: the binary says what make says,
# wherever it was built. -s -w leave out the symbol table and DWARF (a
# panic still prints its stack).
LDFLAGS = -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOBUILD = CGO_ENABLED=1 GOOS=linux $(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)'

ARCHES = amd64 arm64

.PHONY: release binaries debs clean FORCE
release: binaries debs
	cd dist && sha256sum followup-linux-* followup_*.deb > SHA256SUMS
	@cat dist/SHA256SUMS

binaries: $(ARCHES:%=dist/followup-linux-%)

# FORCE: go build decides what is up to date (its cache), not make.
dist/followup-linux-%: FORCE
	@mkdir -p dist
	@command -v $(CC_$*) >/dev/null || { echo "make: $(CC_$*) not found: apt-get install gcc-$(if $(filter arm64,$*),aarch64,x86-64)-linux-gnu" >&2; exit 1; }
	CC=$(CC_$*) GOARCH=$* $(GOBUILD) -o $@ ./cmd/followup

debs: binaries
	rm -f dist/followup_*.deb
	for a in $(ARCHES); do \
		$(GO) -C packaging run . --root "$(CURDIR)" --out "$(CURDIR)/dist" --arch $$a \
			--binary "$(CURDIR)/dist/followup-linux-$$a" --version "$(VERSION)" \
			--mtime "$(SOURCE_DATE_EPOCH)" --maintainer "$(DEB_MAINTAINER)" || exit 1; \
	done

clean:
	rm -rf dist
