// Package config loads and validates the admin's YAML file.
//
// Admins are not developers: every mistake is reported with file:line:column
// and what was expected, unknown keys are errors, and a config that loads is
// one the daemon can run (cron specs parse and fire, zones exist, every
// reference resolves, the SMTP password never sits in the file).
package config

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/followup-app/followup/i18n"
	"github.com/followup-app/followup/workflow"
)

// Config is a loaded, validated configuration. Zero values never reach the
// rest of the program: Load fills defaults and resolves every reference.
type Config struct {
	Path string // file it was loaded from; "" for the built-in defaults
	Dir  string // folder relative paths are resolved against

	TimeZone string         // IANA name, e.g. Asia/Vientiane
	Location *time.Location // loaded from TimeZone

	Database  string   // SQLite file, absolute or relative to the working directory after resolution
	Documents []string // files imported when the daemon starts (idempotent)

	Coordinator Body   // the coordinating body; receives digests and escalations
	Ministries  []Body // owners of tasks

	Reports      []Report
	Stages       []Stage
	InitialStage string // id of the stage new tasks start in

	Assignment Assignment
	// Tags are the config's own tag rules.
	Tags Tagging
	// SpecialProcedures says where the deadlines of a special procedure's
	// document that goes into no report come from.
	SpecialProcedures NoReport
	Reminders         Reminders
	Schedules         Schedules
	Digests           Digests
	Mail              Mail
	Web               Web

	// asksAt is where each stage's ask of the admin's own is written, by
	// stage id (see AskAt).
	asksAt map[string]Pos
}

// Body is the coordinating body or a ministry.
type Body struct {
	ID          string
	Name        string
	Language    string // BCP 47 tag, e.g. "lo" or "en"; default "en"
	FocalPoints []FocalPoint
	// LanguageAt is where Language is written in the file (zero when it is
	// not written), so that a language without mail templates is reported
	// at its value.
	LanguageAt Pos
}

// Pos is a place in the config file, for errors found after loading.
type Pos struct {
	File         string
	Line, Column int
	Path         string // YAML path, e.g. "ministries[3].language"
}

// Error returns an *Error at p about msg; at the file as a whole when p is
// zero.
func (p Pos) Error(file, msg string) *Error {
	if p.File != "" {
		file = p.File
	}
	if p.Path != "" {
		msg = p.Path + ": " + msg
	}
	return &Error{File: file, Line: p.Line, Column: p.Column, Msg: oneLine(msg)}
}

// FocalPoint is one person or unit that receives a body's mail.
type FocalPoint struct {
	Name  string
	Unit  string // optional division, e.g. "Border Police Department"
	Email string // validated address (net/mail)
}

// Kinds of report.
const (
	ReportPeriodic   = "periodic"     // a periodic report to a treaty body
	ReportInitial    = "initial"      // an initial report to a treaty body
	ReportUPR        = "upr"          // a national report to the Universal Periodic Review
	ReportUPRMidTerm = "upr-mid-term" // a voluntary mid-term report on UPR recommendations
)

// ReportKinds lists the kinds of report, the default first.
var ReportKinds = []string{ReportPeriodic, ReportInitial, ReportUPR, ReportUPRMidTerm}

// DefaultWordLimit is the UN's word limit for a kind of report: General
// Assembly resolution 68/268 (initial 31,800, periodic 21,200 words) and
// Human Rights Council decision 17/119 (UPR national reports, 10,700).
// Mid-term reports have none.
func DefaultWordLimit(kind string) int {
	switch kind {
	case ReportPeriodic:
		return 21200
	case ReportInitial:
		return 31800
	case ReportUPR:
		return 10700
	}
	return 0
}

// AskPlaceholders are the words an ask may hold in braces.
var AskPlaceholders = []string{"{coordinator}", "{deadline}", "{by}"}

// DefaultAsk is the ask of a stage the config gives none for, in a
// language ("" or "en" English, "fr", "es", "lo"; English for another):
// what the default stages ask, and for another stage a generic request.
func DefaultAsk(stageID, lang string) string {
	tag, _ := i18n.Match(lang) // English for another language
	asks := defaultAsks[tag]
	if a, ok := asks[stageID]; ok {
		return a
	}
	return asks[""]
}

// AskLanguages are the languages other than English that followup has
// default asks in, as it has templates in them.
var AskLanguages = i18n.Languages()[1:]

