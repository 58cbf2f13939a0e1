package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/followup-app/followup/workflow"
)

// The self-check: one test per warning, each on a small document in the
// shape that produces it, asserting the line the warning names and that
// a clean document of the same shape has none.

// coText writes concluding observations in the style of PDF text: the
// symbol, a title, then the lines given (paragraphs and items).
func coText(lines ...string) string {
	return "CCPR/C/KEN/CO/5\nHuman Rights Committee\nConcluding observations on the fifth periodic report of Kenya\n\n" +
		strings.Join(lines, "\n") + "\n"
}

// warningsOf parses text and returns its warnings as "line N: text".
func warningsOf(t *testing.T, text string) []string {
	t.Helper()
	d, err := Parse([]byte(text), Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var out []string
	for _, w := range d.Warnings {
		out = append(out, w.Code+" "+w.String())
	}
	return out
}

// wantWarning expects one warning: its code, then as the admin reads it.
func wantWarning(t *testing.T, got []string, code, want string) {
	t.Helper()
	want = code + " " + want
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings:\n got %q\nwant [%q]", got, want)
	}
}

func TestCheckCleanDocument(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee is concerned about torture.",
		"3. The State party should:",
		"(a) Investigate every complaint;",
		"(b) Train the police.",
	))
	if len(got) != 0 {
		t.Errorf("warnings on a clean document: %q", got)
	}
}

func TestCheckParagraphGap(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee is concerned about torture.",
		"4. The Committee recommends that the State party investigate every complaint.",
	))
	wantWarning(t, got, "paragraph-gap", "line 7: paragraph 4 follows paragraph 2: no paragraph 3 was found")
}

// The number the sequence expected was on a line of its own but could not
// be a paragraph (it follows "in paragraph"): the warning says where.
func TestCheckParagraphGapNamesTheLine(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee refers to its recommendation in paragraph",
		"3. The Committee is concerned about torture.",
		"4. The Committee recommends that the State party investigate every complaint.",
	))
	wantWarning(t, got, "paragraph-gap", `line 8: paragraph 4 follows paragraph 2: no paragraph 3 was found (a line starting "3." at line 7 was read as text of paragraph 2)`)
}

func TestCheckItemGap(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The State party should:",
		"(a) Investigate every complaint;",
		"(b) Train the police;",
		"(d) Compensate the victims.",
	))
	wantWarning(t, got, "item-gap", "line 9: item (d) of paragraph 2 follows (b): no item (c) was found")
}

func TestCheckItemWithoutText(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The State party should:",
		"(a) Investigate every complaint;",
		"(b)",
		"3. The Committee is concerned about torture and the lack of any investigation.",
	))
	wantWarning(t, got, "item-empty", "line 8: item (b) of paragraph 2 has no text")
}

func TestCheckLeadInWithoutItems(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee recommends that the State party take the following measures:",
		"3. The Committee is concerned about torture.",
	))
	wantWarning(t, got, "lead-in-without-items", `line 6: paragraph 2: a lead-in ends with ":" but no lettered item follows it`)
}

// A line that starts like an item the sequence does not expect there: the
// letters restarted, and what follows was read as text.
func TestCheckItemMarkerNotTaken(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The State party should:",
		"(a) Investigate every complaint;",
		"(b) Train the police;",
		"(a) Compensate the victims.",
	))
	wantWarning(t, got, "item-not-taken", `line 9: a line starts with "(a)" in paragraph 2 where item (c) was expected: it was read as text, not as an item`)
}

func uprText(lines ...string) string {
	return "A/HRC/99/15\nReport of the Working Group on the Universal Periodic Review\nMongolia\n\n" +
		"1. The Working Group held its review of Mongolia on 4 November 2031.\n" +
		"2. The recommendations listed below will be examined by Mongolia:\n" +
		strings.Join(lines, "\n") + "\n"
}

