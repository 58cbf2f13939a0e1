package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Default returns the built-in configuration: what `followup run` uses
// without --config. Its relative paths (followup.db, mail) are relative to
// the working directory. It is valid: Parse(Show()) accepts it.
func Default() *Config {
	return defaults()
}

// defaults returns a fresh Config holding every default: each key's, from
// its row in the tables (keys.go). Load starts from it and overwrites what
// the file sets.
func defaults() *Config {
	c := &Config{}
	configSection.defaults(c)
	return c
}

// defaultStages is the follow-up workflow of a treaty body's concluding
// observations: the coordinator assigns, the ministry acknowledges and
// plans, implements, and the result goes into the next periodic report.
// Deadlines follow the usual rhythm: acknowledge within a month, plan within
// three, report progress nine months before the report is due so the
// coordinator can draft it. The first two count from the import, not the
// adoption: documents are often imported years after they were adopted,
// and a task should not be born overdue.
func defaultStages() []Stage {
	anchor := func(text string) *Anchor {
		a, err := parseAnchor(text)
		if err != nil {
			return nil // unreachable: the texts below are valid; TestDefault checks them
		}
		return a
	}
	labels := func(fr, es, lo string) map[string]string {
		return map[string]string{"fr": fr, "es": es, "lo": lo}
	}
	stages := []Stage{
		{ID: "assigned", Name: "Assigned", Next: []string{"acknowledged", "not_accepted"}, Deadline: anchor("import + 1mo"),
			Labels: labels("Attribuée", "Asignada", "ມອບໝາຍແລ້ວ")},
		{ID: "acknowledged", Name: "Acknowledged", Next: []string{"action_planned", "not_accepted"}, Deadline: anchor("import + 3mo"),
			Labels: labels("Prise en charge", "Aceptada", "ຮັບຊາບແລ້ວ")},
		{ID: "action_planned", Name: "Action planned", Next: []string{"in_progress"},
			Labels: labels("Action planifiée", "Acción planificada", "ວາງແຜນການປະຕິບັດແລ້ວ")},
		{ID: "in_progress", Name: "In progress", Next: []string{"implemented", "partially_implemented"}, Deadline: anchor("report - 9mo"),
			Labels: labels("En cours", "En curso", "ກຳລັງດຳເນີນການ")},
		{ID: "implemented", Name: "Implemented", Next: []string{"reported"},
			Labels: labels("Mise en œuvre", "Aplicada", "ປະຕິບັດແລ້ວ")},
		{ID: "partially_implemented", Name: "Partially implemented", Next: []string{"in_progress", "reported"},
			Labels: labels("Partiellement mise en œuvre", "Aplicada parcialmente", "ປະຕິບັດແລ້ວບາງສ່ວນ")},
		{ID: "reported", Name: "Reported in the periodic report", Final: true,
			Labels: labels("Traitée dans le rapport périodique", "Incluida en el informe periódico", "ລາຍງານໃນບົດລາຍງານໄລຍະແລ້ວ")},
		{ID: "not_accepted", Name: "Closed: not accepted", Final: true, OnlyStatus: []string{"noted"},
			Labels: labels("Close : non acceptée", "Cerrada: no aceptada", "ປິດ: ບໍ່ຮັບເອົາ")},
	}
	for i := range stages {
		stages[i].Ask = DefaultAsk(stages[i].ID, "en")
		stages[i].Asks = defaultAsksFor(stages[i].ID)
	}
	return stages
}

// cronParser accepts what the admin documentation promises: five fields or
// a descriptor (@daily, @every 1h), with an optional CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// cronReference is the fixed instant a schedule must fire after to count as
// one that fires: a fixed time keeps validation reproducible.
var cronReference = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

const cronExpected = "expected 5 fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily"

// parseCron parses a cron spec in zone unless it has its own TZ=/CRON_TZ=
// prefix. robfig/cron panics on a prefix without fields ("CRON_TZ=UTC",
// issues #470 and #554, unfixed in v3.0.1), so that case is refused before
// parsing, and any other panic is recovered. A spec that never fires
// ("0 0 30 2 *") is refused too.
func parseCron(spec, zone string) (sched cron.Schedule, err error) {
	fail := func(why string) error {
		return fmt.Errorf("invalid cron spec %q: %s; %s", spec, why, cronExpected)
	}
	s := strings.TrimSpace(spec)
	if s == "" {
		return nil, fail("empty")
	}
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return nil, fail("time zone prefix without fields")
		}
		name := s[strings.IndexByte(s, '=')+1 : i]
		if _, err := loadZone(name); err != nil {
			return nil, fmt.Errorf("invalid cron spec %q: unknown time zone %q; expected an IANA name such as Asia/Vientiane", spec, name)
		}
		// robfig splits the prefix at the first space, not at a tab.
		s = s[:i] + " " + strings.TrimSpace(s[i:])
	} else {
		s = "CRON_TZ=" + zone + " " + s
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fail(fmt.Sprint(r))
		}
	}()
	sched, err = cronParser.Parse(s)
	if err != nil {
		return nil, fail(err.Error())
	}
	if sched.Next(cronReference).IsZero() {
		return nil, fmt.Errorf("invalid cron spec %q: it never fires (no date matches all its fields)", spec)
	}
	return sched, nil
}

// fmtDuration writes a duration the way an admin would: 36h, 1m, 1h30m,
// not 36h0m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// defaultAsksFor returns the built-in asks of a stage in the languages
// other than English.
func defaultAsksFor(stageID string) map[string]string {
	out := map[string]string{}
	for _, l := range AskLanguages {
		out[l] = DefaultAsk(stageID, l)
	}
	return out
}
