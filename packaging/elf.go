package main

import (
	"debug/elf"
	"fmt"
	"strconv"
	"strings"
)

// LibcDependency is the Depends entry the binary needs, worked out as
// dpkg-shlibdeps would: cgo links followup against glibc only (SQLite is
// compiled in), and the newest GLIBC_x.y symbol version it uses is the
// oldest libc6 that runs it. A library other than glibc's fails the
// build: the package would not say it needs it.
func LibcDependency(binary string) (string, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	libs, err := f.ImportedLibraries()
	if err != nil {
		return "", err
	}
	for _, l := range libs {
		switch l {
		case "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
			"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1":
		default:
			return "", fmt.Errorf("linked against %s, which the package does not depend on", l)
		}
	}
	syms, err := f.ImportedSymbols()
	if err != nil {
		return "", err
	}
	var newest [2]int
	for _, s := range syms {
		v, ok := strings.CutPrefix(s.Version, "GLIBC_")
		if !ok {
			continue
		}
		major, minor, _ := strings.Cut(v, ".")
		minor, _, _ = strings.Cut(minor, ".")
		a, err1 := strconv.Atoi(major)
		b, err2 := strconv.Atoi(minor)
		if err1 != nil || err2 != nil {
			continue
		}
		if a > newest[0] || (a == newest[0] && b > newest[1]) {
			newest = [2]int{a, b}
		}
	}
	if newest[0] == 0 {
		return "", fmt.Errorf("no GLIBC_ symbol versions: not a cgo build for glibc")
	}
	return fmt.Sprintf("libc6 (>= %d.%d)", newest[0], newest[1]), nil
}
