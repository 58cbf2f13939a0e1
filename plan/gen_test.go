package plan_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/loadgen"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/plan"
	"github.com/followup-app/followup/store"
)

// generatedEnv is a generated State of n tasks (followup gen) as of start,
// with its config.
func generatedEnv(t *testing.T, n int, start time.Time) *env {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "gen.db")
	o := loadgen.Options{Tasks: n, Ministries: 12, Seed: 7, Start: start}
	cfg, err := config.Parse(filepath.Join(dir, "followup.yaml"), loadgen.ConfigYAML(o, path, filepath.Join(dir, "mail")), config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Some owners the config does not know: their tasks go to the
	// coordinator.
	cfg.Ministries = cfg.Ministries[:10]
	if _, err := loadgen.Generate(context.Background(), path, o); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, cfg: cfg, now: start}
	if e.db, err = store.Open(context.Background(), path, store.Options{Now: func() time.Time { return e.now }, Location: cfg.Location}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	if e.raw, err = sql.Open("sqlite3", "file:"+path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.raw.Close() })
	renderer, err := notify.NewRenderer("", cfg.Location)
	if err != nil {
		t.Fatal(err)
	}
	e.p = &plan.Planner{Config: cfg, Renderer: renderer, Now: func() time.Time { return e.now }}
	return e
}
