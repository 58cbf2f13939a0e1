// Command mkdeb builds followup's Debian package for one architecture from
// a release binary, with nfpm used as a library (make release runs it; see
// docs/install.md). The package installs:
//
//	/usr/bin/followup                      the binary
//	/etc/followup/followup.yaml            the commented example, with the
//	                                       package's paths (a conffile)
//	/usr/lib/systemd/system/followup.service
//	                                       contrib/followup.service with the
//	                                       package's paths, enabled, held by
//	                                       /etc/followup/unconfigured
//	/usr/share/followup/sample-co.txt      the example's document
//	/usr/share/doc/followup/               README and the admin's docs
//
// and its maintainer scripts (scripts/) add the followup user and
// /var/lib/followup. It is a module of its own so that nfpm and what it
// brings (rpm, apk, signing) stay out of the daemon's dependencies.
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
}

type options struct {
	root, binary, arch, version, out, maintainer string
	mtime                                        time.Time
}

func run(args []string) error {
	fs := flag.NewFlagSet("mkdeb", flag.ContinueOnError)
	var o options
	var epoch string
	fs.StringVar(&o.root, "root", "..", "the repository's top folder")
	fs.StringVar(&o.binary, "binary", "", "the followup binary to package (required)")
	fs.StringVar(&o.arch, "arch", "", "Debian architecture: amd64 or arm64 (required)")
	fs.StringVar(&o.version, "version", "", "the version make release stamped (packaging/version.sh)")
	fs.StringVar(&o.out, "out", "../dist", "the folder the .deb is written to")
	fs.StringVar(&o.maintainer, "maintainer", "followup maintainers <followup@example.org>", "the package's Maintainer field")
	fs.StringVar(&epoch, "mtime", "", "Unix time of the files in the package (SOURCE_DATE_EPOCH); default now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.binary == "" || o.version == "" || (o.arch != "amd64" && o.arch != "arm64") {
		return fmt.Errorf("give --binary, --version and --arch amd64|arm64")
	}
	o.mtime = time.Now()
	if epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return fmt.Errorf("--mtime %q: %w", epoch, err)
		}
		o.mtime = time.Unix(sec, 0)
	}
	path, err := build(o)
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}

// build writes the package and returns its path.
func build(o options) (string, error) {
	debVersion, err := DebianVersion(o.version)
	if err != nil {
		return "", err
	}
	libc, err := LibcDependency(o.binary)
	if err != nil {
		return "", fmt.Errorf("%s: %w", o.binary, err)
	}
	staging, err := os.MkdirTemp("", "mkdeb-")
	if err != nil {
		return "", err
	}
	// A temporary folder left behind holds copies of files of the
	// repository, nothing else.
	defer func() { _ = os.RemoveAll(staging) }()
	stage := func(name string, data []byte, mode os.FileMode) (string, error) {
		p := filepath.Join(staging, name)
		return p, os.WriteFile(p, data, mode)
	}

	example, err := os.ReadFile(filepath.Join(o.root, "examples/lao-opsc/followup.yaml"))
	if err != nil {
		return "", err
	}
	cfg, err := PackageConfig(example)
	if err != nil {
		return "", fmt.Errorf("examples/lao-opsc/followup.yaml: %w", err)
	}
	unit, err := os.ReadFile(filepath.Join(o.root, "contrib/followup.service"))
	if err != nil {
		return "", err
	}
	pkgUnit, err := PackageUnit(unit)
	if err != nil {
		return "", fmt.Errorf("contrib/followup.service: %w", err)
	}
	cfgPath, err := stage("followup.yaml", cfg, 0o640)
	if err != nil {
		return "", err
	}
	unitPath, err := stage("followup.service", pkgUnit, 0o644)
	if err != nil {
		return "", err
	}
	scripts := map[string]string{}
	for _, name := range []string{"preinst", "postinst", "prerm", "postrm"} {
		if scripts[name], err = stage(name, scriptFiles[name], 0o755); err != nil {
			return "", err
		}
	}

	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, FileInfo: &files.ContentFileInfo{Mode: mode}}
	}
	contents := files.Contents{
		file(o.binary, "/usr/bin/followup", 0o755),
		{Destination: "/etc/followup", Type: files.TypeDir, FileInfo: &files.ContentFileInfo{Mode: 0o750}},
		{Source: cfgPath, Destination: "/etc/followup/followup.yaml", Type: files.TypeConfigNoReplace,
			FileInfo: &files.ContentFileInfo{Mode: 0o640}},
		file(unitPath, "/usr/lib/systemd/system/followup.service", 0o644),
		file(filepath.Join(o.root, "examples/lao-opsc/sample-co.txt"), "/usr/share/followup/sample-co.txt", 0o644),
		file(filepath.Join(o.root, "README.md"), "/usr/share/doc/followup/README.md", 0o644),
	}
	for _, doc := range []string{"install.md", "upgrades.md", "https.md", "mail.md"} {
		p := filepath.Join(o.root, "docs", doc)
		if _, err := os.Stat(p); err == nil {
			contents = append(contents, file(p, "/usr/share/doc/followup/"+doc, 0o644))
		}
	}

	info := &nfpm.Info{
		Name:          "followup",
		Arch:          o.arch,
		Platform:      "linux",
		Version:       debVersion,
		VersionSchema: "none", // DebianVersion made it already
		Section:       "mail",
		Priority:      "optional",
		Maintainer:    o.maintainer,
		Description: "follow-up of UN human-rights recommendations\n" +
			"followup imports concluding observations and UPR reports, holds each\n" +
			"recommendation as a task owned by a ministry, e-mails reminders and\n" +
			"digests, and serves the pages behind the links in its e-mails.",
		MTime: o.mtime,
		Overridables: nfpm.Overridables{
			Depends:  []string{libc},
			Contents: contents,
			Scripts: nfpm.Scripts{PreInstall: scripts["preinst"], PostInstall: scripts["postinst"],
				PreRemove: scripts["prerm"], PostRemove: scripts["postrm"]},
			Deb: nfpm.Deb{Compression: "xz"},
		},
	}
	info = nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := deb.Default.Package(info, &buf); err != nil {
		return "", fmt.Errorf("package: %w", err)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(o.out, deb.Default.ConventionalFileName(info))
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// The maintainer scripts, embedded so that the program needs only the
// repository's example config and unit besides.
var (
	//go:embed scripts/preinst
	preinst []byte
	//go:embed scripts/postinst
	postinst []byte
	//go:embed scripts/prerm
	prerm []byte
	//go:embed scripts/postrm
	postrm []byte

	scriptFiles = map[string][]byte{"preinst": preinst, "postinst": postinst, "prerm": prerm, "postrm": postrm}
)