func TestCheckUPRGap(t *testing.T) {
	got := warningsOf(t, uprText(
		"2.1 Ratify the Convention (France);",
		"2.2 Abolish the death penalty (Italy);",
		"2.4 Protect human rights defenders (Norway).",
	))
	wantWarning(t, got, "upr-gap", "line 9: recommendation 2.4 follows 2.2: no 2.3 was found")
}

func TestCheckUPRNumberNotTaken(t *testing.T) {
	got := warningsOf(t, uprText(
		"2.1 Ratify the Convention (France);",
		"2.2 Abolish the death penalty (Italy);",
		"2.7 Protect human rights defenders (Norway).",
	))
	wantWarning(t, got, "upr-not-taken", `line 9: a line starts with "2.7" where recommendation 2.3 was expected: it was read as text, not as a recommendation`)
}

func TestCheckUPRWithoutText(t *testing.T) {
	got := warningsOf(t, uprText(
		"2.1 Ratify the Convention (France);",
		"2.2",
		"3. All conclusions reflect the position of the submitting States.",
	))
	wantWarning(t, got, "upr-empty", "line 8: recommendation 2.2 has no text")
}

func addendumText(lines ...string) string {
	return "A/HRC/99/15/Add.1\nReport of the Working Group on the Universal Periodic Review\nMongolia\nAddendum\n\n" +
		strings.Join(lines, "\n") + "\n"
}

func TestCheckAddendumTwice(t *testing.T) {
	got := warningsOf(t, addendumText(
		"1. Mongolia accepts the following recommendations: 2.1, 2.2, 2.3.",
		"2. Mongolia notes recommendations 2.3 and 2.4.",
	))
	wantWarning(t, got, "position-twice", "line 7: recommendation 2.3 is given a position twice (supported at line 6, noted here)")
}

func TestCheckAddendumTotals(t *testing.T) {
	got := warningsOf(t, addendumText(
		"1. Mongolia accepts 4 recommendations and notes 1 recommendation.",
		"2. Mongolia accepts the following recommendations: 2.1, 2.2, 2.3.",
		"3. Mongolia notes recommendation 2.4.",
	))
	wantWarning(t, got, "position-total", "line 6: the addendum says 4 recommendations are supported, but gives that position to 3")
}

func TestCheckAddendumHole(t *testing.T) {
	got := warningsOf(t, addendumText(
		"1. Mongolia accepts the following recommendations: 2.1-2.3, 2.5.",
		"2. Mongolia notes recommendation 2.6.",
	))
	wantWarning(t, got, "position-hole", "no position for 2.4, though the addendum gives one to every other recommendation up to 2.6")
}

func TestCheckAddendumBadRange(t *testing.T) {
	got := warningsOf(t, addendumText(
		"1. Mongolia accepts the following recommendations: 2.1, 2.5-2.3, 2.2.",
	))
	wantWarning(t, got, "position-range", `line 6: the range "2.5-2.3" is not a range of recommendations: left out`)
}

// Against its report: every recommendation of the paragraph it answers
// gets one position, and none is given to one the report lacks.
func TestResolvePositionsWarnings(t *testing.T) {
	report := mustParse(t, []byte(uprText(
		"2.1 Ratify the Convention (France);",
		"2.2 Abolish the death penalty (Italy);",
		"2.3 Protect human rights defenders (Norway).",
	)))
	add := mustParse(t, []byte(addendumText(
		"1. Mongolia accepts the following recommendations: 2.1, 2.4.",
		"2. Mongolia notes recommendation 2.2.",
	)))
	ResolvePositions(add, report)
	var got []string
	for _, w := range add.Warnings {
		got = append(got, w.Code+" "+w.String())
	}
	// The parse's own "no position for 2.3" (position-hole) gives way to
	// the check against the report.
	want := []string{
		"position-unknown positions on recommendations A/HRC/99/15 does not have, left out: 2.4",
		"position-missing no position for 1 recommendation of A/HRC/99/15: 2.3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if len(add.Positions) != 2 {
		t.Errorf("positions %v, want 2.1 and 2.2 only", add.Positions)
	}
}

