package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/ingest"
)

// The UHRI export's columns, in its order and spelling.
var uhriHeader = []string{"Text", "Countries Concerned", "Reccomending Body", "Document Symbol", "Themes", "Affected Persons", "Sdgs",
	"Document Publication Date", "UPR Reccomending States", "UPR Position", "Type", "OHCHR Annotation Id",
	"UPR Session", "Regions Concerned", "Recommending Regions", "Date of publication on UHRI"}

// uhriRow is one row: text, body, symbol, themes, persons, SDGs, States,
// position, type, annotation id (the other columns as the export has
// them).
func uhriRow(text, country, body, symbol, themes, persons, sdgs, states, position, typ, id string) []string {
	return []string{text, "- " + country, "- " + body, symbol, themes, persons, sdgs, "46078", states, position, "- " + typ, id, "", "", "", "46125.5"}
}

// fixtureExport is an export about the fixture's concluding observations
// (CRC/C/MNG/CO/5-6, imported from its text: paragraph 4 split into items
// a to c) and two documents not imported: a UPR report and a special
// rapporteur's visit.
func fixtureExport() [][]string {
	return [][]string{
		uhriRow("Legislation 3.The Committee is concerned that violence against children persists.", "Mongolia", "CRC", "CRC/C/MNG/CO/5-6",
			"- Violence against children", "- Children", "", "", "", "Concerns/Observations", "c-3"),
		uhriRow("Legislation 4.The Committee recommends that the State party amend the Child Protection Law and allocate resources.", "Mongolia", "CRC", "CRC/C/MNG/CO/5-6",
			"- Violence against children\n- Legislation", "- Children", "- 16.2 - End abuse, exploitation, trafficking and all forms of violence against and torture of children", "", "", "Recommendations", "r-4"),
		uhriRow("Birth registration 6.The Committee urges the State party to ensure free and universal birth registration.", "Mongolia", "CRC", "CRC/C/MNG/CO/5-6",
			"- Birth registration & right to a name and nationality", "- Children", "- 16.9 - Provide legal identity for all", "", "", "Recommendations", "r-6"),
		uhriRow("Positive aspects 7.The Committee welcomes the ratification of the Minimum Age Convention.", "Mongolia", "CRC", "CRC/C/MNG/CO/5-6",
			"- Labour rights", "", "", "", "", "Positive aspects", "p-7"),
		uhriRow("122.17 Ratify the International Convention on the Protection of the Rights of All Migrant Workers (Algeria)", "Slovenia", "UPR", "A/HRC/43/15",
			"- Migrants", "- Migrants", "- 10.7 - Facilitate migration", "- Algeria", "- Noted", "Recommendations", "u-122-17"),
		uhriRow("Recommendations to the Government 87.The Special Rapporteur recommends that the Government end immigration detention of children.",
			"Mongolia", "SR on the human rights of migrants", "A/HRC/44/42/Add.1", "- Migrants\n- Detention", "- Children\n- Migrants", "", "", "", "Recommendations", "s-87"),
	}
}

func writeExport(t *testing.T, c *cli, name string, rows [][]string) string {
	t.Helper()
	return c.write(name, exportCSV(t, rows))
}

