package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/followup-app/followup/internal/lazyre"
)

// The tokenizer turns cleaned lines into blocks: headings, numbered
// paragraphs, lettered items, UPR recommendations and the text that belongs
// to them. UN documents number their paragraphs 1, 2, 3… through the whole
// document, and that sequence is what makes the tokenizer robust: a line
// that starts with "2019." is a wrapped date, not paragraph 2019, because
// the next paragraph expected is 8. The same holds for items (a), (b)… and
// for UPR recommendations 121.1, 121.2….

type blockKind int

const (
	bFront   blockKind = iota // a line before paragraph 1
	bSection                  // numbered heading: "IV. General measures…", "A. Introduction"
	bSub                      // unnumbered heading: "Training"
	bPara                     // numbered paragraph
	bItem                     // lettered item of the current paragraph
	bUPR                      // UPR recommendation "121.1", or "1." inside a first-cycle list
	bText                     // unnumbered text block inside a paragraph ("The State party should:")
)

type block struct {
	kind  blockKind
	num   int    // paragraph number (bPara) or UPR number (bUPR)
	label string // item letter (bItem)
	text  string
	line  int  // 1-based source line
	page  int  // its page in PDF text, else 0
	blank bool // a blank line came before it (front matter: ends a title)
}

// stray is a line that starts like a block of the current sequence (an
// item "(c)", a UPR number "115.7", a paragraph number) but was not taken
// as one, because it is not the one the sequence expects there: its text
// was kept as text of the block before. The self-check reports it, since
// that is where a converter's noise makes an import lose items.
type stray struct {
	kind     blockKind // bItem, bUPR or bPara
	marker   string    // as printed: "(c)", "115.7", "12."
	expected string    // what the sequence expected: "(a)", "115.5", "11."
	para     int       // the paragraph it fell into
	line     int
	page     int
}

var (
	reParaStart = lazyre.New(`^(\d{1,3})\.(?:\s+|$)`)
	reUPRStart  = lazyre.New(`^(\d{1,3})\.(\d{1,3})(?:\s+|$)`)
	// "(a)" in English, "a)" in French and Spanish.
	reItemStart   = lazyre.New(`^\(?([a-z]{1,2})\)(?:\s+|$)`)
	reNumbered    = lazyre.New(`^([IVXL]{1,7}|[A-Z])\.\s+(\S.*)$`)
	reLabelOnly   = lazyre.New(`^(?:[IVXL]{1,7}|[A-Z])\.$`)
	reAnnex       = lazyre.New(`^(?:Annex(?:es)?|Appendix)(?:\s+[IVX\d]+)?$`)
	reEmbedPara   = lazyre.New(`\s(\d{1,3})\.\s+["“(\p{Lu}]`)
	reShouldStart = lazyre.New(`^(?:The State [Pp]arty should|The Committee (?:also |further |strongly )*(?:recommends|urges|requests|calls)|L['’]État partie devrait|(?:Le|El) Comité (?:recommande|engage|exhorte|prie|invite|encourage|demande|recomienda|insta|alienta|exhorta|solicita|pide|invita)|El Estado parte debería)\b`)
	reUPRLead     = lazyre.New(`(?i)(will be examined by|enjoy(?:ed)? the support of|did not enjoy the support|have been examined by|will be noted|were noted by|listed below)`)
)

type tokenizer struct {
	lines       []line
	symbol      string
	paraPerLine bool // Word text and .docx: one line is one paragraph

	out      []block
	nextPara int // the paragraph number expected next
	itemNext string
	roman    bool // inside a nested (i), (ii) list of an item
	uprNext  int  // UPR number expected next in the current paragraph
	uprFlat  bool // the current paragraph numbers its UPR items 1, 2, 3
	ended    bool // an annex started: the rest is not the document's body
	blank    bool // a blank line came since the last block
	// pendingLabel is a heading's "B." seen alone on its line.
	pendingLabel string

	curLine, curPage int     // the line being fed
	strays           []stray // markers not taken (see stray)

	// The numbers of the last section headings: "III." and "B.".
	lastRoman, lastLetter int

	front map[string]bool // lines before paragraph 1 long enough to be a title's
}