// Numbers cited alone need the report: no paragraph of it holds them all.
func TestResolvePositionsBareNumbersNoParagraph(t *testing.T) {
	report := mustParse(t, []byte(uprText(
		"2.1 Ratify the Convention (France);",
		"2.2 Abolish the death penalty (Italy).",
	)))
	add := mustParse(t, []byte(addendumText(
		"1. Mongolia accepts the recommendations 1-3.",
	)))
	ResolvePositions(add, report)
	if len(add.Warnings) != 2 || add.Warnings[0].Code != "position-unmatched" || !strings.Contains(add.Warnings[0].Text, "no paragraph of A/HRC/99/15 has all 3 of them") ||
		add.Warnings[1].Text != "no position for 2 recommendations of A/HRC/99/15: 2.1, 2.2" || len(add.Positions) != 0 {
		t.Errorf("warnings %v, positions %v", add.Warnings, add.Positions)
	}
}

// A file that is not what it seems must not print thousands of warnings.
func TestCheckWarningsBounded(t *testing.T) {
	var lines []string
	lines = append(lines, "1. The State party should:")
	for i := 0; i < 120; i++ {
		lines = append(lines, "(a) Do one more thing;")
	}
	got := warningsOf(t, coText(lines...))
	if len(got) != maxWarnings+1 || got[maxWarnings] != fmt.Sprintf("more and %d more warnings", 119-maxWarnings) {
		t.Errorf("%d warnings, last %q", len(got), got[len(got)-1])
	}
}

// Warnings are in the order of the text, those about the whole document
// last; a PDF's page is named with the line.
func TestCheckWarningOrderAndPage(t *testing.T) {
	text := coText(
		"1. The Committee considered the report.",
		"2. The State party should:",
		"(a) Investigate every complaint;",
		"(c) Train the police.",
		"\f4. The Committee recommends that the State party compensate the victims.",
	)
	d := mustParse(t, []byte(text))
	var got []string
	for _, w := range d.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"line 8 (page 1): item (c) of paragraph 2 follows (a): no item (b) was found",
		"line 9 (page 2): paragraph 4 follows paragraph 2: no paragraph 3 was found",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if d.Warnings[1] != (workflow.Warning{Code: "paragraph-gap", Line: 9, Page: 2, Text: "paragraph 4 follows paragraph 2: no paragraph 3 was found"}) {
		t.Errorf("warning = %+v", d.Warnings[1])
	}
}

// A paragraph that asks the State party in words the patterns miss (here
// a stray semicolon parts the Committee from its verb) is said, not lost.
func TestCheckRequestNotRead(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee recommends that the State party train the police.",
		"3. The Committee, having regard to the report of the Ombudsman; recommends that the State party publish it.",
	))
	wantWarning(t, got, "request-not-read", `line 7: paragraph 3 asks something of the State party ("recommends that the State party") in words the importer does not read: it was not imported`)
}

// Items that read like recommendations under a lead-in whose verb was not
// read, in a paragraph that states no concern.
func TestCheckItemsNotAsked(t *testing.T) {
	got := warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee recommends that the State party train the police.",
		"3. The Committee, having regard to the report of the Ombudsman; advises:",
		"(a) Adopt a law on legal aid;",
		"(b) Ensure that legal aid is free.",
	))
	wantWarning(t, got, "items-not-asked", `line 7: paragraph 3: its items read like recommendations ("Adopt a law on …") but no verb that asks (recommends, urges, should…) was found before them: they were not imported`)
	// A concern's items that open with a verb ("about measures taken to:
	// (a) Promote …") are no such thing.
	got = warningsOf(t, coText(
		"1. The Committee considered the report.",
		"2. The Committee recommends that the State party train the police.",
		"3. The Committee is concerned about the lack of information about measures taken to:",
		"(a) Promote deaf culture;",
		"(b) Ensure access to cultural events.",
	))
	if len(got) != 0 {
		t.Errorf("a concern: %q", got)
	}
}
