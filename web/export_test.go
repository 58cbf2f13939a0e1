package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// dashFixture is a real database with the example config's ministries
// and a document of four recommendations: one in Lao, one whose text
// would be a formula in Excel.
type dashFixture struct {
	cfg *config.Config
	db  *store.DB
	now time.Time
}

func newDashFixture(t *testing.T) *dashFixture {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "examples", "lao-opsc", "followup.yaml"), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &dashFixture{cfg: cfg, now: time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)}
	f.db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "followup.db"),
		store.Options{Now: func() time.Time { return f.now }, Location: cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	d := &workflow.Document{Symbol: "CRC/C/OPSC/LAO/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations,
		Title: "Concluding observations", State: "Lao People's Democratic Republic", Adopted: civil.D(2015, 6, 5)}
	for _, r := range []workflow.Recommendation{
		{Paragraph: 8, Section: "III. Data", Verb: "recommends", Text: "Collect data on the sale of children."},
		{Paragraph: 14, Item: "a", Section: "IV. Prevention", Verb: "urges", Text: "ຝຶກອົບຮົມ ເຈົ້າໜ້າທີ່ຕຳຫຼວດ ຊາຍແດນ, \"quoted\", and a comma"},
		{Paragraph: 14, Item: "b", Section: "IV. Prevention", Verb: "urges", Text: "=HYPERLINK(\"http://evil.example\",\"click\")"},
		{Paragraph: 26, Section: "V. Prohibition", Verb: "recommends", Text: "Amend the Penal Code.\nSecond line."},
	} {
		r.ID = workflow.RecID(d.Symbol, r.Paragraph, r.Item)
		d.Recommendations = append(d.Recommendations, r)
	}
	assign := func(symbol string, rec workflow.Recommendation) workflow.Assignment {
		a := workflow.Assignment{By: "test", Stage: cfg.InitialStage}
		switch rec.Paragraph {
		case 8:
			a.Owner = "mps"
		case 14:
			a.Owner, a.Support = "moj", []string{"mps"}
		}
		return a
	}
	if _, err := f.db.Import(context.Background(), []store.ImportItem{{Doc: d, Source: "co.txt"}}, assign); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTasksCSVForExcel(t *testing.T) {
	f := newDashFixture(t)
	ctx := context.Background()
	tk, err := f.db.Task(ctx, "CRC/C/OPSC/LAO/CO/1:14a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddUpdate(ctx, store.Update{TaskID: tk.ID, Ministry: "moj", Role: store.RoleLead, Author: "Khamla", Text: "Trained 120 officers."}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTasksCSV(ctx, &buf, f.db, f.cfg, store.TaskQuery{}); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte-order mark: % x", raw[:8])
	}
	// Every line ends in CRLF, and so does the line break inside the
	// quoted text of paragraph 26 (Excel keeps it in the cell); no bare LF.
	body := string(raw[3:])
	if strings.Count(body, "\r\n") != 6 || strings.Count(body, "\n") != 6 || !strings.HasSuffix(body, "\r\n") {
		t.Errorf("want 5 CRLF-terminated records, one with a CRLF inside:\n%q", body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The example's coordinating body reads Lao: the columns are named,
	// and ministries and stages written, in Lao.
	laoHeader := "ຂໍ້ສະເໜີແນະ|ເອກະສານ|ຂໍ້|ພາກ|ພາກຍ່ອຍ|ເນື້ອໃນ|ກະຊວງຮັບຜິດຊອບຫຼັກ|ກະຊວງສະໜັບສະໜູນ|ຂັ້ນຕອນ|ຢູ່ຂັ້ນຕອນນີ້ຕັ້ງແຕ່|ຄວາມຄືບໜ້າ|ຄວາມຄືບໜ້າຫຼ້າສຸດ" +
		"|ບັນດາຫົວຂໍ້|ກຸ່ມຄົນທີ່ກ່ຽວຂ້ອງ|ຄາດໝາຍ SDG"
	if len(recs) != 5 || strings.Join(recs[0], "|") != laoHeader {
		t.Fatalf("records = %q", recs)
	}
	lao := recs[2]
	if lao[0] != "CRC/C/OPSC/LAO/CO/1:14a" || lao[2] != "14 (a)" || !strings.HasPrefix(lao[5], "ຝຶກອົບຮົມ ເຈົ້າໜ້າທີ່ຕຳຫຼວດ") ||
		lao[6] != "Ministry of Justice" || lao[7] != "Ministry of Public Security" || lao[10] != "1" || lao[11] != "2027-03-01" {
		t.Errorf("Lao row = %q", lao)
	}
	if got := recs[3][5]; got != "'=HYPERLINK(\"http://evil.example\",\"click\")" {
		t.Errorf("a formula is not neutralised: %q", got)
	}
	if got := recs[4]; got[6] != "ຍັງບໍ່ໄດ້ມອບໝາຍ" || got[5] != "Amend the Penal Code.\nSecond line." || got[11] != "" {
		t.Errorf("unassigned row = %q", got)
	}
	if stage := recs[1][8]; stage != "ມອບໝາຍແລ້ວ" {
		t.Errorf("stage = %q, want its Lao name", stage)
	}

	// An English-reading coordinating body gets English.
	cfg := *f.cfg
	cfg.Coordinator.Language = "en"
	buf.Reset()
	if err := WriteTasksCSV(ctx, &buf, f.db, &cfg, store.TaskQuery{}); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil || strings.Join(recs[0], "|") != strings.Join(csvHeader, "|") || recs[1][8] != "Assigned" || recs[4][6] != "Unassigned" {
		t.Errorf("English export = %q, %v", recs, err)
	}

	// Filters apply to the export, without a page limit.
	buf.Reset()
	if err := WriteTasksCSV(ctx, &buf, f.db, f.cfg, store.TaskQuery{Owner: "moj", Limit: 1, After: "1.1"}); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Errorf("moj's export: %d records (%v), want header + 2", len(recs), err)
	}
}

// The export reads a batch at a time; every task is written once, in
// document order, across batches.
func TestTasksCSVAcrossBatches(t *testing.T) {
	f := newDashFixture(t)
	ctx := context.Background()
	n := 2*csvBatch + 345
	d := &workflow.Document{Symbol: "CRC/C/BIG/CO/1", Body: "CRC", Kind: workflow.ConcludingObservations, Title: "Big", State: "X", Adopted: civil.D(2020, 1, 1)}
	for i := 1; i <= n; i++ {
		r := workflow.Recommendation{Paragraph: i, Section: "I", Verb: "recommends", Text: "Text " + strconv.Itoa(i)}
		r.ID = workflow.RecID(d.Symbol, r.Paragraph, r.Item)
		d.Recommendations = append(d.Recommendations, r)
	}
	if _, err := f.db.Import(ctx, []store.ImportItem{{Doc: d, Source: "big.txt"}}, func(string, workflow.Recommendation) workflow.Assignment {
		return workflow.Assignment{Owner: "moj", By: "test", Stage: f.cfg.InitialStage}
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTasksCSV(ctx, &buf, f.db, f.cfg, store.TaskQuery{Document: d.Symbol}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n+1 {
		t.Fatalf("%d records, want %d", len(recs), n+1)
	}
	for i, r := range recs[1:] {
		if want := d.Symbol + ":" + strconv.Itoa(i+1); r[0] != want {
			t.Fatalf("record %d is %s, want %s", i+1, r[0], want)
		}
	}
}
