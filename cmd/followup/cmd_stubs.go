package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

func cmdVersion(ctx context.Context, env *environment, args []string) error {
	fs, _ := newFlags(env, "version", "")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(env.stdout, "followup", versionString(version, commit, bi))
	return nil
}

// version and commit are set by release builds (make release: go build
// -ldflags "-X main.version=1.2.3 -X main.commit=<hash>"), which know
// them from git even where Go records no VCS information (-buildvcs=false,
// or a build from a source tarball given VERSION and COMMIT); otherwise
// they come from the build information Go records.
var (
	version = ""
	commit  = ""
)

// versionString says which code a binary was built from: the module version
// (a release tag, or Go's pseudo-version from the commit), the VCS revision
// and time, and "modified" when the work tree had uncommitted changes. A
// binary built without that information (go run, go test, -buildvcs=false)
// says "(devel)" rather than pretend.
func versionString(set, setCommit string, bi *debug.BuildInfo) string {
	v := set
	if v == "" && bi != nil {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev == "" {
		rev = setCommit
	}
	var extra []string
	if rev != "" {
		extra = append(extra, "revision "+rev)
	}
	if at != "" {
		extra = append(extra, at)
	}
	if modified {
		extra = append(extra, "modified")
	}
	if bi != nil && bi.GoVersion != "" {
		extra = append(extra, bi.GoVersion)
	}
	if len(extra) > 0 {
		v += " (" + strings.Join(extra, ", ") + ")"
	}
	return v
}