func tokenize(lines []line, symbol string, paraPerLine bool) ([]block, []stray) {
	t := &tokenizer{lines: lines, symbol: symbol, paraPerLine: paraPerLine, nextPara: 1, front: map[string]bool{}}
	notes := footnoteBlocks(lines, symbol)
	for i := 0; i < len(lines) && !t.ended; i++ {
		l := lines[i]
		if notes[i] {
			continue
		}
		if l.blank {
			t.blank = true
			continue
		}
		if isFurniture(l, symbol) || t.started() && t.front[l.text] {
			// A line that repeats one of the title's is a running
			// header, wherever a page break put it.
			continue
		}
		t.curLine, t.curPage = l.num, l.page
		if t.curLine == 0 {
			t.curLine = i + 1
		}
		t.feed(i, l)
	}
	return t.out, t.strays
}

// reFootnote is the first line of a footnote at the foot of a PDF page:
// its number, then its text ("5   A/72/55, annex.", "10   Available at
// https://…"); not a paragraph ("5.") nor an item.
var reFootnote = lazyre.New(`^\d{1,3}\s+[^\s.,;:)%]`)

// footnoteBlocks marks the footnotes a PDF prints at the foot of its pages,
// between the page's last text and its footer: blocks set apart by a blank
// line whose first line starts with the footnote's number. Read as text,
// they would end up inside the sentence that runs on to the next page ("…
// the Committee [10 Available at https://…] recommends that …") and hide
// its verb, or trail after the last item of a page. Text without pages
// (Word, or a PDF's text without form feeds) has none to mark.
func footnoteBlocks(lines []line, symbol string) []bool {
	notes := make([]bool, len(lines))
	for i := range lines {
		if lines[i].page == 0 || i+1 < len(lines) && lines[i+1].page == lines[i].page {
			continue
		}
		page := lines[i].page
		// Up from the page's last line, over its footer.
		j := i
		for j >= 0 && lines[j].page == page && (lines[j].blank || isFurniture(lines[j], symbol)) {
			j--
		}
		for j >= 0 && lines[j].page == page {
			k := j
			for k >= 0 && lines[k].page == page && !lines[k].blank {
				k--
			}
			// lines k+1..j: a block, which must follow a blank line, be
			// short, and start with a footnote's number.
			if k < 0 || lines[k].page != page || j-k > 12 || !reFootnote.MatchString(lines[k+1].text) {
				break
			}
			for n := k + 1; n <= j; n++ {
				notes[n] = true
			}
			for j = k; j >= 0 && lines[j].page == page && lines[j].blank; j-- {
			}
		}
	}
	return notes
}

func (t *tokenizer) last() *block {
	if len(t.out) == 0 {
		return nil
	}
	return &t.out[len(t.out)-1]
}

func (t *tokenizer) started() bool { return t.nextPara > 1 }

// complete reports whether the last block ends where a new block may start.
func (t *tokenizer) complete() bool {
	b := t.last()
	if b == nil || b.kind == bFront || b.kind == bSection || b.kind == bSub {
		return true
	}
	return endsSentence(b.text)
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, ` "')*”’»`)
	if s == "" {
		return true
	}
	// A footnote number after the full stop: "… to the list of issues.4",
	// "… paragraph 15 (c). 3".
	if n := len(s); n >= 2 && s[n-1] >= '0' && s[n-1] <= '9' {
		i := n - 1
		for i > 0 && n-i < 3 && s[i-1] >= '0' && s[i-1] <= '9' {
			i--
		}
		rest := strings.TrimRight(s[:i], " ")
		if rest != "" && strings.ContainsRune(".;:", rune(rest[len(rest)-1])) && !endsInNumber(rest) {
			return true
		}
	}
	switch s[len(s)-1] {
	case '.', ';', ':', '!', '?':
		return true
	}
	return false
}