// defaultAsks are the built-in asks by language and stage id; "" is the
// ask of a stage that is not built in. The French, Spanish and Lao ones say
// what the English ones say, in the register of an official letter.
var defaultAsks = map[string]map[string]string{
	"en": {
		"assigned":              "Please confirm to the {coordinator} {by} that your ministry has received these recommendations.",
		"acknowledged":          "Please send the {coordinator} {by} the actions your ministry plans for these recommendations.",
		"action_planned":        "Please tell the {coordinator} {by} when your ministry starts the planned actions.",
		"in_progress":           "Please send the {coordinator} {by} what your ministry has done on these recommendations, for the periodic report.",
		"implemented":           "Please send the {coordinator} {by} the evidence of what your ministry has implemented, for the periodic report.",
		"partially_implemented": "Please send the {coordinator} {by} the evidence of what your ministry has implemented, for the periodic report.",
		"":                      "Please tell the {coordinator} {by} where your ministry stands on these recommendations.",
	},
	"fr": {
		"assigned":              "Veuillez confirmer à {coordinator} {by} que votre ministère a bien reçu ces recommandations.",
		"acknowledged":          "Veuillez communiquer à {coordinator} {by} les mesures que votre ministère prévoit de prendre pour donner suite à ces recommandations.",
		"action_planned":        "Veuillez indiquer à {coordinator} {by} la date à laquelle votre ministère engagera les actions prévues.",
		"in_progress":           "Veuillez transmettre à {coordinator} {by} un état des actions menées par votre ministère sur ces recommandations, en vue du rapport périodique.",
		"implemented":           "Veuillez transmettre à {coordinator} {by} les éléments attestant de la mise en œuvre de ces recommandations par votre ministère, en vue du rapport périodique.",
		"partially_implemented": "Veuillez transmettre à {coordinator} {by} les éléments attestant de la mise en œuvre de ces recommandations par votre ministère, en vue du rapport périodique.",
		"":                      "Veuillez informer {coordinator} {by} de l’état d’avancement de votre ministère sur ces recommandations.",
	},
	"es": {
		"assigned":              "Le rogamos que confirme a {coordinator} {by} que su ministerio ha recibido estas recomendaciones.",
		"acknowledged":          "Le rogamos que comunique a {coordinator} {by} las medidas que su ministerio prevé adoptar respecto de estas recomendaciones.",
		"action_planned":        "Le rogamos que indique a {coordinator} {by} cuándo comenzará su ministerio las acciones previstas.",
		"in_progress":           "Le rogamos que envíe a {coordinator} {by} información sobre lo realizado por su ministerio respecto de estas recomendaciones, para el informe periódico.",
		"implemented":           "Le rogamos que envíe a {coordinator} {by} los elementos que acrediten la aplicación de estas recomendaciones por su ministerio, para el informe periódico.",
		"partially_implemented": "Le rogamos que envíe a {coordinator} {by} los elementos que acrediten la aplicación de estas recomendaciones por su ministerio, para el informe periódico.",
		"":                      "Le rogamos que informe a {coordinator} {by} sobre la situación de su ministerio respecto de estas recomendaciones.",
	},
	"lo": {
		"assigned":              "ກະລຸນາຢືນຢັນຕໍ່ {coordinator} {by} ວ່າກະຊວງຂອງທ່ານໄດ້ຮັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ແລ້ວ.",
		"acknowledged":          "ກະລຸນາສົ່ງມາດຕະການທີ່ກະຊວງຂອງທ່ານວາງແຜນໄວ້ສຳລັບຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ ໃຫ້ {coordinator} {by}.",
		"action_planned":        "ກະລຸນາແຈ້ງໃຫ້ {coordinator} ຊາບ {by} ວ່າກະຊວງຂອງທ່ານຈະເລີ່ມປະຕິບັດກິດຈະກຳທີ່ວາງແຜນໄວ້ເມື່ອໃດ.",
		"in_progress":           "ກະລຸນາສົ່ງຜົນການປະຕິບັດຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ຂອງກະຊວງທ່ານ ໃຫ້ {coordinator} {by} ເພື່ອກະກຽມບົດລາຍງານໄລຍະ.",
		"implemented":           "ກະລຸນາສົ່ງຫຼັກຖານການປະຕິບັດຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ຂອງກະຊວງທ່ານ ໃຫ້ {coordinator} {by} ເພື່ອກະກຽມບົດລາຍງານໄລຍະ.",
		"partially_implemented": "ກະລຸນາສົ່ງຫຼັກຖານການປະຕິບັດຂໍ້ສະເໜີແນະເຫຼົ່ານີ້ຂອງກະຊວງທ່ານ ໃຫ້ {coordinator} {by} ເພື່ອກະກຽມບົດລາຍງານໄລຍະ.",
		"":                      "ກະລຸນາແຈ້ງໃຫ້ {coordinator} ຊາບ {by} ກ່ຽວກັບຄວາມຄືບໜ້າຂອງກະຊວງທ່ານໃນການປະຕິບັດຂໍ້ສະເໜີແນະເຫຼົ່ານີ້.",
	},
}

