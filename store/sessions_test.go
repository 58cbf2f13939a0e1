package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessionsLifecycle(t *testing.T) {
	db, c := openTest(t)
	ctx := context.Background()
	now := c.t
	for _, s := range []Session{
		{IDHash: "a", FocalPoint: "Focal@MOJ.example", Body: "moj", Expires: now.Add(time.Hour), ClientAddr: "192.0.2.1"},
		{IDHash: "b", FocalPoint: "focal@moj.example", Body: "moj", Expires: now.Add(2 * time.Hour)},
		{IDHash: "c", FocalPoint: "sec@ncmc.example", Body: "ncmc", Coordinator: true, Expires: now.Add(time.Hour)},
		{IDHash: "old", FocalPoint: "x@mps.example", Body: "mps", Expires: now.Add(-time.Hour)},
	} {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	s, err := db.ActiveSession(ctx, "a", now)
	if err != nil || s.FocalPoint != "Focal@MOJ.example" || s.Body != "moj" || s.ClientAddr != "192.0.2.1" || !s.Expires.Equal(now.Add(time.Hour)) || s.Revoked {
		t.Fatalf("ActiveSession(a) = %+v, %v", s, err)
	}
	for _, c := range []struct {
		id string
		at time.Time
	}{{"nope", now}, {"old", now}, {"a", now.Add(time.Hour)}} {
		if _, err := db.ActiveSession(ctx, c.id, c.at); !errors.Is(err, ErrNotFound) {
			t.Errorf("ActiveSession(%s at %s) = %v, want not found", c.id, c.at, err)
		}
	}
	ids := func(f SessionFilter) []string {
		t.Helper()
		ss, err := db.Sessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ss {
			out = append(out, s.IDHash)
		}
		return out
	}
	if got := ids(SessionFilter{FocalPoint: "FOCAL@moj.example"}); len(got) != 2 {
		t.Errorf("sessions of focal@moj, any case: %v", got)
	}
	if got := ids(SessionFilter{Body: "ncmc"}); len(got) != 1 || got[0] != "c" {
		t.Errorf("sessions of ncmc: %v", got)
	}
	if got := ids(SessionFilter{Active: true}); len(got) != 3 {
		t.Errorf("active sessions: %v", got)
	}

	// Sign out ends one session; ending it again changes nothing.
	for range 2 {
		if err := db.EndSession(ctx, "b"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ActiveSession(ctx, "b", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("an ended session is still active: %v", err)
	}
	// Revoking a body's links ends its sessions and bumps its generation.
	if n, err := db.Revoke(ctx, ScopeBody("moj"), "admin"); err != nil || n != 1 {
		t.Errorf("revoke moj: %d sessions, %v", n, err)
	}
	if _, err := db.ActiveSession(ctx, "a", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("a revoked body's session is still active: %v", err)
	}
	if n, err := db.Revoke(ctx, ScopeEmail("SEC@ncmc.example"), "admin"); err != nil || n != 1 {
		t.Errorf("revoke by address, any case: %d sessions, %v", n, err)
	}
	// Every session not yet revoked is marked, the expired one included.
	if n, err := db.Revoke(ctx, ScopeAll, "admin"); err != nil || n != 1 {
		t.Errorf("revoke all: %d sessions, %v", n, err)
	}
	for _, c := range []struct {
		email, body string
		want        int64
	}{{"focal@moj.example", "moj", 2}, {"sec@ncmc.example", "ncmc", 2}, {"x@mps.example", "mps", 1}} {
		if g, err := db.LinkGeneration(ctx, c.email, c.body); err != nil || g != c.want {
			t.Errorf("generation of %s in %s = %d, %v; want %d", c.email, c.body, g, err, c.want)
		}
	}
	// A scope that names nothing is refused and bumps nothing.
	before := count(t, db, "link_generations")
	if _, err := db.Revoke(ctx, "ministry:moj", "admin"); !errors.Is(err, ErrInvalid) {
		t.Errorf("revoke an unknown scope: %v", err)
	}
	if n := count(t, db, "link_generations"); n != before {
		t.Errorf("a refused revocation wrote %d generations", n-before)
	}

	// Purging deletes the sessions that ended before the date, and only them.
	c.t = now.Add(3 * time.Hour)
	n, err := db.PurgeSessions(ctx, now.Add(30*time.Minute))
	if err != nil || n != 4 {
		t.Errorf("purge: %d, %v (want the expired one and the three revoked)", n, err)
	}
	if n := count(t, db, "web_sessions"); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}