// endsInNumber reports whether s ends with a number and its point ("in
// paragraph 12."), where a following digit is no footnote mark.
func endsInNumber(s string) bool {
	s = strings.TrimSuffix(s, ".")
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func (t *tokenizer) emit(b block) {
	switch b.kind {
	case bSection:
		label, _, _ := strings.Cut(b.text, ".")
		if v := romanValue(label); v > 0 && (v == t.lastRoman+1 || len(label) > 1 || t.lastLetter == 0) {
			t.lastRoman, t.lastLetter = v, 0
		} else if len(label) == 1 && label[0] >= 'A' && label[0] <= 'Z' {
			t.lastLetter = int(label[0]-'A') + 1
		}
	case bPara:
		t.nextPara = b.num + 1
		t.itemNext, t.roman = "a", false
		t.uprNext, t.uprFlat = 1, false
	case bItem:
		t.itemNext, t.roman = nextLetter(b.label), false
	case bUPR:
		t.uprNext = b.num + 1
	case bText:
		t.itemNext, t.roman = "a", false
	}
	b.text = strings.TrimSpace(b.text)
	b.blank, t.blank = t.blank, false
	if !t.started() && len(b.text) >= 20 && b.kind != bPara {
		t.front[b.text] = true
	}
	b.line, b.page = t.curLine, t.curPage
	t.out = append(t.out, b)
}

func (t *tokenizer) appendText(s string) {
	b := t.last()
	if b == nil {
		return
	}
	b.text = joinWrapped(b.text, strings.TrimSpace(s))
}

func (t *tokenizer) feed(i int, l line) {
	text := l.text

	if t.started() && reAnnex.MatchString(text) {
		t.ended = true
		return
	}
	switch l.hint {
	case hintTitle:
		t.emit(block{kind: bFront, text: text})
		return
	case hintSection:
		t.emit(block{kind: bSection, text: text})
		return
	case hintSub:
		t.emit(block{kind: bSub, text: text})
		return
	}

	if kind, num, label, rest, ok := t.startOf(text); ok {
		t.emit(block{kind: kind, num: num, label: label})
		t.continueWith(rest)
		return
	}
	if label, rest, ok := t.resumedItem(text); ok {
		t.foldIntoItem()
		t.emit(block{kind: bItem, label: label})
		t.continueWith(rest)
		return
	}

	// A Word list nested in an item: (i), (ii)… stay in the item's text.
	if m := reItemStart.FindStringSubmatch(text); m != nil && t.inItem() && isRoman(m[1]) {
		t.roman = true
		t.appendText(text)
		return
	}
	t.noteStray(text)

	// The heading that comes next in the document's own numbering ("III."
	// after "II.", "B." after "A.") is one even when the paragraph before
	// it lacks its full stop.
	if l.hint != hintBody && !t.complete() && t.started() {
		if m := reNumbered.FindStringSubmatch(text); m != nil && headingLike(m[2]) && t.nextSection(m[1]) {
			t.emit(block{kind: bSection, text: m[1] + ". " + m[2]})
			return
		}
		// An unnumbered heading after such a paragraph: set apart by a
		// blank line, or carrying the article reference of a treaty
		// body's headings ("Health (art. 25)"), and followed by the next
		// paragraph.
		if headingLike(text) && (t.blank || reArticleRef.MatchString(text)) && !functionWord(lastWord(t.last().text)) && t.headingFollows(i, text) {
			t.emit(block{kind: bSub, text: text})
			return
		}
	}

	if l.hint != hintBody && t.complete() {
		// A heading numbered like a paragraph, "1. General principles
		// and obligations (arts. 1–4)", under "B. Principal areas of
		// concern": its number is not the paragraph the sequence
		// expects, and a paragraph follows it.
		if m := reParaStart.FindStringSubmatch(text); m != nil && t.started() {
			num, _ := strconv.Atoi(m[1])
			if rest := text[len(m[0]):]; (num < t.nextPara || num > t.nextPara+2) && headingLike(rest) && t.headingFollows(i, rest) {
				t.emit(block{kind: bSub, text: text})
				return
			}
		}
		// "A." alone on its line, its title on the next: PDF text without layout.
		if reLabelOnly.MatchString(text) {
			if j := t.nextContent(i); j >= 0 && headingLike(t.lines[j].text) {
				t.pendingLabel = text
				return
			}
		}
		if t.pendingLabel != "" {
			text = t.pendingLabel + " " + text
			t.pendingLabel = ""
		}
		if m := reNumbered.FindStringSubmatch(text); m != nil && headingLike(m[2]) {
			t.emit(block{kind: bSection, text: m[1] + ". " + m[2]})
			return
		}
		// "… punishment (art." ends like a sentence, but its
		// parenthesis is open: the heading goes on on the next line.
		open := strings.Count(text, "(") > strings.Count(text, ")") && headingLike(strings.TrimRight(text, "."))
		if (headingLike(text) || open) && t.headingFollows(i, text) {
			t.emit(block{kind: bSub, text: text})
			return
		}
		if head, rest, ok := t.headingThenPara(text); ok {
			kind := bSub
			if m := reNumbered.FindStringSubmatch(head); m != nil {
				kind, head = bSection, m[1]+". "+m[2]
			}
			t.emit(block{kind: kind, text: head})
			t.feed(i, line{text: rest, raw: rest, hint: hintBody})
			return
		}
	}

	b := t.last()
	switch {
	case b == nil || !t.started() && b.kind != bPara:
		t.emit(block{kind: bFront, text: text})
	case (b.kind == bSection || b.kind == bSub) && !t.paraPerLine && continuesHeading(b.text, text):
		b.text = joinWrapped(b.text, text)
	case b.kind == bSection || b.kind == bSub:
		t.emit(block{kind: bText, text: ""})
		t.continueWith(text)
	case t.paraPerLine && !t.complete() && (startsLower(text) || !headingLike(text)):
		// One line is one paragraph in Word text, but a page header or a
		// stray line may cut a paragraph or an item in two: a line that
		// goes on with an unfinished sentence continues it.
		t.continueWith(text)
	case t.paraPerLine || t.complete() && reShouldStart.MatchString(text):
		t.emit(block{kind: bText})
		t.continueWith(text)
	default:
		t.continueWith(text)
	}
}

// resumedItem recognises a lettered item that continues a list a text
// block interrupted: "(a) … (b) …", then a line taken as a text block of
// its own (the rest of (b) after a page header, "The State party should
// also …"), then "(c)". The text block did not open a new list (it does
// not end with ":"), so the letters go on where they stopped.
func (t *tokenizer) resumedItem(text string) (label, rest string, ok bool) {
	m := reItemStart.FindStringSubmatch(text)
	if m == nil || !t.started() {
		return "", "", false
	}
	for j := len(t.out) - 1; j >= 0; j-- {
		b := t.out[j]
		switch b.kind {
		case bText:
			if strings.HasSuffix(b.text, ":") {
				return "", "", false // a new lead-in: its list starts at (a)
			}
			continue
		case bItem:
			if j == len(t.out)-1 || m[1] != nextLetter(b.label) {
				return "", "", false
			}
			return m[1], text[len(m[0]):], true
		}
		return "", "", false
	}
	return "", "", false
}

// foldIntoItem puts the text blocks after the last item back into it.
func (t *tokenizer) foldIntoItem() {
	j := len(t.out) - 1
	for j >= 0 && t.out[j].kind == bText {
		j--
	}
	if j < 0 || t.out[j].kind != bItem {
		return
	}
	for _, b := range t.out[j+1:] {
		t.out[j].text = joinWrapped(t.out[j].text, b.text)
	}
	t.out = t.out[:j+1]
}

// noteStray records a line that starts like the next block of a sequence
// but is about to be read as text (see stray).
func (t *tokenizer) noteStray(text string) {
	if !t.started() {
		return
	}
	para := t.nextPara - 1
	if m := reUPRStart.FindStringSubmatch(text); m != nil {
		p, _ := strconv.Atoi(m[1])
		if p == para && t.uprNext > 1 {
			t.strays = append(t.strays, stray{kind: bUPR, marker: m[1] + "." + m[2], expected: m[1] + "." + strconv.Itoa(t.uprNext),
				para: para, line: t.curLine, page: t.curPage})
		}
		return
	}
	if m := reParaStart.FindStringSubmatch(text); m != nil {
		if num, _ := strconv.Atoi(m[1]); num == t.nextPara {
			t.strays = append(t.strays, stray{kind: bPara, marker: m[1] + ".", expected: m[1] + ".", para: para, line: t.curLine, page: t.curPage})
		}
		return
	}
	// "(b) of the Convention" after "… articles 24 and 29": a reference
	// wrapped onto the line, not an item.
	if m := reItemStart.FindStringSubmatch(text); m != nil && !isRoman(m[1]) && !t.roman && (t.complete() || opensBlock(text[len(m[0]):])) {
		t.strays = append(t.strays, stray{kind: bItem, marker: "(" + m[1] + ")", expected: "(" + t.itemNext + ")",
			para: para, line: t.curLine, page: t.curPage})
	}
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// inlineList reports whether the text before ends a clause of an
// enumeration written in running text ("… in three categories: 1.
// Accepted recommendations; 2. Accepted …;"), whose next number a line may
// start with: a paragraph ends with a full stop, not a semicolon, unless
// its last lettered item does.
func (t *tokenizer) inlineList(num int) bool {
	b := t.last()
	return b != nil && num == t.nextPara && strings.HasSuffix(strings.TrimSpace(b.text), ";") && t.enumerates("")
}

// enumerates reports whether the current paragraph or text block, with
// more (the text of its line so far), holds an enumeration in running
// text that the next paragraph number would continue: "…: 1. Accepted …;
// 2. Accepted …;" before "3.".
func (t *tokenizer) enumerates(more string) bool {
	b := t.last()
	if b == nil || (b.kind != bPara && b.kind != bText) {
		return false
	}
	prev := strconv.Itoa(t.nextPara-1) + ". "
	text := b.text + " " + more
	return strings.Contains(text, "; "+prev) || strings.Contains(text, ": "+prev)
}

// reArticleRef ends a treaty body's thematic heading: "(art. 25)", "(arts.
// 1–4)", "(art. 6 et 7)", "(arts. 4, 42 and 44 (6))".
var reArticleRef = lazyre.New(`\((?:arts?\.|articles?|artículos?)\s*[^()]*(?:\([^()]*\)[^()]*)*\)$`)

// functionWord reports whether a line ending with w has its sentence cut,
// so that what follows continues it rather than heads a new part.
func functionWord(w string) bool {
	switch strings.ToLower(w) {
	case "the", "a", "an", "of", "to", "in", "for", "on", "by", "with", "and", "or", "from", "at", "as", "that", "its", "their",
		"le", "la", "les", "des", "du", "de", "et", "ou", "à", "en", "pour", "par", "sur", "dans", "avec",
		"el", "los", "las", "del", "y", "o", "con", "por", "para", "que", "sus", "su":
		return true
	}
	return false
}

// takesNumber reports whether a word is usually followed by a number, so
// that a number starting the next line belongs to it.
func takesNumber(w string) bool {
	switch strings.ToLower(strings.Trim(w, "(,")) {
	case "paragraph", "paragraphs", "para", "para.", "paras", "paras.", "art", "art.", "arts", "arts.", "article", "articles",
		"no", "no.", "nos", "nos.", "and", "to", "or", "of", "in", "under", "resolution", "resolutions", "section", "sections",
		"chapter", "rule", "rules", "page", "pages", "law", "act", "decree", "target", "targets", "goal", "goals", "annex",
		"paragraphe", "paragraphes", "párrafo", "párrafos", "et", "y", "à", "a", "de", "del", "la", "le", "el", "n°", "nº", "núm.":
		return true
	}
	return false
}

// nextSection reports whether label ("III", "B") is the section heading
// that follows the last one.
func (t *tokenizer) nextSection(label string) bool {
	if v := romanValue(label); v > 0 && t.lastRoman > 0 && v == t.lastRoman+1 {
		return true
	}
	return len(label) == 1 && t.lastLetter > 0 && int(label[0]-'A') == t.lastLetter
}

// romanValue reads a Roman numeral of section headings (I to XXXIX), or 0.
func romanValue(s string) int {
	vals := map[byte]int{'I': 1, 'V': 5, 'X': 10, 'L': 50}
	n := 0
	for i := 0; i < len(s); i++ {
		v, ok := vals[s[i]]
		if !ok {
			return 0
		}
		if i+1 < len(s) && vals[s[i+1]] > v {
			n -= v
		} else {
			n += v
		}
	}
	return n
}

func (t *tokenizer) inItem() bool {
	b := t.last()
	return b != nil && b.kind == bItem
}

// startOf recognises a block that starts at the beginning of a line.
func (t *tokenizer) startOf(text string) (kind blockKind, num int, label, rest string, ok bool) {
	if m := reUPRStart.FindStringSubmatch(text); m != nil && t.started() {
		p, _ := strconv.Atoi(m[1])
		k, _ := strconv.Atoi(m[2])
		if p == t.nextPara-1 && (k == t.uprNext || k == t.uprNext+1) {
			return bUPR, k, "", text[len(m[0]):], true
		}
	}
	if m := reParaStart.FindStringSubmatch(text); m != nil {
		num, _ := strconv.Atoi(m[1])
		rest := text[len(m[0]):]
		if t.uprFlatNext(num) && !(num == t.nextPara && looksLikeParagraph(rest)) {
			t.uprFlat = true
			return bUPR, num, "", rest, true
		}
		if (num == t.nextPara || num > t.nextPara && num <= t.nextPara+2 && t.started()) && t.complete() && !t.inlineList(num) {
			return bPara, num, "", rest, true
		}
		// The paragraph before lacks its full stop ("… and evaluating
		// accessibility" / "18. The Committee asks …"): the number the
		// sequence expects, opening a sentence, is the next paragraph
		// unless the line before ends with a word that takes a number
		// ("in paragraph" / "18. The …").
		if num == t.nextPara && t.started() && opensBlock(rest) && !t.complete() && !takesNumber(lastWord(t.last().text)) {
			return bPara, num, "", rest, true
		}
	}
	if m := reItemStart.FindStringSubmatch(text); m != nil && t.started() {
		nested := isRoman(m[1]) && (t.roman || t.inItem() && strings.HasSuffix(t.last().text, ":"))
		// "… article 23 (1)" / "(a) of the Convention, and also by:": a
		// reference wrapped onto the line, not an item; an item follows a
		// complete clause or opens with a capital.
		if m[1] == t.itemNext && !nested && (t.complete() || opensBlock(text[len(m[0]):])) {
			return bItem, 0, m[1], text[len(m[0]):], true
		}
		// A letter missing from the sequence ((a), (b), (c), (e)): a typo
		// of the document or a line the converter lost. At the start of a
		// line after a complete item, the next letter but one is an item.
		if m[1] == nextLetter(t.itemNext) && !nested && t.inItem() && t.complete() {
			return bItem, 0, m[1], text[len(m[0]):], true
		}
	}
	return 0, 0, "", "", false
}

// uprFlatNext reports whether num continues a first-cycle UPR list: items
// numbered 1, 2, 3… inside the paragraph that introduces them.
func (t *tokenizer) uprFlatNext(num int) bool {
	if num != t.uprNext || !t.started() {
		return false
	}
	if t.uprFlat {
		return true
	}
	// The first item: the paragraph so far must be a UPR list's lead.
	if num != 1 {
		return false
	}
	for j := len(t.out) - 1; j >= 0; j-- {
		b := t.out[j]
		if b.kind == bPara {
			return reUPRLead.MatchString(b.text) && strings.Contains(strings.ToLower(b.text), "recommendation")
		}
		if b.kind != bText {
			return false
		}
	}
	return false
}

// looksLikeParagraph tells the paragraph after a UPR list ("112. All
// conclusions…") from an item with the same number.
func looksLikeParagraph(s string) bool {
	return strings.HasPrefix(s, "All conclusions") || strings.HasPrefix(s, "The ") || strings.HasPrefix(s, "In ")
}

// continueWith adds text to the last block, splitting it where the next
// expected block starts inside it: several paragraphs or items on one line,
// as PDF converters produce. It looks at a bounded window at a time, so a
// whole document on one line costs linear time, not quadratic.
func (t *tokenizer) continueWith(text string) {
	const window = 8 << 10
	for text != "" {
		view := text
		if len(view) > window {
			view = view[:window]
		}
		at, skip, next, ok := t.embedded(view)
		if !ok {
			if len(text) <= window {
				t.appendText(text)
				return
			}
			// Nothing starts in this window: keep its first part (up to a
			// space well before the edge, so no marker is cut in two) and
			// look further.
			cut := strings.LastIndexByte(text[:window-64], ' ')
			if cut <= 0 {
				cut = window - 64
			}
			t.appendText(text[:cut])
			text = text[cut:]
			continue
		}
		t.appendText(strings.TrimSpace(text[:at]))
		t.emit(next)
		text = text[skip:]
	}
}

// embedded finds the first block start inside text: at is where the current
// block's text ends, skip where the new block's text begins. It searches
// for the literal markers the sequence expects next ("12.", "(c)",
// "122.17"), which keeps it fast on long lines.
func (t *tokenizer) embedded(text string) (at, skip int, next block, ok bool) {
	best := -1
	consider := func(a, s int, b block) {
		if best < 0 || a < best {
			best, at, skip, next, ok = a, a, s, b, true
		}
	}
	if t.started() {
		p := t.nextPara - 1
		// "…(France); 121.2 Complete…"
		if i, end := findMarker(text, strconv.Itoa(p)+"."+strconv.Itoa(t.uprNext), ";.", false); i >= 0 {
			consider(i, end, block{kind: bUPR, num: t.uprNext})
		}
		// "…(France). 5. To strengthen…", first-cycle UPR lists
		if t.uprFlat {
			if i, end := findMarker(text, strconv.Itoa(t.uprNext)+".", ";.", true); i >= 0 {
				consider(i, end, block{kind: bUPR, num: t.uprNext})
			}
		}
		// "…the following: (a) Allocate…; (b) Ensure…"
		if i, end := findMarkerConj(text, "("+t.itemNext+")", ":;", false, true); i >= 0 {
			consider(i, end, block{kind: bItem, label: t.itemNext})
		}
		// "…les mesures suivantes : a) L'adoption…"
		if i, end := findMarkerConj(text, t.itemNext+")", ":;", false, true); i >= 0 {
			consider(i, end, block{kind: bItem, label: t.itemNext})
		}
	}
	// "… end of paragraph. 9. The Committee…", perhaps with a heading
	// between: "… end. Data collection 9. The Committee…"
	needle := " " + strconv.Itoa(t.nextPara) + "."
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], needle)
		if i < 0 {
			break
		}
		i += from
		from = i + 1
		end := i + len(needle)
		j := skipSpaces(text, end)
		if j == end || j >= len(text) || !opensBlock(text[j:]) {
			continue
		}
		before := text[:i]
		if tb := strings.TrimSpace(before); (strings.HasSuffix(tb, ";") || strings.HasSuffix(tb, ":")) && t.enumerates(tb) {
			// "… categories: 1. Accepted …; 2. Accepted …; 3. Noted …":
			// an enumeration in running text, not the next paragraph.
			continue
		}
		cut := lastSentenceEnd(before)
		if cut < 0 && strings.TrimSpace(before) != "" && t.last() != nil && !endsSentence(t.last().text) {
			continue
		}
		mid := strings.TrimSpace(before[cut+1:])
		switch {
		case mid == "":
			consider(i, end, block{kind: bPara, num: t.nextPara})
		case headingLike(mid) && len(mid) <= 150 && (best < 0 || cut+1 < best):
			kind := bSub
			if mm := reNumbered.FindStringSubmatch(mid); mm != nil {
				kind, mid = bSection, mm[1]+". "+mm[2]
			}
			best, at, skip, next, ok = cut+1, cut+1, i, block{kind: kind, text: mid}, true
		}
		break
	}
	return at, skip, next, ok
}

