package loadgen

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

var genStart = time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC)

// gendb is a generated database, read through database/sql.
type gendb struct {
	path string
	db   *sql.DB
}

func generate(t *testing.T, o Options) (gendb, Result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gen.db")
	res, err := Generate(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return gendb{path, db}, res
}

func count(t *testing.T, db gendb, table string) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dump hashes every row of the generated tables, in id order.
func dump(t *testing.T, db gendb) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"documents", "recommendations", "tasks", "task_events", "meta",
		"tags", "recommendation_tags", "clusters", "cluster_events", "task_support"} {
		rows, err := db.db.Query(`SELECT * FROM ` + table + ` ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%#v\n", vals)
		}
		rows.Close()
		out[table] = fmt.Sprintf("%x", h.Sum(nil))
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	o := Options{Tasks: 3000, Ministries: 12, Seed: 42, Start: genStart, RulesID: "abc"}
	a, _ := generate(t, o)
	b, _ := generate(t, o)
	da, db := dump(t, a), dump(t, b)
	for table, h := range da {
		if db[table] != h {
			t.Errorf("%s differs between two runs with the same seed", table)
		}
	}
	o.Seed = 43
	c, _ := generate(t, o)
	if dump(t, c)["tasks"] == da["tasks"] {
		t.Errorf("another seed gave the same tasks")
	}
}

func TestGenerateCounts(t *testing.T) {
	const n, m = 2600, 9
	db, res := generate(t, Options{Tasks: n, Ministries: m, Seed: 1, Start: genStart, RulesID: "rules-x"})
	if res.Tasks != n || res.Recommendations != n || count(t, db, "tasks") != n || count(t, db, "recommendations") != n {
		t.Errorf("tasks %d, recommendations %d; tables %d and %d; want %d", res.Tasks, res.Recommendations,
			count(t, db, "tasks"), count(t, db, "recommendations"), n)
	}
	if want := (n + genDocsPer - 1) / genDocsPer; res.Documents != want || count(t, db, "documents") != want {
		t.Errorf("documents %d (table %d), want %d", res.Documents, count(t, db, "documents"), want)
	}
	if res.Events != count(t, db, "task_events") || res.Events < 2*n {
		t.Errorf("events %d (table %d): want at least two per task on average", res.Events, count(t, db, "task_events"))
	}
	// Every constraint holds, though the generator writes without checking.
	var problems int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&problems); err != nil || problems != 0 {
		t.Errorf("foreign key problems: %d (%v)", problems, err)
	}
	var integrity string
	if err := db.db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("integrity_check: %s (%v)", integrity, err)
	}
	var rules string
	if err := db.db.QueryRow(`SELECT value FROM meta WHERE key = 'rules'`).Scan(&rules); err != nil || rules != "rules-x" {
		t.Errorf("meta rules = %q (%v)", rules, err)
	}

	// Owners: m001…m009 and about 3% unassigned; stages from the default
	// workflow, final ones included; both kinds of document.
	var unassigned, badOwner, kinds, finals, noted int
	db.db.QueryRow(`SELECT COUNT(*) FROM tasks WHERE owner = ''`).Scan(&unassigned)
	db.db.QueryRow(`SELECT COUNT(*) FROM tasks WHERE owner != '' AND owner NOT GLOB 'm00[1-9]'`).Scan(&badOwner)
	db.db.QueryRow(`SELECT COUNT(DISTINCT kind) FROM documents`).Scan(&kinds)
	db.db.QueryRow(`SELECT COUNT(*) FROM tasks WHERE stage IN ('reported', 'not_accepted')`).Scan(&finals)
	db.db.QueryRow(`SELECT COUNT(*) FROM tasks t JOIN recommendations r ON r.id = t.id WHERE t.stage = 'not_accepted' AND r.status != 'noted'`).Scan(&noted)
	if unassigned != res.Unassigned || unassigned < n/100 || unassigned > n/20 {
		t.Errorf("%d unassigned tasks (result says %d), want about 3%% of %d", unassigned, res.Unassigned, n)
	}
	if badOwner != 0 || kinds != 2 || finals == 0 || noted != 0 {
		t.Errorf("owners outside m001…m009: %d; document kinds: %d; final tasks: %d; not_accepted but not noted: %d", badOwner, kinds, finals, noted)
	}
	cfg := config.Default()
	total := 0
	for stage, k := range res.ByStage {
		if _, ok := cfg.Stage(stage); !ok {
			t.Errorf("stage %q is not a default stage", stage)
		}
		total += k
	}
	if total != n || len(res.ByStage) < 6 {
		t.Errorf("by stage %v", res.ByStage)
	}

	// Histories: a created event first, then stage moves ending in the
	// task's stage at stage_since.
	var broken int
	err := db.db.QueryRow(`SELECT COUNT(*) FROM tasks t WHERE
		(SELECT kind FROM task_events e WHERE e.task_id = t.id ORDER BY e.id LIMIT 1) != 'created'
		OR (t.stage != 'assigned' AND (SELECT to_value || '@' || at FROM task_events e WHERE e.task_id = t.id AND e.kind = 'stage'
			ORDER BY e.id DESC LIMIT 1) != t.stage || '@' || t.stage_since)`).Scan(&broken)
	if err != nil || broken != 0 {
		t.Errorf("%d tasks with a history that does not end in their stage (%v)", broken, err)
	}
}

// Deadlines fall before and after the start: the importer's documents are
// spread over four years, so some tasks are overdue and others not yet.
func TestGenerateDeadlinesAroundStart(t *testing.T) {
	o := Options{Tasks: 5000, Ministries: 10, Seed: 3, Start: genStart}
	g, _ := generate(t, o)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "followup.yaml"), ConfigYAML(o, "x.db", "mail"), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), g.path, store.Options{MustExist: true, Location: cfg.Location})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var groups []plan.Group
	err = db.Read(context.Background(), func(r plan.Reader) error {
		var err error
		groups, err = r.TaskGroups(context.Background(), func(string) bool { return true })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	today := workflow.Today(cfg.Location, genStart)
	before, after := 0, 0
	for _, g := range groups {
		if d, ok := cfg.Calendar().StageDeadline(g.Doc, g.Stage); ok {
			if d.Date.Before(today) {
				before++
			} else {
				after++
			}
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("stage deadlines: %d task groups before the start, %d after; want both", before, after)
	}
}

func TestGenerateRefusesAFilledDatabase(t *testing.T) {
	g, _ := generate(t, Options{Tasks: 10, Ministries: 2, Seed: 1, Start: genStart})
	_, err := Generate(context.Background(), g.path, Options{Tasks: 10, Ministries: 2, Seed: 1, Start: genStart})
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second Generate: %v, want ErrNotEmpty", err)
	}
	if n := count(t, g, "tasks"); n != 10 {
		t.Errorf("%d tasks after the refused run, want 10", n)
	}
	// The file is back in WAL mode, as the store keeps it.
	var mode string
	if err := g.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v) after Generate", mode, err)
	}
}

func TestGenConfigParses(t *testing.T) {
	for _, smtp := range []string{"", "127.0.0.1:2525"} {
		o := Options{Tasks: 100, Ministries: 25, Seed: 1, Start: genStart, SMTP: smtp}
		data := ConfigYAML(o, "/var/lib/followup/gen.db", "/var/lib/followup/mail")
		cfg, err := config.Parse("/etc/followup/gen.yaml", data, config.LoadOptions{})
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if len(cfg.Ministries) != 25 || cfg.Ministries[24].ID != "m025" || cfg.Ministries[0].FocalPoints[0].Email != "m001@example.org" {
			t.Errorf("ministries: %+v", cfg.Ministries[:1])
		}
		if len(cfg.Reports) != 2 || cfg.Reports[0].Due.String() != "2028-01-05" || cfg.Reports[1].Due.String() != "2029-01-05" ||
			len(cfg.Reports[0].Milestones) == 0 {
			t.Errorf("reports: %+v", cfg.Reports)
		}
		if cfg.Database != "/var/lib/followup/gen.db" || cfg.Digests.MaxListed != 50 {
			t.Errorf("database %q, max_listed %d", cfg.Database, cfg.Digests.MaxListed)
		}
		want := "file"
		if smtp != "" {
			want = "smtp"
			if cfg.Mail.SMTP.Host != "127.0.0.1" || cfg.Mail.SMTP.Port != 2525 || cfg.Mail.SMTP.TLS != "none" {
				t.Errorf("smtp: %+v", cfg.Mail.SMTP)
			}
		}
		if cfg.Mail.Transport != want || !strings.HasSuffix(cfg.Mail.Dir, "mail") {
			t.Errorf("transport %q dir %q, want %s", cfg.Mail.Transport, cfg.Mail.Dir, want)
		}
	}
}

// Tags and clusters come in realistic numbers, tags as the store writes
// them (the columns and recommendation_tags agree), clusters made through
// the store (their members owned by the lead, each with its history).
func TestGenerateTagsAndClusters(t *testing.T) {
	const n = 20000
	g, res := generate(t, Options{Tasks: n, Ministries: 12, Seed: 5, Start: genStart})
	var themes, persons, sdgs, distinct int
	g.db.QueryRow(`SELECT SUM(json_array_length(themes)), SUM(json_array_length(affected_persons)), SUM(json_array_length(sdgs)),
		(SELECT COUNT(*) FROM tags) FROM recommendations`).Scan(&themes, &persons, &sdgs, &distinct)
	per := func(k int) float64 { return float64(k) / n }
	if per(themes) < 2.5 || per(themes) > 3.5 || per(persons) < 1.5 || per(persons) > 2.5 || per(sdgs) < 0.7 || per(sdgs) > 1.3 {
		t.Errorf("per recommendation: %.2f themes, %.2f affected persons, %.2f SDG targets; want about 3, 2, 1", per(themes), per(persons), per(sdgs))
	}
	if distinct < 300 || distinct > 600 || distinct != res.Tags || themes+persons+sdgs != res.TagRows {
		t.Errorf("%d distinct tags (result %d), %d tag rows (result %d)", distinct, res.Tags, themes+persons+sdgs, res.TagRows)
	}
	// Every tag in the columns has its row, and no other row exists.
	var missing, extra int
	g.db.QueryRow(`SELECT COUNT(*) FROM recommendations r, json_each(r.themes) j WHERE NOT EXISTS (SELECT 1 FROM recommendation_tags rt
		JOIN tags g ON g.id = rt.tag_id WHERE rt.recommendation_id = r.id AND g.kind = 'theme' AND g.name = j.value AND rt.by_rule = 0)`).Scan(&missing)
	g.db.QueryRow(`SELECT (SELECT COUNT(*) FROM recommendation_tags) - ?`, themes+persons+sdgs).Scan(&extra)
	if missing != 0 || extra != 0 {
		t.Errorf("%d themes without their row, %d rows too many", missing, extra)
	}

	var clusters, members, small, large, leaderless, notLed, trails int
	g.db.QueryRow(`SELECT COUNT(*) FROM clusters`).Scan(&clusters)
	g.db.QueryRow(`SELECT COUNT(*) FROM tasks WHERE cluster_id IS NOT NULL`).Scan(&members)
	g.db.QueryRow(`SELECT COUNT(*) FILTER (WHERE k < 2), COUNT(*) FILTER (WHERE k > 20)
		FROM (SELECT COUNT(*) k FROM tasks WHERE cluster_id IS NOT NULL GROUP BY cluster_id)`).Scan(&small, &large)
	g.db.QueryRow(`SELECT COUNT(*) FROM clusters WHERE lead = ''`).Scan(&leaderless)
	g.db.QueryRow(`SELECT COUNT(*) FROM tasks t JOIN clusters c ON c.id = t.cluster_id WHERE c.lead != '' AND t.owner != c.lead`).Scan(&notLed)
	g.db.QueryRow(`SELECT COUNT(*) FROM tasks t WHERE t.cluster_id IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM task_events e WHERE e.task_id = t.id AND e.kind = 'cluster')`).Scan(&trails)
	if clusters != res.Clusters || members != res.Clustered || members < n*4/100 || members > n*6/100 || small != 0 || large != 0 {
		t.Errorf("%d clusters (result %d), %d members (result %d), %d under 2 and %d over 20 members; want 5%% of %d in clusters of 2 to 20",
			clusters, res.Clusters, members, res.Clustered, small, large, n)
	}
	if leaderless > clusters/10 || notLed != 0 || trails != 0 {
		t.Errorf("%d clusters without a lead, %d members not owned by their lead, %d without the event", leaderless, notLed, trails)
	}
	var unassigned int
	g.db.QueryRow(`SELECT COUNT(*) FROM tasks WHERE owner = ''`).Scan(&unassigned)
	if unassigned != res.Unassigned || res.Events != count(t, g, "task_events") {
		t.Errorf("unassigned %d (result %d), events %d (result %d)", unassigned, res.Unassigned, count(t, g, "task_events"), res.Events)
	}
}