// The policy the workflow applies is declared by package workflow, which
// owns the domain; the config reads and checks it into these types. The
// aliases keep the config's own names for them.
type (
	Stage      = workflow.Stage
	Anchor     = workflow.Anchor
	Report     = workflow.Report
	Milestone  = workflow.Milestone
	Assignment = workflow.AssignmentRules
	Rule       = workflow.Rule
	Override   = workflow.Override
	Reminders  = workflow.ReminderPolicy
)

// Schedules are the cron specs of the daemon's jobs, in the config's zone
// unless a spec starts with CRON_TZ=.
type Schedules struct {
	Reminders         Schedule
	CoordinatorDigest Schedule
	MinistryDigest    Schedule
	// Grace: after downtime a missed slot runs once if it is at most this
	// old; older slots are logged and skipped.
	Grace time.Duration
	// Heartbeat is how often the daemon wakes to look for due slots and
	// pending mail.
	Heartbeat time.Duration
}

// Schedule is one validated cron spec.
type Schedule struct {
	Spec     string        // as written
	Schedule cron.Schedule // parsed, never nil after Load
}

// Digests configures the coordinator and ministry digests.
type Digests struct {
	SendEmpty bool // send a digest even when there is nothing to report
	MaxListed int  // longest list of tasks shown in one section of a digest
}

// Mail configures delivery.
type Mail struct {
	From      string // RFC 5322 address, may carry a display name
	Transport string // "file" or "smtp"
	Dir       string // for the file transport: folder of .eml files
	Templates string // optional folder of template overrides
	SMTP      SMTP
	Retry     Retry
}

// SMTP is the relay to send through.
type SMTP struct {
	Host     string
	Port     int
	TLS      string // "starttls" (required, default), "opportunistic", "none", "tls" (implicit)
	Username string
	// Password is read from PasswordEnv or PasswordFile at load time; it is
	// never written in the config file and never printed.
	Password     Secret
	PasswordEnv  string
	PasswordFile string
	Timeout      time.Duration
	HELO         string
	// OAuth2, when set, signs in with a token (XOAUTH2) instead of a
	// password; Username is then the mailbox followup sends as.
	OAuth2 *OAuth2
}

// Retry is the backoff policy for temporary delivery failures.
type Retry struct {
	Initial     time.Duration // first wait, doubled each attempt, with jitter
	Max         time.Duration // longest wait
	MaxAttempts int           // then the message is marked failed
}

// Ministry returns the body with the given id, looking at the coordinator
// too.
func (c *Config) Ministry(id string) (Body, bool) {
	if id == c.Coordinator.ID {
		return c.Coordinator, true
	}
	for _, m := range c.Ministries {
		if m.ID == id {
			return m, true
		}
	}
	return Body{}, false
}

// AskAt is where the ask of a stage is written when it is the admin's own
// sentence (zero for the built-in one), so that a ministry's language it
// has no version in is reported there.
func (c *Config) AskAt(stageID string) Pos { return c.asksAt[stageID] }

// Calendar works out the deadlines of task groups under this config's
// stages and reports. Make one per sweep or request: it is not safe for
// concurrent use.
func (c *Config) Calendar() *workflow.Calendar {
	return workflow.NewCalendar(c.Stages, c.Reports).WithNoReport(c.SpecialProcedures)
}

// Stage returns the stage with the given id.
func (c *Config) Stage(id string) (Stage, bool) {
	for _, s := range c.Stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}

// ShownStage is the stage a task of owner in stage is shown in, to name
// it (Stage.Label): workflow.AwaitingOwnerStage for a task nobody owns
// that is still in the initial stage, else its own; a stage the config no
// longer has by its id alone.
func (c *Config) ShownStage(owner, stage string) Stage {
	if workflow.Awaiting(c.InitialStage, owner, stage) {
		return workflow.AwaitingOwnerStage()
	}
	if s, ok := c.Stage(stage); ok {
		return s
	}
	return Stage{ID: stage}
}