// findMarker finds marker in text where it starts a block: preceded by one
// of the punctuation marks in after (and spaces), followed by white space
// and, when capital is set, by a capital letter, a quote or a parenthesis.
// It returns where the current block ends (just after the punctuation) and
// where the new block's text starts, or -1.
func findMarker(text, marker, after string, capital bool) (int, int) {
	return findMarkerConj(text, marker, after, capital, false)
}

// findMarkerConj is findMarker that, with conj set, also takes a marker
// after a conjunction that follows the punctuation: items inline in one
// sentence, "…: (a) conduct …; (b) ensure …; and (c) adopt …", "…; et c)
// …", "…; y c) …".
func findMarkerConj(text, marker, after string, capital, conj bool) (int, int) {
	for from := 0; from < len(text); {
		i := strings.Index(text[from:], marker)
		if i < 0 {
			return -1, -1
		}
		i += from
		from = i + 1
		end := i + len(marker)
		j := skipSpaces(text, end)
		if j == end && j < len(text) {
			continue // "(a)b" or "122.17-18": not a block start
		}
		if capital && (j >= len(text) || !opensBlock(text[j:])) {
			continue
		}
		k := i - 1
		for k >= 0 && (text[k] == ' ' || text[k] == '\t') {
			k--
		}
		if conj && k >= 0 {
			w := k
			for w >= 0 && text[w] >= 'a' && text[w] <= 'z' {
				w--
			}
			switch text[w+1 : k+1] {
			case "and", "or", "et", "ou", "y", "o":
				if w >= 0 && (text[w] == ' ' || text[w] == '\t') {
					for k = w; k >= 0 && (text[k] == ' ' || text[k] == '\t'); k-- {
					}
				}
			}
		}
		if k < 0 || !strings.ContainsRune(after, rune(text[k])) {
			continue
		}
		if k == i-1 && text[k] == '.' { // "12.3": the digits run on
			continue
		}
		return k + 1, j
	}
	return -1, -1
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// headingThenPara splits "Data collection 9. The Committee…" into the
// heading and the paragraph, when 9 is the paragraph expected next.
func (t *tokenizer) headingThenPara(text string) (head, rest string, ok bool) {
	for _, m := range reEmbedPara.FindAllStringSubmatchIndex(text, -1) {
		num, _ := strconv.Atoi(text[m[2]:m[3]])
		if num != t.nextPara {
			continue
		}
		head = strings.TrimSpace(text[:m[0]])
		if head == "" || !headingLike(head) || lastSentenceEnd(head) >= 0 {
			return "", "", false
		}
		return head, strings.TrimSpace(text[m[0]:]), true
	}
	return "", "", false
}

// lastSentenceEnd returns the index of the last sentence-ending mark in s,
// ignoring the periods of abbreviations such as "art." and "No.", or -1.
func lastSentenceEnd(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ';', ':', '!', '?':
			return i
		case '.':
			if !isAbbreviation(s[:i]) {
				return i
			}
		}
	}
	return -1
}

