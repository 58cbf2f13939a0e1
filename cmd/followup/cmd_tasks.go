package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

type jsonDeadline struct {
	Date    string `json:"date"`
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	Overdue bool   `json:"overdue"`
	Days    int    `json:"days"` // from today; negative when overdue
}

type jsonTask struct {
	ID           string        `json:"id"`
	Task         int64         `json:"task"`
	Document     string        `json:"document"`
	Paragraph    int           `json:"paragraph"`
	Item         string        `json:"item"`
	Owner        string        `json:"owner"`
	OwnerName    string        `json:"owner_name"`
	Unassigned   bool          `json:"unassigned"`
	Support      []string      `json:"support"`
	AssignedBy   string        `json:"assigned_by"`
	Manual       bool          `json:"manual"`
	Stage        string        `json:"stage"`
	StageSince   string        `json:"stage_since"`
	NextDeadline *jsonDeadline `json:"next_deadline"`
	Status       string        `json:"status"`
	Text         string        `json:"text"`
}

func toJSONTask(cfg *config.Config, t workflow.Task, today civil.Date, next *workflow.Deadline) jsonTask {
	out := jsonTask{
		ID: t.Rec.ID, Task: t.ID, Document: t.Document.Symbol, Paragraph: t.Rec.Paragraph, Item: t.Rec.Item,
		Owner: t.Owner, OwnerName: ministryName(cfg, t.Owner), Unassigned: t.Unassigned(), Support: t.Support,
		AssignedBy: t.By, Manual: t.Manual, Stage: t.Stage, StageSince: t.StageDate.String(), Status: t.Rec.Status, Text: t.Rec.Text,
	}
	if out.Support == nil {
		out.Support = []string{}
	}
	if next != nil {
		out.NextDeadline = &jsonDeadline{Date: next.Date.String(), Kind: string(next.Kind), Label: next.Label,
			Overdue: next.Overdue(today), Days: today.DaysUntil(next.Date)}
	}
	return out
}

const (
	tasksUsage       = "[--ministry ID] [--stage S] [--doc SYMBOL] [--theme T] [--person P] [--sdg N] [--overdue] [--due-within 30d] [--json]"
	taskShowUsage    = "ID [--json]"
	taskAdvanceUsage = "ID STAGE --by NAME [--note TEXT]"
	taskAssignUsage  = "ID MINISTRY [--support ID,ID] --by NAME [--note TEXT]"
	taskUsage        = "show " + taskShowUsage + " | advance " + taskAdvanceUsage + " | assign " + taskAssignUsage
)

