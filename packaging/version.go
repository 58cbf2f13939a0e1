package main

import (
	"fmt"
	"regexp"
	"strings"
)

// describe is what packaging/version.sh prints: a git describe of a v* tag
// without its v (1.2.0, 1.2.0-rc1, 1.2.0-3-gHASH), 0.0.0-N-gHASH before
// the first tag, 0.0.0-unknown outside git; -dirty at the end for
// uncommitted changes.
var describe = regexp.MustCompile(`^([0-9]+\.[0-9]+\.[0-9]+)(?:-([0-9A-Za-z.]+))?(?:-([0-9]+)-g([0-9a-f]+))?(-dirty)?$`)

// DebianVersion turns it into a version dpkg orders as the releases go: a
// pre-release sorts before its release (1.2.0~rc1 < 1.2.0), commits after
// a tag after it and before the next (1.2.0 < 1.2.0+3.gHASH < 1.2.1).
func DebianVersion(v string) (string, error) {
	m := describe.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("version %q: expected 1.2.3, 1.2.3-rc1 or 1.2.3-N-gHASH (packaging/version.sh)", v)
	}
	if m[2] == "dirty" && m[3] == "" && m[5] == "" {
		// 1.2.0-dirty: the tag itself, with changes, not a pre-release.
		m[2], m[5] = "", "-dirty"
	}
	var b strings.Builder
	b.WriteString(m[1])
	if m[2] != "" {
		b.WriteString("~" + m[2])
	}
	var local []string
	if m[3] != "" {
		local = append(local, m[3], "g"+m[4])
	}
	if m[5] != "" {
		local = append(local, "dirty")
	}
	if len(local) > 0 {
		b.WriteString("+" + strings.Join(local, "."))
	}
	return b.String(), nil
}
