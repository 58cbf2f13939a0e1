package main

import (
	"bytes"
	"fmt"
)

// edit is one change to a file of the repository made for the package:
// old must occur exactly once, so that a change to the file that the
// package's edit no longer fits fails the build instead of shipping the
// wrong path.
type edit struct{ old, new string }

func apply(data []byte, edits []edit) ([]byte, error) {
	for _, e := range edits {
		if n := bytes.Count(data, []byte(e.old)); n != 1 {
			return nil, fmt.Errorf("the package expects %q once, found it %d times: update packaging/edit.go", e.old, n)
		}
		data = bytes.Replace(data, []byte(e.old), []byte(e.new), 1)
	}
	return data, nil
}

// Where the package puts what the example keeps beside its config: the
// daemon may write only under /var/lib/followup (the unit's
// ReadWritePaths), and /etc is the config's.
const (
	dataDir    = "/var/lib/followup"
	sampleDoc  = "/usr/share/followup/sample-co.txt"
	markerFile = "/etc/followup/unconfigured"
)

const configHeader = `# Installed by followup's Debian package as /etc/followup/followup.yaml.
# The service is enabled but does not start while ` + markerFile + `
# exists: edit this file (it describes Lao PDR's example: put your own
# bodies, documents and mail server in), check it with
#   followup config check /etc/followup/followup.yaml
# then: rm ` + markerFile + ` && systemctl start followup
# dpkg keeps your edits on upgrade. Data lives in ` + dataDir + `.
#
`

// PackageConfig is the example config with the package's paths: the
// database, mail files, the links' key and ACME's certificates under
// /var/lib/followup, the example document where the package installs it.
func PackageConfig(example []byte) ([]byte, error) {
	out, err := apply(example, []edit{
		{"\ndatabase: followup.db\n", "\ndatabase: " + dataDir + "/followup.db\n"},
		{"sample-co.txt is a\n# small example document that sits next to this file.\ndocuments: [sample-co.txt]\n",
			"sample-co.txt is a\n# small example document installed with followup: list your own instead.\ndocuments: [" + sampleDoc + "]\n"},
		{"\n  dir: mail\n", "\n  dir: " + dataDir + "/mail\n"},
		{"\n  secret_file: followup-web.key\n", "\n  secret_file: " + dataDir + "/followup-web.key\n"},
		{"\n  #   cache_dir: acme\n", "\n  #   cache_dir: " + dataDir + "/acme\n"},
	})
	if err != nil {
		return nil, err
	}
	return append([]byte(configHeader), out...), nil
}

const unitHeader = `# followup's daemon, as its Debian package installs it. Enabled at
# install, it starts only once ` + markerFile + ` is removed, after
# the admin has edited /etc/followup/followup.yaml (docs: install.md in
# /usr/share/doc/followup). Logs: journalctl -u followup.
# Reload the config: systemctl reload followup. Local changes: systemctl
# edit followup (a drop-in, kept on upgrade).

`

// PackageUnit is contrib/followup.service with the package's paths and
// the condition that holds it until the admin has set followup up.
func PackageUnit(unit []byte) ([]byte, error) {
	i := bytes.Index(unit, []byte("\n[Unit]\n"))
	if i < 0 {
		return nil, fmt.Errorf("no [Unit] section")
	}
	// The contrib unit's header says how to install it by hand.
	out := append([]byte(unitHeader), unit[i+1:]...)
	return apply(out, []edit{
		{"Documentation=file:///usr/local/share/doc/followup/README.md\n",
			"Documentation=file:///usr/share/doc/followup/install.md file:///usr/share/doc/followup/README.md\n"},
		{"After=network-online.target\n", "After=network-online.target\nConditionPathExists=!" + markerFile + "\n"},
		{"ExecStart=/usr/local/bin/followup run", "ExecStart=/usr/bin/followup run"},
	})
}
