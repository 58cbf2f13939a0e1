package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDebianVersion(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1.2.0", "1.2.0"},
		{"1.2.0-rc1", "1.2.0~rc1"},
		{"1.2.0-3-gabc1234", "1.2.0+3.gabc1234"},
		{"1.2.0-rc1-3-gabc1234", "1.2.0~rc1+3.gabc1234"},
		{"1.2.0-3-gabc1234-dirty", "1.2.0+3.gabc1234.dirty"},
		{"1.2.0-dirty", "1.2.0+dirty"},
		{"0.0.0-247-g6ccad1f4b2b1", "0.0.0+247.g6ccad1f4b2b1"},
		{"0.0.0-unknown", "0.0.0~unknown"},
	} {
		got, err := DebianVersion(c.in)
		if err != nil || got != c.want {
			t.Errorf("DebianVersion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "v1.2.0", "1.2", "abc1234", "1.2.0-3-gXYZ", "1.2.0 ", "1.2.0-a_b"} {
		if got, err := DebianVersion(bad); err == nil {
			t.Errorf("DebianVersion(%q) = %q, want an error", bad, got)
		}
	}
	// dpkg's own order, when it is here.
	if _, err := exec.LookPath("dpkg"); err == nil {
		order := []string{"0.0.0~unknown", "0.0.0+247.g6ccad1f4b2b1", "0.0.0+248.g0000000", "1.2.0~rc1", "1.2.0~rc1+3.gabc1234",
			"1.2.0", "1.2.0+3.gabc1234", "1.2.0+3.gabc1234.dirty", "1.2.1"}
		for i := 1; i < len(order); i++ {
			if err := exec.Command("dpkg", "--compare-versions", order[i-1], "lt", order[i]).Run(); err != nil {
				t.Errorf("dpkg does not order %s before %s", order[i-1], order[i])
			}
		}
	}
}

func TestPackageConfig(t *testing.T) {
	example, err := os.ReadFile("../examples/lao-opsc/followup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := PackageConfig(example)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"\ndatabase: /var/lib/followup/followup.db\n", "\ndocuments: [/usr/share/followup/sample-co.txt]\n",
		"\n  dir: /var/lib/followup/mail\n", "\n  secret_file: /var/lib/followup/followup-web.key\n", "\n  #   cache_dir: /var/lib/followup/acme\n",
		"rm /etc/followup/unconfigured && systemctl start followup"} {
		if !strings.Contains(s, want) {
			t.Errorf("the package's config lacks %q", want)
		}
	}
	// Everything else is the example's, comments included.
	if !strings.Contains(s, "# The time zone in which dates and times are meant") || len(out) < len(example) {
		t.Error("the example's comments are not all there")
	}
	// An example the edits no longer fit fails the build.
	changed := strings.Replace(string(example), "database: followup.db", "database: data/followup.db", 1)
	if _, err := PackageConfig([]byte(changed)); err == nil || !strings.Contains(err.Error(), `"\ndatabase: followup.db\n" once, found it 0 times`) {
		t.Errorf("changed example: %v", err)
	}
}

func TestPackageUnit(t *testing.T) {
	unit, err := os.ReadFile("../contrib/followup.service")
	if err != nil {
		t.Fatal(err)
	}
	out, err := PackageUnit(unit)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"\nConditionPathExists=!/etc/followup/unconfigured\n",
		"\nExecStart=/usr/bin/followup run --config /etc/followup/followup.yaml\n", "\nReadWritePaths=/var/lib/followup\n",
		"\nUser=followup\n", "\nWantedBy=multi-user.target\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("the package's unit lacks %q", strings.TrimSpace(want))
		}
	}
	if strings.Contains(s, "/usr/local") || strings.Contains(s, "useradd") {
		t.Errorf("the package's unit still has the hand install's paths or steps:\n%s", s)
	}
}

// TestPackage builds a package around a binary of this machine (/bin/true
// links glibc as followup does) and reads it back with dpkg-deb: the
// files, their modes and owners, the conffile, the scripts, the fields.
func TestPackage(t *testing.T) {
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dpkg-deb not found (Debian package dpkg)")
		}
		t.Skip("dpkg-deb not found (Debian package dpkg)")
	}
	out := t.TempDir()
	path, err := build(options{root: "..", binary: "/bin/true", arch: "amd64", version: "1.2.0-3-gabc1234", out: out,
		maintainer: "Test <t@example.org>", mtime: time.Unix(1790000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "followup_1.2.0+3.gabc1234_amd64.deb" {
		t.Errorf("package named %s", filepath.Base(path))
	}
	info, err := exec.Command(dpkgDeb, "--info", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb --info: %v\n%s", err, info)
	}
	for _, want := range []string{"Package: followup\n", "Version: 1.2.0+3.gabc1234\n", "Architecture: amd64\n", "Depends: libc6 (>= 2.",
		"Maintainer: Test <t@example.org>\n", " postinst", " postrm", " preinst", " prerm", " conffiles"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", want, info)
		}
	}
	conf, err := exec.Command(dpkgDeb, "--ctrl-tarfile", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "/etc/followup/followup.yaml") {
		t.Error("followup.yaml is not a conffile")
	}
	contents, err := exec.Command(dpkgDeb, "--contents", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb --contents: %v\n%s", err, contents)
	}
	lines := map[string]string{} // path -> mode and owner
	for _, l := range strings.Split(strings.TrimSpace(string(contents)), "\n") {
		f := strings.Fields(l)
		if len(f) >= 6 {
			lines[strings.TrimSuffix(strings.TrimPrefix(f[len(f)-1], "."), "/")] = f[0] + " " + f[1]
		}
	}
	for p, want := range map[string]string{
		"/usr/bin/followup":                        "-rwxr-xr-x root/root",
		"/etc/followup":                            "drwxr-x--- root/root",
		"/etc/followup/followup.yaml":              "-rw-r----- root/root",
		"/usr/lib/systemd/system/followup.service": "-rw-r--r-- root/root",
		"/usr/share/followup/sample-co.txt":        "-rw-r--r-- root/root",
		"/usr/share/doc/followup/README.md":        "-rw-r--r-- root/root",
	} {
		if got := lines[p]; got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	for p := range lines {
		if strings.HasPrefix(p, "/var/lib") {
			t.Errorf("the package holds %s: /var/lib/followup is made by postinst so that remove keeps it", p)
		}
	}
}