func isAbbreviation(before string) bool {
	w := strings.TrimLeft(lastWord(strings.TrimSpace(before)), "(")
	switch strings.ToLower(w) {
	case "art", "arts", "para", "paras", "no", "nos", "vol", "e.g", "i.e", "mr", "ms", "dr", "st", "rev", "add", "corr", "inc",
		"par", "p", "pp", "cf", "núm", "párr", "párrs", "sr", "sra", "mme", "nº":
		return true
	}
	return len(w) == 1 && unicode.IsUpper(rune(w[0])) // an initial, or "A" of "A. Heading"
}

// headingFollows reports whether the lines after i open a paragraph, maybe
// after a second heading: how an unnumbered heading is told from a short
// sentence. A heading may wrap onto one more line in PDF text.
func (t *tokenizer) headingFollows(i int, text string) bool {
	j := t.nextContent(i)
	if j < 0 {
		return false
	}
	if continuesHeading(text, t.lines[j].text) {
		if !headingLike(text + " " + t.lines[j].text) {
			return false
		}
		if j = t.nextContent(j); j < 0 {
			return false
		}
	}
	if t.opensParagraph(t.lines[j].text) {
		return true
	}
	if m := reNumbered.FindStringSubmatch(t.lines[j].text); m != nil && headingLike(m[2]) {
		return true
	}
	if headingLike(t.lines[j].text) {
		if k := t.nextContent(j); k >= 0 {
			return t.opensParagraph(t.lines[k].text)
		}
	}
	return false
}