func cmdTasks(ctx context.Context, env *environment, args []string) (err error) {
	fs, g := newFlags(env, "tasks", tasksUsage)
	ministry := fs.String("ministry", "", "only tasks this ministry `id` owns (\"unassigned\" for those no ministry owns)")
	stage := fs.String("stage", "", "only tasks in this `stage`")
	doc := fs.String("doc", "", "only tasks of the document with this `symbol`")
	tags := addTagFlags(fs)
	overdue := fs.Bool("overdue", false, "only tasks whose next deadline has passed")
	within := fs.String("due-within", "", "only tasks whose next deadline falls within this `span` from today (e.g. 30d, 2w, 3mo)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var span civil.Span
	if *within != "" {
		var err error
		if span, err = civil.ParseSpan(*within); err != nil {
			return usageError("--due-within: %v", err)
		}
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	if *ministry != "" && *ministry != "unassigned" {
		if _, ok := cfg.Ministry(*ministry); !ok {
			return usageError("--ministry: unknown ministry %q; expected one of: %s, unassigned", *ministry, strings.Join(ministryIDs(cfg), ", "))
		}
	}
	if *stage != "" {
		if _, ok := cfg.Stage(*stage); !ok {
			return usageError("--stage: unknown stage %q; expected one of: %s", *stage, strings.Join(stageIDs(cfg), ", "))
		}
	}
	tf, err := tags.filter(ctx, db)
	if err != nil {
		return err
	}
	now := env.clock()()
	today := workflow.Today(cfg.Location, now)
	cal := cfg.Calendar()
	owner := *ministry
	w := bufio.NewWriter(env.stdout)
	defer flush(w, &err)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if *asJSON {
		fmt.Fprint(w, "[")
	} else {
		fmt.Fprintln(tw, "ID\tOWNER\tSTAGE\tNEXT DEADLINE\t\tTEXT")
	}
	n := 0
	err = db.Tasks(ctx, store.TaskFilter{Owner: owner, Stage: *stage, Document: *doc, Tags: tf}, func(t workflow.Task) error {
		next, ok := cal.NextDeadline(t, today)
		var np *workflow.Deadline
		if ok {
			np = &next
		}
		if *overdue && (np == nil || !np.Overdue(today)) {
			return nil
		}
		if *within != "" && (np == nil || np.Date.Before(today) || np.Date.After(today.Add(span))) {
			return nil
		}
		n++
		if *asJSON {
			b, err := json.Marshal(toJSONTask(cfg, t, today, np))
			if err != nil {
				return err
			}
			if n > 1 {
				w.WriteString(",")
			}
			w.WriteString("\n  ")
			_, err = w.Write(b)
			return err
		}
		owner := t.Owner
		if t.Unassigned() {
			owner = "unassigned"
		}
		if len(t.Support) > 0 {
			owner += " +" + strings.Join(t.Support, ",")
		}
		deadline, when := "-", ""
		if np != nil {
			deadline = np.Date.String()
			when = dueText(today, *np)
		}
		// The stage shown: "unassigned" for a task nobody owns still in the
		// initial stage (workflow.ShownStage).
		stage := workflow.ShownStage(cfg.InitialStage, t.Owner, t.Stage)
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Rec.ID, owner, stage, deadline, when, clip(t.Rec.Text, 60))
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if n > 0 {
			w.WriteString("\n")
		}
		fmt.Fprintln(w, "]")
		return nil
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(w, "(no task matches)")
	}
	return nil
}

// dueText says how far a deadline is: "in 12 days", "today", "3 days overdue".
func dueText(today civil.Date, d workflow.Deadline) string {
	days := today.DaysUntil(d.Date)
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days > 0:
		return fmt.Sprintf("in %d days", days)
	case d.Overdue(today) && days == -1:
		return "1 day overdue"
	case d.Overdue(today):
		return fmt.Sprintf("%d days overdue", -days)
	}
	return fmt.Sprintf("%d days ago", -days)
}

func ministryIDs(cfg *config.Config) []string {
	ids := []string{cfg.Coordinator.ID}
	for _, m := range cfg.Ministries {
		ids = append(ids, m.ID)
	}
	return ids
}

func stageIDs(cfg *config.Config) []string {
	var ids []string
	for _, s := range cfg.Stages {
		ids = append(ids, s.ID)
	}
	return ids
}

func cmdTask(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		return usageError("expected show, advance or assign")
	}
	switch args[0] {
	case "show":
		return taskShow(ctx, env, args[1:])
	case "advance":
		return taskAdvance(ctx, env, args[1:])
	case "assign":
		return taskAssign(ctx, env, args[1:])
	case "-h", "--help", "-help":
		fs, _ := newFlags(env, "task", taskUsage)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q: expected show, advance or assign", args[0])
}

func taskShow(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "task show", taskShowUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("expected one task ID, such as CRC/C/OPSC/LAO/CO/1:14a")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Task(ctx, rest[0])
	if err != nil {
		return err
	}
	events, err := db.History(ctx, t.ID)
	if err != nil {
		return err
	}
	now := env.clock()()
	today := workflow.Today(cfg.Location, now)
	next, ok := cfg.Calendar().NextDeadline(t, today)
	var np *workflow.Deadline
	if ok {
		np = &next
	}
	if *asJSON {
		type jsonEvent struct {
			At    string `json:"at"`
			Actor string `json:"actor"`
			Kind  string `json:"kind"`
			From  string `json:"from"`
			To    string `json:"to"`
			Note  string `json:"note"`
		}
		out := struct {
			jsonTask
			Deadlines []jsonDeadline `json:"deadlines"`
			Allowed   []string       `json:"allowed_stages"`
			History   []jsonEvent    `json:"history"`
		}{jsonTask: toJSONTask(cfg, t, today, np), Deadlines: []jsonDeadline{}, History: []jsonEvent{},
			Allowed: workflow.AllowedNext(cfg.Stages, t.Stage, t.Rec.Status)}
		for _, d := range cfg.Calendar().Deadlines(t) {
			out.Deadlines = append(out.Deadlines, jsonDeadline{d.Date.String(), string(d.Kind), d.Label, d.Overdue(today), today.DaysUntil(d.Date)})
		}
		for _, e := range events {
			out.History = append(out.History, jsonEvent{e.At.In(cfg.Location).Format(time.RFC3339), e.Actor, e.Kind, e.From, e.To, e.Note})
		}
		if out.Allowed == nil {
			out.Allowed = []string{}
		}
		return writeJSON(env.stdout, out)
	}
	w := env.stdout
	printRecommendation(w, t.Document.Symbol, withRuleTags(cfg, t.Document.Symbol, t.Rec))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  Owner:      %s", ministryName(cfg, t.Owner))
	if t.Manual {
		fmt.Fprintf(w, " (assigned by hand by %s)", t.By)
	} else {
		fmt.Fprintf(w, " (%s)", t.By)
	}
	fmt.Fprintln(w)
	if len(t.Support) > 0 {
		var names []string
		for _, s := range t.Support {
			names = append(names, ministryName(cfg, s))
		}
		fmt.Fprintf(w, "  Supporting: %s\n", strings.Join(names, "; "))
	}
	stage := stageName(cfg, t.Stage)
	if workflow.Awaiting(cfg.InitialStage, t.Owner, t.Stage) {
		// Not yet assigned, in the stage advance moves it from.
		stage = cfg.ShownStage(t.Owner, t.Stage).Name + " (" + t.Stage + ")"
	}
	fmt.Fprintf(w, "  Stage:      %s since %s", stage, t.StageDate)
	if allowed := workflow.AllowedNext(cfg.Stages, t.Stage, t.Rec.Status); len(allowed) > 0 {
		fmt.Fprintf(w, " (next: %s)", strings.Join(allowed, ", "))
	}
	fmt.Fprintln(w)
	if np != nil {
		fmt.Fprintf(w, "  Next deadline: %s, %s (%s)\n", np.Date, np.Label, dueText(today, *np))
	}
	if ds := cfg.Calendar().Deadlines(t); len(ds) > 0 {
		fmt.Fprintln(w, "\nDeadlines:")
		for _, d := range ds {
			fmt.Fprintf(w, "  %s  %-10s %s (%s)\n", d.Date, d.Kind, d.Label, dueText(today, d))
		}
	}
	fmt.Fprintln(w, "\nHistory:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range events {
		change := e.From + " → " + e.To
		if e.From == "" {
			change = e.To
		}
		note := ""
		if e.Note != "" {
			note = "  " + e.Note
		}
		if e.FocalPoint != "" {
			// Done through a signed link: whose link, and from where.
			note += fmt.Sprintf("  [link of %s, from %s]", e.FocalPoint, e.ClientAddr)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s%s\n", e.At.In(cfg.Location).Format("2006-01-02 15:04"), e.Actor, e.Kind, change, note)
	}
	return tw.Flush()
}

func stageName(cfg *config.Config, id string) string {
	if s, ok := cfg.Stage(id); ok && s.Name != "" && s.Name != id {
		return s.Name + " (" + id + ")"
	}
	return id
}

func taskAdvance(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "task advance", taskAdvanceUsage)
	by := fs.String("by", "", "`name` of the person making the change (required)")
	note := fs.String("note", "", "why, or what was done (kept in the task's history)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usageError("expected a task ID and a STAGE")
	}
	if strings.TrimSpace(*by) == "" {
		return usageError("--by NAME is required: the history records who made each change")
	}
	db, cfg, err := openForWriting(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.Advance(ctx, rest[0], rest[1], store.Actor{Name: *by}, *note, func(t workflow.Task) error {
		return workflow.CheckTransition(cfg.Stages, t, rest[1])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: now %s\n", t.Rec.ID, stageName(cfg, t.Stage))
	return nil
}

func taskAssign(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "task assign", taskAssignUsage)
	support := fs.String("support", "", "comma-separated `ids` of supporting ministries")
	by := fs.String("by", "", "`name` of the person making the change (required)")
	note := fs.String("note", "", "why (kept in the task's history)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usageError("expected a task ID and a MINISTRY")
	}
	if strings.TrimSpace(*by) == "" {
		return usageError("--by NAME is required: the history records who made each change")
	}
	db, cfg, err := openForWriting(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	owner := rest[1]
	if owner == "unassigned" {
		owner = "" // back to the coordinating body, to be assigned later
	} else if _, ok := cfg.Ministry(owner); !ok {
		return fmt.Errorf("unknown ministry %q; expected one of: %s, unassigned", owner, strings.Join(ministryIDs(cfg), ", "))
	}
	var sup []string
	for _, s := range strings.Split(*support, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, ok := cfg.Ministry(s); !ok {
			return fmt.Errorf("--support: unknown ministry %q; expected one of: %s", s, strings.Join(ministryIDs(cfg), ", "))
		}
		if s == rest[1] {
			return fmt.Errorf("--support: %s already owns the task", s)
		}
		if !slices.Contains(sup, s) {
			sup = append(sup, s)
		}
	}
	t, err := db.Assign(ctx, rest[0], owner, sup, store.Actor{Name: *by}, *note)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s: now owned by %s\n", t.Rec.ID, ministryName(cfg, t.Owner))
	return nil
}
