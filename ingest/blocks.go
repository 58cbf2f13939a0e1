package ingest

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
	blank bool // a blank line came before it (front matter: ends a title)
}

var (
	reParaStart = regexp.MustCompile(`^(\d{1,3})\.(?:\s+|$)`)
	reUPRStart  = regexp.MustCompile(`^(\d{1,3})\.(\d{1,3})(?:\s+|$)`)
	// "(a)" in English, "a)" in French and Spanish.
	reItemStart   = regexp.MustCompile(`^\(?([a-z]{1,2})\)(?:\s+|$)`)
	reNumbered    = regexp.MustCompile(`^([IVXL]{1,7}|[A-Z])\.\s+(\S.*)$`)
	reLabelOnly   = regexp.MustCompile(`^(?:[IVXL]{1,7}|[A-Z])\.$`)
	reAnnex       = regexp.MustCompile(`^(?:Annex(?:es)?|Appendix)(?:\s+[IVX\d]+)?$`)
	reEmbedPara   = regexp.MustCompile(`\s(\d{1,3})\.\s+["“(\p{Lu}]`)
	reShouldStart = regexp.MustCompile(`^(?:The State [Pp]arty should|The Committee (?:also |further |strongly )*(?:recommends|urges|requests|calls)|L['’]État partie devrait|(?:Le|El) Comité (?:recommande|engage|exhorte|prie|invite|encourage|demande|recomienda|insta|alienta|exhorta|solicita|pide|invita)|El Estado parte debería)\b`)
	reUPRLead     = regexp.MustCompile(`(?i)(will be examined by|enjoy(?:ed)? the support of|did not enjoy the support|have been examined by|will be noted|were noted by|listed below)`)
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
}

func tokenize(lines []line, symbol string, paraPerLine bool) []block {
	t := &tokenizer{lines: lines, symbol: symbol, paraPerLine: paraPerLine, nextPara: 1}
	for i := 0; i < len(lines) && !t.ended; i++ {
		l := lines[i]
		if l.blank {
			t.blank = true
			continue
		}
		if isFurniture(l, symbol) {
			continue
		}
		t.feed(i, l)
	}
	return t.out
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
	s = strings.TrimRight(s, ` "')*`)
	if s == "" {
		return true
	}
	switch s[len(s)-1] {
	case '.', ';', ':', '!', '?':
		return true
	}
	return false
}

func (t *tokenizer) emit(b block) {
	switch b.kind {
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
	n := i + 1

	if t.started() && reAnnex.MatchString(text) {
		t.ended = true
		return
	}
	switch l.hint {
	case hintTitle:
		t.emit(block{kind: bFront, text: text, line: n})
		return
	case hintSection:
		t.emit(block{kind: bSection, text: text, line: n})
		return
	case hintSub:
		t.emit(block{kind: bSub, text: text, line: n})
		return
	}

	if kind, num, label, rest, ok := t.startOf(text); ok {
		t.emit(block{kind: kind, num: num, label: label, line: n})
		t.continueWith(rest, n)
		return
	}

	// A Word list nested in an item: (i), (ii)… stay in the item's text.
	if m := reItemStart.FindStringSubmatch(text); m != nil && t.inItem() && isRoman(m[1]) {
		t.roman = true
		t.appendText(text)
		return
	}

	if l.hint != hintBody && t.complete() {
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
			t.emit(block{kind: bSection, text: m[1] + ". " + m[2], line: n})
			return
		}
		if headingLike(text) && t.headingFollows(i, text) {
			t.emit(block{kind: bSub, text: text, line: n})
			return
		}
		if head, rest, ok := t.headingThenPara(text); ok {
			kind := bSub
			if m := reNumbered.FindStringSubmatch(head); m != nil {
				kind, head = bSection, m[1]+". "+m[2]
			}
			t.emit(block{kind: kind, text: head, line: n})
			t.feed(i, line{text: rest, raw: rest, hint: hintBody})
			return
		}
	}

	b := t.last()
	switch {
	case b == nil || !t.started() && b.kind != bPara:
		t.emit(block{kind: bFront, text: text, line: n})
	case (b.kind == bSection || b.kind == bSub) && !t.paraPerLine && continuesHeading(text):
		b.text = joinWrapped(b.text, text)
	case b.kind == bSection || b.kind == bSub:
		t.emit(block{kind: bText, text: "", line: n})
		t.continueWith(text, n)
	case t.paraPerLine || t.complete() && reShouldStart.MatchString(text):
		t.emit(block{kind: bText, line: n})
		t.continueWith(text, n)
	default:
		t.continueWith(text, n)
	}
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
		if (num == t.nextPara || num > t.nextPara && num <= t.nextPara+2 && t.started()) && t.complete() {
			return bPara, num, "", rest, true
		}
	}
	if m := reItemStart.FindStringSubmatch(text); m != nil && t.started() {
		nested := isRoman(m[1]) && (t.roman || t.inItem() && strings.HasSuffix(t.last().text, ":"))
		if m[1] == t.itemNext && !nested {
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
func (t *tokenizer) continueWith(text string, n int) {
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
		if next.kind != bSub && next.kind != bSection {
			next.line = n
		}
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
		if i, end := findMarker(text, "("+t.itemNext+")", ":;", false); i >= 0 {
			consider(i, end, block{kind: bItem, label: t.itemNext})
		}
		// "…les mesures suivantes : a) L'adoption…"
		if i, end := findMarker(text, t.itemNext+")", ":;", false); i >= 0 {
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
	if continuesHeading(t.lines[j].text) {
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
func continuesHeading(s string) bool {
	r := []rune(s)
	return len(r) > 0 && (unicode.IsLower(r[0]) || r[0] == '(')
}

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