func (t *tokenizer) opensParagraph(s string) bool {
	if m := reParaStart.FindStringSubmatch(s); m != nil {
		num, _ := strconv.Atoi(m[1])
		return num == t.nextPara || num == t.nextPara+1
	}
	_, _, ok := t.headingThenPara(s)
	return ok
}

// nextContent returns the index of the next line after i that is neither
// blank nor page furniture, or -1.
func (t *tokenizer) nextContent(i int) int {
	for j := i + 1; j < len(t.lines); j++ {
		if !t.lines[j].blank && !isFurniture(t.lines[j], t.symbol) {
			return j
		}
	}
	return -1
}

// headingLike reports whether s could be a heading: short, capitalised, and
// not ending like a sentence or a clause.
func headingLike(s string) bool {
	if s == "" || len(s) > 220 {
		return false
	}
	r := []rune(s)
	if !unicode.IsUpper(r[0]) && r[0] != '"' {
		return false
	}
	switch r[len(r)-1] {
	case '.', ';', ',', ':', '!', '?':
		return false
	}
	if strings.Count(s, " ") > 30 {
		return false
	}
	for _, p := range []string{"The Committee ", "The State party ", "The State Party ", "It ", "In accordance ",
		"Le Comité ", "L'État partie ", "L’État partie ", "Il ", "El Comité ", "El Estado parte ", "Al Comité "} {
		if strings.HasPrefix(s, p) {
			return false
		}
	}
	return true
}

