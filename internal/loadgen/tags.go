package loadgen

// Tags and clusters, as a State that imported the UHRI's annotations and
// grouped its same asks would have them (issue 19): about three themes,
// two groups of affected persons and one SDG target per recommendation,
// from a few hundred of each kind, the common ones much more common; and
// 5% of the recommendations in clusters of 2 to 20 members of the same
// State, made through the store (store.CreateCluster) once the other rows
// are written, so that the members' owners, events and audit trails are
// the store's own.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// Kinds of tag, as store writes them.
const (
	genTheme  = "theme"
	genPerson = "person"
	genSDG    = "sdg"
)

var (
	genThemeAreas = []string{"Education", "Health", "Justice", "Detention", "Torture", "Freedom of expression", "Freedom of assembly",
		"Privacy", "Water and sanitation", "Housing", "Food", "Work", "Social security", "Migration", "Trafficking",
		"Domestic violence", "Birth registration", "Participation", "Land", "Environment", "Business and human rights",
		"National human rights institution", "Equality and non-discrimination", "Human rights education"}
	genThemeAspects = []string{"legal framework", "policy", "budget", "data and statistics", "institutions", "access",
		"awareness-raising", "remedies", "monitoring", "international cooperation"}
	genPersons = []string{"children", "women and girls", "persons with disabilities", "older persons", "migrants", "refugees",
		"asylum-seekers", "internally displaced persons", "stateless persons", "Indigenous Peoples", "minorities",
		"persons deprived of liberty", "human rights defenders", "journalists", "LGBTI persons", "persons living in poverty",
		"rural populations", "persons living with HIV", "adolescents", "girls", "boys", "children in street situations",
		"children in alternative care", "unaccompanied children", "victims of trafficking", "domestic workers",
		"persons of African descent", "Roma", "youth", "civil society", "judges and lawyers", "law enforcement officials",
		"members of the armed forces", "teachers", "health workers", "parents and caregivers", "victims of torture",
		"persons with albinism", "persons who use drugs", "sex workers"}
	// genSDGs are the SDG targets drawn: the numbered ones of every goal
	// and two of the means of implementation (a, b).
	genSDGs = func() []string {
		var out []string
		for goal := 1; goal <= 17; goal++ {
			for t := 1; t <= 5+goal%5; t++ {
				out = append(out, strconv.Itoa(goal)+"."+strconv.Itoa(t))
			}
			out = append(out, strconv.Itoa(goal)+".a", strconv.Itoa(goal)+".b")
		}
		return out
	}()
)

// genThemes are the themes drawn: every area with every aspect.
var genThemes = func() []string {
	var out []string
	for _, a := range genThemeAreas {
		for _, b := range genThemeAspects {
			out = append(out, a+": "+b)
		}
	}
	return out
}()

// drawTags draws a recommendation's tags: 1 to 5 themes, 0 to 4 groups of
// persons, 0 to 2 SDG targets, each list without repeats.
func (g *generator) drawTags() workflow.Tags {
	return workflow.Tags{
		Themes:          g.drawFrom(genThemes, 1+g.tagRNG.IntN(5)),
		AffectedPersons: g.drawFrom(genPersons, g.tagRNG.IntN(5)),
		SDGs:            g.drawFrom(genSDGs, g.tagRNG.IntN(3)),
	}
}

