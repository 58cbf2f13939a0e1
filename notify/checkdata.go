package notify

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// checkData is the sample data the start-up check runs every template
// with (see checkdata.json's _about). It ships with the program because
// the check runs in production: at start, at reload and in config check.
//
//go:embed checkdata.json
var checkData []byte

type checkSamples struct {
	Reminder          []ReminderData          `json:"reminder"`
	Escalation        []EscalationData        `json:"escalation"`
	CoordinatorDigest []CoordinatorDigestData `json:"coordinator-digest"`
	MinistryDigest    []MinistryDigestData    `json:"ministry-digest"`
}

// sampleData is the check's data for one kind of message in lang ("" is
// English): fresh values at each call, so that a template cannot change
// another's.
func sampleData(kind, lang string) ([]any, error) {
	if lang == "" {
		lang = "en"
	}
	var s checkSamples
	if err := json.Unmarshal(checkData, &s); err != nil {
		return nil, fmt.Errorf("the templates' sample data (checkdata.json): %w", err)
	}
	var out []any
	switch kind {
	case kindReminder:
		for _, d := range s.Reminder {
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			localAsks(d.Groups, d.Coordinator.Name, d.Date, lang)
			out = append(out, d)
		}
	case kindEscalation:
		for _, d := range s.Escalation {
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			localAsks(d.Groups, d.Coordinator.Name, d.Date, lang)
			for i := range d.Ministries {
				d.Ministries[i].Ministry.Language = lang
				localAsks(d.Ministries[i].Groups, d.Coordinator.Name, d.Date, lang)
			}
			out = append(out, d)
		}
	case kindCoordinatorDigest:
		for _, d := range s.CoordinatorDigest {
			d.Coordinator.Language = lang
			out = append(out, d)
		}
	case kindMinistryDigest:
		for _, d := range s.MinistryDigest {
			d.Ministry.Language, d.Coordinator.Language = lang, lang
			out = append(out, d)
		}
	default:
		return nil, fmt.Errorf("no sample data for %q", kind)
	}
	return out, nil
}

// localAsks turns each group's Ask, a stage id in checkdata.json, into
// that stage's built-in ask in lang, as plan writes it.
func localAsks(groups []ReminderGroup, coordinator string, today civil.Date, lang string) {
	for i, g := range groups {
		if g.Ask != "" {
			groups[i].Ask = ExpandAsk(config.DefaultAsk(g.Ask, lang), coordinator, g.Deadline, today, lang)
		}
	}
}
