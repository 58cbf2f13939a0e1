package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/jonboulle/clockwork"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/web"
)

const (
	linkRevokeUsage   = "--email ADDR | --ministry ID | --all [--by NAME]"
	linkSessionsUsage = "[--ministry ID] [--email ADDR] [--all]"
	linkUsage         = "MINISTRY [--email ADDR] | revoke " + linkRevokeUsage + " | sessions " + linkSessionsUsage
)

// cmdLink prints fresh signed links for the admin to send by hand, ends
// links and sessions, and lists sessions.
func cmdLink(ctx context.Context, env *environment, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "revoke":
			return cmdLinkRevoke(ctx, env, args[1:])
		case "sessions":
			return cmdLinkSessions(ctx, env, args[1:])
		}
	}
	fs, g := newFlags(env, "link", linkUsage)
	email := fs.String("email", "", "the focal point's `address` (default: every focal point of the ministry)")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("expected one MINISTRY (a ministry's id, or the coordinator's)")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	body, ok := cfg.Ministry(rest[0])
	if !ok {
		return fmt.Errorf("unknown ministry %q; expected one of: %s", rest[0], bodyIDs(cfg))
	}
	var to []string
	for _, fp := range body.FocalPoints {
		if *email == "" || strings.EqualFold(fp.Email, *email) {
			to = append(to, fp.Email)
		}
	}
	if len(to) == 0 {
		return fmt.Errorf("%s is not a focal point of %s; its focal points: %s", *email, body.ID, focalList(body))
	}
	srv, err := web.New(cfg, db, nil, cliClock(env))
	if err != nil {
		return err
	}
	out := bufio.NewWriter(env.stdout)
	defer flush(out, &err)
	for _, addr := range to {
		link, lerr := srv.Link(ctx, body.ID, addr)
		if lerr != nil {
			return lerr
		}
		// One format per command line, whatever the number of focal
		// points: a line "ADDRESS<TAB>LINK" for each of a ministry's,
		// the link alone for the one --email names.
		if *email == "" {
			fmt.Fprintf(out, "%s\t%s\n", addr, link)
		} else {
			fmt.Fprintln(out, link)
		}
	}
	return nil
}

func cmdLinkRevoke(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "link revoke", linkRevokeUsage)
	email := fs.String("email", "", "end the links and sessions of this `address`")
	ministry := fs.String("ministry", "", "end the links and sessions of every focal point of this ministry `id`")
	all := fs.Bool("all", false, "end every link and session")
	by := fs.String("by", "", "who revokes (default: $USER)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{*email != "", *ministry != "", *all} {
		if set {
			n++
		}
	}
	if n != 1 {
		return usageError("give exactly one of --email, --ministry or --all")
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	scope, what := store.ScopeAll, "every link and session"
	switch {
	case *email != "":
		scope, what = store.ScopeEmail(*email), "the links and sessions of "+*email
	case *ministry != "":
		if _, ok := cfg.Ministry(*ministry); !ok {
			return fmt.Errorf("unknown ministry %q; expected one of: %s", *ministry, bodyIDs(cfg))
		}
		scope, what = store.ScopeBody(*ministry), "the links and sessions of "+*ministry
	}
	who := *by
	if who == "" {
		who = env.getenv("USER")
	}
	ended, err := db.Revoke(ctx, scope, who)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "ended %s: %d open session(s) closed; links sent before now no longer open (followup link MINISTRY makes new ones)\n", what, ended)
	return nil
}

func cmdLinkSessions(ctx context.Context, env *environment, args []string) error {
	fs, g := newFlags(env, "link sessions", linkSessionsUsage)
	ministry := fs.String("ministry", "", "only this ministry's sessions")
	email := fs.String("email", "", "only this address's sessions")
	all := fs.Bool("all", false, "also expired and revoked sessions")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	db, cfg, err := openForReading(ctx, env, g)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := db.Sessions(ctx, store.SessionFilter{Body: *ministry, FocalPoint: *email, Active: !*all})
	if err != nil {
		return err
	}
	out := bufio.NewWriter(env.stdout)
	defer flush(out, &err)
	if len(list) == 0 {
		fmt.Fprintln(out, "no sessions")
		return nil
	}
	fmt.Fprintf(out, "%-10s %-30s %-17s %-17s %-15s %s\n", "MINISTRY", "FOCAL POINT", "OPENED", "EXPIRES", "FROM", "STATE")
	now := env.clock()()
	for _, s := range list {
		state := "open"
		switch {
		case s.Revoked:
			state = "revoked"
		case !now.Before(s.Expires):
			state = "expired"
		}
		fmt.Fprintf(out, "%-10s %-30s %-17s %-17s %-15s %s\n", s.Body, s.FocalPoint, s.Created.In(cfg.Location).Format("2006-01-02 15:04"),
			s.Expires.In(cfg.Location).Format("2006-01-02 15:04"), s.ClientAddr, state)
	}
	return nil
}

// cliClock is the commands' clock as the web package takes it.
func cliClock(env *environment) clockwork.Clock {
	if env.now != nil {
		return clockwork.NewFakeClockAt(env.now())
	}
	return clockwork.NewRealClock()
}

func bodyIDs(cfg *config.Config) string {
	ids := []string{cfg.Coordinator.ID}
	for _, m := range cfg.Ministries {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ", ")
}

func focalList(b config.Body) string {
	var list []string
	for _, fp := range b.FocalPoints {
		list = append(list, fp.Email)
	}
	return strings.Join(list, ", ")
}
