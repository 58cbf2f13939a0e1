package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestExampleMentionsEveryKey: the README sends the admin to the example
// as "the fully commented example": every key the file accepts is in it,
// written, commented out ("# helo: ..."), or described in a comment's
// table of a list's keys ("#   id   a short name ..."). A section added
// to the config without its place in the example (web: once) fails here.
func TestExampleMentionsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../examples/lao-opsc/followup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	tables := []struct {
		where string
		keys  []string
	}{
		{"", configSection.names()},
		{"coordinator, ministries", bodySection.names()},
		{"focal_points", focalSection.names()},
		{"reports", reportSection.names()},
		{"milestones", milestoneSection.names()},
		{"stages", stageSection.names()},
		{"assignment", assignmentSection.names()},
		{"assignment.rules", ruleSection.names()},
		{"assignment.overrides", overrideSection.names()},
		{"tags", taggingSection.names()},
		{"tags.rules", tagRuleSection.names()},
		{"special_procedures", noReportSection.names()},
		{"reminders", remindersSection.names()},
		{"schedules", schedulesSection.names()},
		{"digests", digestsSection.names()},
		{"mail", mailSection.names()},
		{"mail.smtp", smtpSection.names()},
		{"mail.retry", retrySection.names()},
		{"web", webSection.names()},
	}
	for _, tb := range tables {
		for _, k := range tb.keys {
			if strings.HasPrefix(k, "!") {
				continue // hidden: accepted only to say why it is refused
			}
			if tb.where == "mail.smtp" && k == "oauth2" {
				// Its own keys are set up step by step in docs/mail.md,
				// which the example's smtp block points to.
				if !strings.Contains(text, `"oauth2:"`) || !strings.Contains(text, "docs/mail.md") {
					t.Errorf("the example does not point to docs/mail.md for mail.smtp.oauth2")
				}
				continue
			}
			q := regexp.QuoteMeta(k)
			re := `(?m)^\s*(#\s*)*(-\s+)?` + q + `:|^\s*#\s+` + q + `\s{2,}\S`
			if tb.where == "" {
				re = `(?m)^(# )?` + q + `:` // top level: at the start of a line
			}
			if !regexp.MustCompile(re).MatchString(text) {
				where := tb.where
				if where == "" {
					where = "top level"
				}
				t.Errorf("the example does not mention %s (%s)", k, where)
			}
		}
	}
}

// TestExampleMentionsACME: web.acme's own keys are in the example's
// commented block.
func TestExampleMentionsACME(t *testing.T) {
	data, err := os.ReadFile("../examples/lao-opsc/followup.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range acmeSection.names() {
		if !regexp.MustCompile(`(?m)^\s*#\s+` + regexp.QuoteMeta(k) + `:`).Match(data) {
			t.Errorf("the example does not mention web.acme.%s", k)
		}
	}
}