// drawFrom draws n distinct values, the first ones of pool the most
// often.
func (g *generator) drawFrom(pool []string, n int) []string {
	var out []string
	for len(out) < n {
		u := g.tagRNG.Float64()
		v := pool[int(u*u*float64(len(pool)))]
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// writeTags adds a recommendation's rows of recommendation_tags, and the
// tags first used.
func (g *generator) writeTags(recID int64, t workflow.Tags, res *Result) error {
	for k, names := range [][]string{t.Themes, t.AffectedPersons, t.SDGs} {
		kind := []string{genTheme, genPerson, genSDG}[k]
		for _, name := range names {
			key := kind + "\x00" + name
			id, ok := g.tagIDs[key]
			if !ok {
				id = int64(len(g.tagIDs) + 1)
				g.tagIDs[key] = id
				res.Tags++
				if err := g.add(g.tags, id, kind, name); err != nil {
					return err
				}
			}
			res.TagRows++
			if err := g.add(g.recTags, id, recID, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonList is a list as the recommendation's tag columns hold it: "[]"
// for none.
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // a list of strings always encodes
	return string(b)
}

// genMember is a recommendation drawn into a cluster.
type genMember struct {
	recID string
}

// cluster draws whether a recommendation joins a cluster (5% do): the
// open group of its State takes it, and is closed when it reaches the
// size drawn for it (2 to 20, mostly small).
func (g *generator) cluster(d genDoc, recID string) {
	if g.tagRNG.IntN(100) >= 5 {
		return
	}
	key := d.state.code
	if g.groupSize[key] == 0 {
		u := g.tagRNG.Float64()
		g.groupSize[key] = 2 + int(u*u*19)
	}
	g.groups[key] = append(g.groups[key], genMember{recID})
	if len(g.groups[key]) == g.groupSize[key] {
		g.clusters = append(g.clusters, g.groups[key])
		delete(g.groups, key)
		delete(g.groupSize, key)
	}
}

// closeGroups makes clusters of the groups still open that have two
// members or more, in the order of their States.
func (g *generator) closeGroups() {
	keys := make([]string, 0, len(g.groups))
	for k := range g.groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if len(g.groups[k]) >= 2 {
			g.clusters = append(g.clusters, g.groups[k])
		}
	}
	clear(g.groups)
	clear(g.groupSize)
}

// makeClusters makes the clusters drawn, through the store, as the
// Secretariat would at o.Start: two in three with the lead the rule
// picks from the members' owners, the others with a lead and supporting
// ministries chosen by hand.
func makeClusters(ctx context.Context, path string, o Options, clusters [][]genMember, res *Result) error {
	if len(clusters) == 0 {
		return nil
	}
	start := o.Start
	if start.IsZero() {
		start = res.Start
	}
	db, err := store.Open(ctx, path, store.Options{MustExist: true, Location: time.UTC, Now: func() time.Time { return start }})
	if err != nil {
		return err
	}
	defer db.Close()
	by := store.Actor{Name: "Secretariat"}
	// The store's statements run without ctx's cancellation, which is
	// looked at between clusters instead: go-sqlite3 watches a context
	// that can end from a goroutine of its own, one per statement, and
	// the clusters' 400,000 statements at 1M tasks took 18.4 s that way
	// and 13.3 s without.
	quiet := context.WithoutCancel(ctx)
	for i, members := range clusters {
		if err := ctx.Err(); err != nil {
			return err
		}
		spec := store.ClusterSpec{Name: fmt.Sprintf("Cluster %d", i+1)}
		for _, m := range members {
			spec.Members = append(spec.Members, m.recID)
		}
		if i%3 == 2 {
			spec.Lead = MinistryID(1 + (i*7)%o.Ministries)
			if o.Ministries > 1 {
				spec.Support = []string{MinistryID(1 + (i*11+1)%o.Ministries)}
			}
		}
		if _, err := db.CreateCluster(quiet, spec, by); err != nil {
			return err
		}
		res.Clusters++
		res.Clustered += len(members)
	}
	if err := db.Close(); err != nil {
		return err
	}
	// A cluster's lead became its members' owner, and each member's
	// audit trail says so: count again.
	sqldb, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer func() { _ = sqldb.Close() }() // opened read-only: a failed close loses nothing
	return sqldb.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM task_events), (SELECT COUNT(*) FROM tasks WHERE owner = '')`).
		Scan(&res.Events, &res.Unassigned)
}