// exportCSV is an export of rows as .csv.
func exportCSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(uhriHeader); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The coordinating body imports the fixture's concluding observations
// from their text, then a UHRI export about them and two other documents:
// the text's recommendations get the export's tags (paragraph 4 whole to
// each of its items) and no second task; the other documents' come with
// theirs; the lists filter by them; a second import changes nothing.
func TestImportUHRIMergesAndFilters(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--db", db, fixtureCO)
	export := writeExport(t, c, "export.csv", fixtureExport())

	out := c.mustRun("import", "--db", db, export)
	for _, want := range []string{
		"CRC/C/MNG/CO/5-6: the export's tags added to 4 recommendations already imported (3 of them items of a paragraph the UHRI annotates whole), no warnings\n",
		// No report of the config takes the UPR report, and the UHRI
		// gives no date for the next one: said, not silent.
		"A/HRC/43/15: imported 1 recommendations from " + export + ", 1 warning\n",
		"A/HRC/43/15: warning: no report of the config takes this UPR document on Slovenia, and it gives no date for the next report: " +
			"its tasks have only their stages' deadlines; add A/HRC/43/15 to a report's documents (reports: in the config)\n",
		"A/HRC/44/42/Add.1: imported 1 recommendations from " + export + ", 1 warning\n",
		"A/HRC/44/42/Add.1: warning: a special procedure's document that no report of the config takes",
		export + ": UHRI export (csv): 6 rows\n",
		"  4 recommendations in 3 documents (1 concluding-observations, 1 upr-report, 1 special-procedures)\n",
		"  1 concern row: 1 kept as context of the recommendation that follows them, 0 counted and skipped",
		"  1 row of other types skipped (Positive aspects: 1)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output has no %q:\n%s", want, out)
		}
	}
	tasks := func(args ...string) []string {
		t.Helper()
		var list []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(c.mustRun(append([]string{"tasks", "--db", db, "--json"}, args...)...)), &list); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if all := tasks(); len(all) != 9 {
		t.Fatalf("%d tasks, want the text's 7 and the 2 new documents' (no second task for a merged one): %v", len(all), all)
	}
	show := c.mustRun("recs", "show", "--db", db, "CRC/C/MNG/CO/5-6:4b")
	for _, want := range []string{"Themes:     Violence against children; Legislation\n", "Affected persons: Children\n", "SDG targets: 16.2\n",
		"Adopt regulations that"} {
		if !strings.Contains(show, want) {
			t.Errorf("recs show 4b has no %q:\n%s", want, show)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--theme", "violence AGAINST children"}, "CRC/C/MNG/CO/5-6:4a CRC/C/MNG/CO/5-6:4b CRC/C/MNG/CO/5-6:4c"},
		{[]string{"--sdg", "16"}, "CRC/C/MNG/CO/5-6:4a CRC/C/MNG/CO/5-6:4b CRC/C/MNG/CO/5-6:4c CRC/C/MNG/CO/5-6:6"},
		{[]string{"--sdg", "16.9"}, "CRC/C/MNG/CO/5-6:6"},
		{[]string{"--person", "migrants"}, "A/HRC/43/15:122.17 A/HRC/44/42/Add.1:87"},
		{[]string{"--person", "Children", "--theme", "Migrants"}, "A/HRC/44/42/Add.1:87"},
		{[]string{"--person", "Children", "--doc", "A/HRC/43/15"}, ""},
	} {
		if got := strings.Join(tasks(c.args...), " "); got != c.want {
			t.Errorf("tasks %q: %q, want %q", c.args, got, c.want)
		}
	}
	if out := c.mustRun("recs", "list", "--db", db, "--theme", "Birth registration & right to a name and nationality"); !strings.Contains(out, "CRC/C/MNG/CO/5-6:6 ") ||
		strings.Count(out, "\n") != 2 {
		t.Errorf("recs list --theme:\n%s", out)
	}
	tags := c.mustRun("recs", "tags", "--db", db)
	if words := strings.Join(strings.Fields(tags), " "); !strings.Contains(words, "--theme Violence against children 3 0 --person Children 5 0") ||
		!strings.Contains(words, "--sdg 16.2 3 0") {
		t.Errorf("recs tags:\n%s", tags)
	}

	// Bad filter values: what the admin sees, exit 2.
	for _, c2 := range []struct {
		args []string
		want string
	}{
		{[]string{"tasks", "--theme", "violence"}, `followup tasks: --theme: no recommendation has the theme "violence"; did you mean "Violence against children"?`},
		{[]string{"tasks", "--sdg", "18"}, `followup tasks: --sdg: "18" is not an SDG goal or target; write its number: a goal from 1 to 17 (16) or a target (16.2, 4.a)`},
		{[]string{"recs", "list", "--person", "Elders"}, `followup recs: --person: no recommendation has the group of affected persons "Elders" (followup recs tags lists the tags in use)`},
	} {
		_, errs, code := c.run(append(c2.args, "--db", db)...)
		if code != 2 || !strings.HasPrefix(errs, c2.want+"\n") {
			t.Errorf("%q: exit %d, stderr %q; want %q", c2.args, code, errs, c2.want)
		}
	}

	// Again: nothing new, nothing changed.
	before := c.mustRun("recs", "show", "--db", db, "--json", "CRC/C/MNG/CO/5-6:4b")
	out = c.mustRun("import", "--db", db, export)
	if !strings.Contains(out, "CRC/C/MNG/CO/5-6: 4 recommendations already imported, with the export's tags already (3 of them items of a paragraph the UHRI annotates whole), no warnings\n") ||
		!strings.Contains(out, "A/HRC/43/15: 1 recommendations already imported, with the export's tags already, no warnings\n") {
		t.Errorf("import again:\n%s", out)
	}
	if after := c.mustRun("recs", "show", "--db", db, "--json", "CRC/C/MNG/CO/5-6:4b"); after != before || len(tasks()) != 9 {
		t.Errorf("import again changed 4b:\n%s\n%s", before, after)
	}
}

