package plan

// OverdueGroup is a (document, stage) group whose open tasks are overdue:
// all of them, only those of Paragraphs, or all but those of Except (a
// deadline limited to some paragraphs, the follow-up procedure's, gives
// them another next deadline than the rest). Overview.OverdueGroups lists
// them: the dashboard's "overdue" filter selects their tasks in SQL, since
// deadlines are not stored per task.
type OverdueGroup struct {
	Document   int64
	Stage      string
	Paragraphs []int
	Except     []int
}

// ParagraphLabel writes a recommendation's place as people cite it:
// "14 (a)", "122.17", "8".
func ParagraphLabel(paragraph int, item string) string { return paragraphLabel(paragraph, item) }
