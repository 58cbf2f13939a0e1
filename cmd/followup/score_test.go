package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-app/followup/internal/needs"
)

// TestScoreImportCorpus runs the team's scorer, ../shared/tools/
// score_import.py --strict, on every document of the shared corpus, from
// its text and from its PDF: each must be exact (recall and precision 1.0),
// and pass its own self-check (no warning) unless the document itself is
// at fault.
func TestScoreImportCorpus(t *testing.T) {
	shared := needs.Shared(t)
	python := needs.Program(t, "Python 3", "python3", "python3")
	bin := binary(t)
	// A document the self-check warns about because of its own text, with
	// the warning it gives.
	faults := map[string]string{
		// Item "(c)" of concern paragraph 54 is printed "€(c)".
		"CRPD_C_MEX_CO_2-3": "item (d) of paragraph 54 follows (b): no item (c) was found",
	}
	for _, tc := range []struct{ symbol, file string }{
		{"CRC/C/OPSC/LAO/CO/1", "seeds/000_184c6d66c37e6cc3.txt"},
		{"CERD/C/URY/CO/21-23", "corpus/CERD_C_URY_CO_21-23.txt"},
		{"CERD/C/URY/CO/21-23", "corpus/CERD_C_URY_CO_21-23.docx"},
		{"A/HRC/14/15", "corpus/A_HRC_14_15.txt"},
		{"A/HRC/28/15", "corpus/A_HRC_28_15.txt"},
		{"A/HRC/28/15", "corpus/A_HRC_28_15.pdf"},
		{"A/HRC/43/15", "corpus/A_HRC_43_15.txt"},
		{"A/HRC/43/15", "corpus/A_HRC_43_15.pdf"},
		{"A/HRC/59/15", "corpus/A_HRC_59_15.txt"},
		{"A/HRC/59/15", "corpus/A_HRC_59_15.pdf"},
		{"CRPD/C/DNK/CO/1", "corpus/CRPD_C_DNK_CO_1.txt"},
		{"CRPD/C/DNK/CO/1", "corpus/CRPD_C_DNK_CO_1.pdf"},
		{"CRPD/C/ECU/CO/2-3", "corpus/CRPD_C_ECU_CO_2-3.txt"},
		{"CRPD/C/ECU/CO/2-3", "corpus/CRPD_C_ECU_CO_2-3.pdf"},
		{"CRPD/C/MEX/CO/2-3", "corpus/CRPD_C_MEX_CO_2-3.txt"},
		{"CRPD/C/MEX/CO/2-3", "corpus/CRPD_C_MEX_CO_2-3.pdf"},
		{"CRPD/C/SLV/CO/2-3", "corpus/CRPD_C_SLV_CO_2-3.txt"},
		{"CRPD/C/SLV/CO/2-3", "corpus/CRPD_C_SLV_CO_2-3.pdf"},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			path := filepath.Join(shared, tc.file)
			cmd := exec.Command(python, filepath.Join(shared, "tools", "score_import.py"), bin,
				filepath.Join(shared, "corpus", "expected.json"), tc.symbol, path, "--strict")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("score_import.py --strict: %v\n%s", err, out)
			}
			t.Logf("%s", strings.TrimSpace(string(out)))

			warnings, err := exec.Command(bin, "import", "--dry-run", path).CombinedOutput()
			if err != nil {
				t.Fatalf("import --dry-run: %v\n%s", err, warnings)
			}
			fault := faults[strings.TrimSuffix(filepath.Base(tc.file), filepath.Ext(tc.file))]
			for _, l := range strings.Split(string(warnings), "\n") {
				if strings.HasPrefix(l, "  warning: ") && (fault == "" || !strings.HasSuffix(l, fault)) {
					t.Errorf("%s", l)
				}
			}
		})
	}
	// The addenda, read with their reports: every position checked
	// against the report and against the totals the addendum states.
	for _, tc := range []struct{ report, addendum, want string }{
		{"A_HRC_28_15", "A_HRC_28_15_Add.1", "positions on A/HRC/28/15: 163 (142 supported, 21 noted), no warnings"},
		{"A_HRC_43_15", "A_HRC_43_15_Add.1", "positions on A/HRC/43/15: 157 (124 supported, 33 noted), no warnings"},
		{"A_HRC_59_15", "A_HRC_59_15_Add.1", "positions on A/HRC/59/15: 254 (217 supported, 37 noted), no warnings"},
	} {
		for _, ext := range []string{".txt", ".pdf"} {
			t.Run(tc.addendum+ext, func(t *testing.T) {
				out, err := exec.Command(bin, "import", "--dry-run", "--strict", filepath.Join(shared, "corpus", tc.report+ext),
					filepath.Join(shared, "corpus", tc.addendum+ext)).CombinedOutput()
				if err != nil || !strings.Contains(string(out), tc.want) {
					t.Errorf("import --dry-run --strict: %v\n%s", err, out)
				}
			})
		}
	}
}