// A row that cannot be read: its row number, and nothing written; with
// --skip-bad the others are imported and the bad one is named.
func TestImportUHRIBadRows(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	c.mustRun("import", "--db", db, fixtureCO)
	rows := fixtureExport()
	rows = append(rows[:2], append([][]string{uhriRow("Legislation 5.The Committee recommends…", "Mongolia", "CRC", "", "", "", "", "", "", "Recommendations", "x")},
		rows[2:]...)...)
	rows[6][0] = "The Special Rapporteur recommends, without a number."
	export := writeExport(t, c, "bad.csv", rows)
	const bad = "row 4: no Document Symbol; row 8: Text does not start with a paragraph number"

	before := fileHash(t, db)
	out, errs, code := c.run("import", "--db", db, export)
	if code != 1 || out != "" || !strings.Contains(errs, export+": 2 of the 7 rows cannot be read; "+bad) ||
		!strings.Contains(errs, "nothing was imported (--skip-bad imports the rows that can be read and leaves these out)") {
		t.Errorf("bad rows: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if fileHash(t, db) != before {
		t.Error("the refused import changed the database")
	}
	fresh := filepath.Join(c.dir, "fresh.db")
	if _, _, code := c.run("import", "--db", fresh, export); code != 1 {
		t.Errorf("fresh database: exit %d", code)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("the refused import left a database behind: %v", err)
	}
	// The dry run refuses them the same way.
	if _, errs, code := c.run("import", "--dry-run", export); code != 1 || !strings.Contains(errs, bad) {
		t.Errorf("--dry-run: exit %d, %q", code, errs)
	}

	out = c.mustRun("import", "--db", db, "--skip-bad", export)
	if !strings.Contains(out, "  left out (--skip-bad): 2 of the 7 rows cannot be read; "+bad) ||
		!strings.Contains(out, "A/HRC/43/15: imported 1 recommendations") || strings.Contains(out, "A/HRC/44/42/Add.1") {
		t.Errorf("--skip-bad:\n%s", out)
	}
}

// --dry-run --json shows each recommendation's themes, affected persons
// and SDG targets beside its text, and writes nothing.
func TestImportUHRIDryRunJSON(t *testing.T) {
	c := newCLI(t)
	export := writeExport(t, c, "export.csv", fixtureExport())
	db := filepath.Join(c.dir, "f.db")
	var docs []struct {
		Symbol          string `json:"symbol"`
		Kind            string `json:"kind"`
		Recommendations []struct {
			ID              string   `json:"id"`
			Text            string   `json:"text"`
			Themes          []string `json:"themes"`
			AffectedPersons []string `json:"affected_persons"`
			SDGs            []string `json:"sdgs"`
			Status          string   `json:"status"`
			States          []string `json:"recommending_states"`
			Annotation      string   `json:"annotation_id"`
		} `json:"recommendations"`
	}
	if err := json.Unmarshal([]byte(c.mustRun("import", "--dry-run", "--json", "--db", db, export)), &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 || docs[2].Kind != "special-procedures" {
		t.Fatalf("documents: %+v", docs)
	}
	r := docs[0].Recommendations[0]
	if r.ID != "CRC/C/MNG/CO/5-6:4" || !strings.HasPrefix(r.Text, "The Committee recommends") || !slices.Equal(r.Themes, []string{"Violence against children", "Legislation"}) ||
		!slices.Equal(r.AffectedPersons, []string{"Children"}) || !slices.Equal(r.SDGs, []string{"16.2"}) || r.Annotation != "r-4" {
		t.Errorf("4 = %+v", r)
	}
	u := docs[1].Recommendations[0]
	if u.ID != "A/HRC/43/15:122.17" || u.Status != "noted" || !slices.Equal(u.States, []string{"Algeria"}) || !slices.Equal(u.SDGs, []string{"10.7"}) {
		t.Errorf("122.17 = %+v", u)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Error("the dry run wrote a database")
	}
	out := c.mustRun("import", "--dry-run", export)
	for _, want := range []string{"A/HRC/44/42/Add.1 (SR on the human rights of migrants, Mongolia): " + export + "\n",
		"  special-procedures; 1 recommendations from the UHRI export\n", "  warning: a special procedure's document that no report of the config takes",
		export + ": UHRI export (csv): 6 rows\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("--dry-run has no %q:\n%s", want, out)
		}
	}
}

// A special procedure's document takes its deadlines from the config: a
// horizon after its adoption; without one, --strict refuses the import.
func TestImportUHRISpecialProcedures(t *testing.T) {
	c := newCLI(t)
	db := filepath.Join(c.dir, "f.db")
	export := writeExport(t, c, "export.csv", fixtureExport()[5:])

	before := fileHash(t, db)
	_, errs, code := c.run("import", "--strict", "--db", db, export)
	if code != 1 || !strings.Contains(errs, "A/HRC/44/42/Add.1: warning: a special procedure's document that no report of the config takes") ||
		!strings.Contains(errs, "--strict: 1 warning in 1 of 1 documents of the UHRI export: nothing was imported") || fileHash(t, db) != before {
		t.Errorf("--strict: exit %d, %q", code, errs)
	}

	cfg := c.write("followup.yaml", []byte("database: f.db\nspecial_procedures:\n  horizon: 2y\n"))
	out := c.mustRun("import", "--strict", "--config", cfg, export)
	if !strings.Contains(out, "A/HRC/44/42/Add.1: imported 1 recommendations from "+export+", no warnings\n") ||
		!strings.Contains(out, "A/HRC/44/42/Add.1: deadlines: 2y after its adoption (special_procedures)\n") {
		t.Errorf("with a horizon:\n%s", out)
	}
	// Published 2026-02-25 (serial 46078): due two years later.
	show := c.mustRun("task", "show", "--config", cfg, "A/HRC/44/42/Add.1:87")
	if !strings.Contains(show, "2028-02-25  horizon    A/HRC/44/42/Add.1 due") {
		t.Errorf("task show:\n%s", show)
	}
}

// The reader hands the rows over from a goroutine of its own, in their
// order and every one; a writer's error stops it and is the error
// returned, with no row written after it; a file that is no export is
// read as none.
func TestScanPipelined(t *testing.T) {
	ctx := context.Background()
	rows := make([][]string, 0, 3*scanBatch+7)
	for p := 1; len(rows) < cap(rows); p++ {
		rows = append(rows, uhriRow(fmt.Sprintf("Legislation %d.The Committee recommends that the State party act on matter %d.", p, p), "Mongolia", "CRC",
			"CRC/C/MNG/CO/5-6", "- Legislation", "- Children", "", "", "", "Recommendations", fmt.Sprintf("r-%d", p)))
	}
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, exportCSV(t, rows), 0o600); err != nil {
		t.Fatal(err)
	}

	var seen []int
	u, read, err := scanPipelined(ctx, path, func(it ingest.UHRIItem) error {
		seen = append(seen, it.Row)
		return nil
	})
	if err != nil || !read {
		t.Fatalf("read %v, err %v", read, err)
	}
	if u.Rows != len(rows) || len(seen) != len(rows) || !slices.IsSorted(seen) || seen[0] != 2 || seen[len(seen)-1] != len(rows)+1 {
		t.Errorf("%d rows read, %d handed over (rows %d to %d, sorted %v)", u.Rows, len(seen), seen[0], seen[len(seen)-1], slices.IsSorted(seen))
	}

	bad := errors.New("the store refused the row")
	n := 0
	_, _, err = scanPipelined(ctx, path, func(it ingest.UHRIItem) error {
		n++
		if n == scanBatch+3 {
			return bad
		}
		return nil
	})
	if !errors.Is(err, bad) || n != scanBatch+3 {
		t.Errorf("err %v after %d rows, want %v after %d", err, n, bad, scanBatch+3)
	}

	notExport := filepath.Join(t.TempDir(), "budget.csv")
	if err := os.WriteFile(notExport, []byte("Item,Amount\nschools,3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, read, err := scanPipelined(ctx, notExport, func(ingest.UHRIItem) error { return nil }); err == nil || read {
		t.Errorf("not an export: read %v, err %v", read, err)
	}
}
