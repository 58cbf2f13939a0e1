package ingest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// The noise PDF converters add, one fixture each (testdata/noise): what was
// lost on real documents is found again.

func noiseDoc(t *testing.T, name string) (*workflow.Document, map[string]workflow.Recommendation) {
	t.Helper()
	d := mustParse(t, readFixture(t, filepath.Join("noise", name)))
	byID := map[string]workflow.Recommendation{}
	for _, r := range d.Recommendations {
		byID[r.ID] = r
	}
	return d, byID
}

// pdftotext without -layout printed "(b)", then paragraph 4, then (b)'s
// text.
func TestNoiseItemAfterNextParagraph(t *testing.T) {
	d, by := noiseDoc(t, "item-after-next-paragraph.txt")
	if got, want := ids(d), []string{"CRC/C/NPL/CO/7:3a", "CRC/C/NPL/CO/7:3b", "CRC/C/NPL/CO/7:5"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if b := by["CRC/C/NPL/CO/7:3b"]; b.Text != "Ensure that child protection officers are appointed in every municipality." {
		t.Errorf("3b = %q", b.Text)
	}
}

// (a), (b), (c), (e): (e) is an item, not the end of (c).
func TestNoiseMissingLetter(t *testing.T) {
	d, by := noiseDoc(t, "missing-letter.txt")
	if got, want := ids(d), []string{"CEDAW/C/KEN/CO/9:3a", "CEDAW/C/KEN/CO/9:3b", "CEDAW/C/KEN/CO/9:3c", "CEDAW/C/KEN/CO/9:3e"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if c := by["CEDAW/C/KEN/CO/9:3c"]; c.Text != "Train teachers on gender-responsive pedagogy;" {
		t.Errorf("3c = %q", c.Text)
	}
}

// Shape (b) of issue 23: "(b) Improve …. The Committee also recommends
// …" after the last item is no recommendation of its own (a paragraph
// with items gives one per item): it stays in (b), so nothing is lost.
func TestNoiseSentenceAfterItems(t *testing.T) {
	d, by := noiseDoc(t, "sentence-after-items.txt")
	if got, want := ids(d), []string{"CAT/C/MNG/CO/3:3a", "CAT/C/MNG/CO/3:3b"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if b := by["CAT/C/MNG/CO/3:3b"]; b.Text != "Improve the material conditions in all places of detention. The Committee also recommends that the State party ratify the Optional Protocol to the Convention." {
		t.Errorf("3b = %q", b.Text)
	}
	if len(d.Warnings) != 0 {
		t.Errorf("warnings: %v", d.Warnings)
	}
}

// Item (a) runs over a page break with the footer, the running header and
// "Advance unedited version" between its two halves.
func TestNoisePageBreakInItems(t *testing.T) {
	d, by := noiseDoc(t, "page-break-in-items.txt")
	if got, want := ids(d), []string{"CCPR/C/PER/CO/6:3a", "CCPR/C/PER/CO/6:3b", "CCPR/C/PER/CO/6:3c"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if a := by["CCPR/C/PER/CO/6:3a"]; a.Text != "Review its legislation on the use of force by law enforcement officials to bring it into line with the Basic Principles on the Use of Force and Firearms by Law Enforcement Officials;" {
		t.Errorf("3a = %q", a.Text)
	}
}

// "The State Party should": the block after the concern is the
// recommendation, the concern is not part of its text.
func TestNoiseStatePartyCapital(t *testing.T) {
	d, by := noiseDoc(t, "state-party-capital.txt")
	if got, want := ids(d), []string{"CCPR/C/GEO/CO/5:2", "CCPR/C/GEO/CO/5:3a", "CCPR/C/GEO/CO/5:3b"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if two := by["CCPR/C/GEO/CO/5:2"]; !strings.HasPrefix(two.Text, "The State Party should strengthen") || two.Concern != 2 || two.Verb != "should" {
		t.Errorf("2 = %q (concern %d, verb %q)", two.Text, two.Concern, two.Verb)
	}
}

// Headings glued to the paragraph before and after them, in French, with
// paragraphs that open on an accented capital ("À la lumière").
func TestNoiseGluedHeading(t *testing.T) {
	d, by := noiseDoc(t, "glued-heading.txt")
	if got, want := ids(d), []string{"CRPD/C/GTM/CO/2:3", "CRPD/C/GTM/CO/2:5"}; !slices.Equal(got, want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	if r := by["CRPD/C/GTM/CO/2:3"]; r.Subsection != "Égalité et non-discrimination (art. 5)" || !strings.HasPrefix(r.Text, "À la lumière") {
		t.Errorf("3 = %q under %q", r.Text, r.Subsection)
	}
	if r := by["CRPD/C/GTM/CO/2:5"]; r.Subsection != "Éducation (art. 24)" || r.Concern != 4 {
		t.Errorf("5 under %q, concern %d", r.Subsection, r.Concern)
	}
	if d.Language != "fr" {
		t.Errorf("language %q", d.Language)
	}
}