// continuesHeading reports whether a line continues a heading wrapped by a
// PDF converter: it starts in lower case or with a parenthesis.
func continuesHeading(head, s string) bool {
	r := []rune(s)
	if len(r) > 0 && (unicode.IsLower(r[0]) || r[0] == '(') {
		return true
	}
	// "… punishment (art." / "15)": the line closes the heading's
	// parenthesis.
	return strings.Count(head, "(") > strings.Count(head, ")") && reClosesRef.MatchString(s)
}

// reClosesRef is the end of an article reference wrapped onto a line of
// its own: "15)", "23 and 24)", "1–4)".
var reClosesRef = lazyre.New(`^[\d\s,–\-]*(?:(?:and|et|y)\s+\d+\s*)?\)\s*$`)

func nextLetter(s string) string {
	if s == "" {
		return "a"
	}
	b := []byte(s)
	if b[len(b)-1] < 'z' {
		b[len(b)-1]++
		return string(b)
	}
	if len(b) == 1 { // after (z) comes (aa)
		return "aa"
	}
	return s + "a"
}

func isRoman(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("ivxl", c) {
			return false
		}
	}
	return true
}

// opensBlock reports whether s starts like a paragraph or an item: a
// capital letter of any script ("À la lumière", "Égalité"), a quote or a
// parenthesis.
func opensBlock(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || r == '"' || r == '(' || r == '“'
}
