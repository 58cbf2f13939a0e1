package main

import (
	"fmt"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
	"github.com/followup-app/followup/workflow"
)

// noReport is the warning for a document that no report of the config
// takes (another State's, or a mechanism the config has no report for),
// naming its body and what to add to the config. Its tasks then work
// toward the date it gives for the next report (workflow's horizon), or
// have only their stages' deadlines. A special procedure's document whose
// deadlines the config's special_procedures: gives is not warned about:
// the admin said where they come from.
func noReport(cfg *config.Config, facts workflow.DocFacts, body, state string) (workflow.Warning, bool) {
	cal := cfg.Calendar()
	if cal.InReport(facts) {
		return workflow.Warning{}, false
	}
	if facts.Kind == workflow.SpecialProcedures && !cfg.SpecialProcedures.Horizon.IsZero() {
		return workflow.Warning{}, false
	}
	which := body + " document"
	if state != "" {
		which += " on " + state
	}
	if h, ok := cal.Horizon(facts); ok {
		return workflow.Warning{Code: "no-report", Text: fmt.Sprintf("no report of the config takes this %s: its tasks work toward the date "+
			"it gives for the next report, %s; to have them work toward a report of the config, add %s to its documents (reports: in the config)",
			which, h.Date, facts.Symbol)}, true
	}
	if facts.Kind == workflow.SpecialProcedures {
		who := body
		if state != "" {
			who += ", " + state
		}
		return workflow.Warning{Code: "no-deadline", Text: fmt.Sprintf("a special procedure's document that no report of the config takes (%s): "+
			"its tasks have only their stages' deadlines; name a report or a horizon for such documents (special_procedures: in the config)", who)}, true
	}
	return workflow.Warning{Code: "no-deadline", Text: fmt.Sprintf("no report of the config takes this %s, and it gives no date for the next report: "+
		"its tasks have only their stages' deadlines; add %s to a report's documents (reports: in the config)", which, facts.Symbol)}, true
}

// warnNoReport adds noReport's warning to each document of items that
// makes tasks (an addendum only gives positions), so that the summary,
// --strict and the daemon's log treat it as the self-check's.
func warnNoReport(cfg *config.Config, items []store.ImportItem) {
	for _, it := range items {
		d := it.Doc
		if d.Kind == workflow.UPRAddendum {
			continue
		}
		facts := workflow.DocFacts{Symbol: d.Symbol, Kind: d.Kind, Adopted: d.Adopted, NextReport: d.NextReport.Due}
		if w, ok := noReport(cfg, facts, d.Body, d.State); ok {
			d.Warnings = append(d.Warnings, w)
		}
	}
}
