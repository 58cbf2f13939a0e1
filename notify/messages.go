package notify

import (
	"time"

	"github.com/followup-app/followup/civil"
	"github.com/followup-app/followup/config"
)

// The data each kind of message is rendered from. Package plan fills them
// from the store; templates (embedded, or the admin's overrides) turn them
// into a subject, a plain-text body and an HTML body. Field names are part
// of the template contract documented in docs/languages.md: rename nothing.

// Rendered is a message ready to compose.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	// Language is the message's language tag, for Content-Language.
	Language string
}

// TaskLine is one task in a list.
type TaskLine struct {
	ID        string // recommendation id, e.g. CRC/C/OPSC/LAO/CO/1:14a
	Paragraph string // for people: "14 (a)", "122.17"
	Text      string // the recommendation's text (templates shorten it)
	Stage     string // stage name
	Owner     string // owner's name, or "Unassigned"
	OwnerID   string // owner's id, "" when unassigned
	// The task's next deadline, if any.
	Deadline      civil.Date
	DeadlineLabel string
	DaysLeft      int  // from the message's date; negative when overdue
	Overdue       bool // the deadline is hard and has passed
	// Also lists the task's other deadlines a reminder or an escalation is
	// about: the message lists each task once, under its most pressing
	// deadline, with the others here.
	Also []DeadlineLine
	// URL opens the task's page through the recipient's personal link
	// (package web); "" when the web server is off. A cluster's line
	// opens the cluster's page.
	URL string
	// Cluster, when set, makes the line a cluster's: recommendations that
	// one action answers, listed once with their members named, not each
	// as a task of its own. ID is then the cluster's name (calendars name
	// it), Stage and Owner the first member's, and Deadline the nearest of
	// the members'.
	Cluster *ClusterLine
}

// ClusterLine is a cluster in a list of tasks.
type ClusterLine struct {
	Name  string
	Count int // its members
	// Members name the first of them by mechanism and year ("UPR 2025,
	// A/HRC/59/15, 140.6"); More counts the others.
	Members []string
	More    int
}

// DeadlineLine is one more deadline of a listed task.
type DeadlineLine struct {
	Kind     string // as ReminderGroup.Kind: lead, due, overdue, escalation
	Date     civil.Date
	Label    string
	DaysLeft int // negative when overdue
}

// ReminderGroup is one deadline and the tasks a reminder is about.
type ReminderGroup struct {
	Kind     string     // "lead" (it is coming), "due" (today), "overdue", "escalation"
	Deadline civil.Date // the deadline's date
	Label    string     // what is due: "leave stage Assigned", "Ministries' inputs (crc-next)"
	DaysLeft int        // negative when overdue
	// Ask is what is asked of the ministry for this deadline, one sentence
	// with the date in it ("Please confirm to the National Commission by 22
	// December 2026 that your ministry has received these
	// recommendations."); see ExpandAsk.
	Ask   string
	Tasks []TaskLine
	More  int // tasks in this group not listed (the list is capped)
}

// ReminderData is a ministry's reminder: one per ministry per sweep.
type ReminderData struct {
	Ministry    config.Body
	Coordinator config.Body
	Date        civil.Date // the sweep's date in the config's zone
	Groups      []ReminderGroup
	TaskCount   int  // tasks in all groups, listed or not
	AnyOverdue  bool // some group is overdue
	// A reminder lists a bounded number of tasks: the groups that did not
	// fit are only counted here (tasks coming, tasks overdue, deadlines).
	OmittedSoon, OmittedOverdue, OmittedGroups int
	// Link is the recipient's personal signed link (package web): it
	// opens a session on their pages. "" when the web server is off.
	Link string
	// Calendar tells whether a calendar file of the coming deadlines is
	// attached (there is none when every deadline has passed).
	Calendar bool
}

// EscalationData tells the coordinator, once per reminder sweep, which
// ministries have tasks long overdue; those ministries are in copy. The
// coordinator's own tasks are never escalated to it.
type EscalationData struct {
	Coordinator config.Body
	Date        civil.Date
	After       civil.Span // how long overdue triggers an escalation
	TaskCount   int        // tasks of every ministry concerned
	// Ministries are those concerned, in the config's order.
	Ministries []EscalatedMinistry
	// Ministry, Groups and the omitted counts are those of the first
	// ministry concerned: what a template written for one escalation per
	// ministry (before issue 10) shows. New templates range over
	// Ministries.
	Ministry                    config.Body
	Groups                      []ReminderGroup
	OmittedTasks, OmittedGroups int
	// Link is the recipient's personal link to their page on the web
	// server, "" when it is off.
	Link string
}

// EscalatedMinistry is one ministry an escalation is about.
type EscalatedMinistry struct {
	Ministry  config.Body
	TaskCount int
	Groups    []ReminderGroup
	// Groups that did not fit in the message, only counted.
	OmittedTasks, OmittedGroups int
	// RemindersDelivered counts the reminders the ministry's mail server
	// accepted (not those merely queued: an escalation claims only what
	// reached the ministry); LastReminder is when the last one was sent.
	RemindersDelivered int
	LastReminder       time.Time
}

// ReportCountdown is a report's due date and its milestones.
type ReportCountdown struct {
	ID, Title  string
	Due        civil.Date
	DaysLeft   int
	Milestones []MilestoneCountdown
}

// MilestoneCountdown is one milestone before a report's due date.
type MilestoneCountdown struct {
	Name     string
	Date     civil.Date
	DaysLeft int
	Passed   bool
}

// StageInfo names a stage, in the config's order.
type StageInfo struct {
	ID    string
	Name  string
	Final bool
}

// MinistryProgress counts one owner's tasks per stage.
type MinistryProgress struct {
	ID      string // "" for unassigned tasks
	Name    string
	Counts  []int // per stage, in the order of CoordinatorDigestData.Stages
	Open    int   // tasks not in a final stage
	Closed  int   // tasks in a final stage
	Total   int
	Overdue int
}

// ChangeLine is one change since the last digest.
type ChangeLine struct {
	At     time.Time
	TaskID string
	Actor  string
	Kind   string // created, stage, assign, import
	From   string
	To     string
	Note   string
}

// AutomaticLine counts what the program did by itself since the previous
// overview: "43 tasks created by import" (Actor import, Kind created),
// "5 tasks assigned by the assignment rules" (Actor rules, Kind assign).
type AutomaticLine struct {
	Actor string
	Kind  string
	Tasks int
}

// DeliveryLine is a message that could not be delivered, or may have been
// delivered twice.
type DeliveryLine struct {
	At      time.Time
	Subject string
	To      string
	Status  string // failed or uncertain
	Error   string
}

// CoordinatorDigestData is the coordinating body's overview.
type CoordinatorDigestData struct {
	Coordinator config.Body
	Date        civil.Date
	Since       time.Time // the previous digest; zero for the first one
	Reports     []ReportCountdown
	Stages      []StageInfo
	Progress    []MinistryProgress // one per owner with tasks, unassigned last
	TotalTasks  int
	OpenTasks   int

	Overdue        []TaskLine
	OverdueMore    int
	Unassigned     []TaskLine
	UnassignedMore int
	Changes        []ChangeLine // what people did: stage and owner names, not ids
	ChangesMore    int
	Automatic      []AutomaticLine // what the program did, grouped
	Failed         []DeliveryLine
	FailedMore     int
	// Link is the recipient's personal link to their page on the web
	// server, "" when it is off.
	Link string
	// MailChanges are config reloads that changed where mail goes
	// (transport, relay, recipients removed), oldest first, until an
	// overview listing them was delivered.
	MailChanges []MailChangeLine
}

// MailChangeLine is one reload that changed where mail goes.
type MailChangeLine struct {
	At      time.Time
	Changes []string // one per change: `mail.transport: "smtp" -> "file"`
}

// StageTasks counts a ministry's open tasks in one stage, and lists those
// of them that are neither overdue nor due in the coming 90 days (the
// digest lists those under Overdue and Coming: each task once).
type StageTasks struct {
	Stage StageInfo
	Count int        // open tasks in the stage, all of them
	Later int        // of them, neither overdue nor coming
	Tasks []TaskLine // the first of the Later ones
	More  int        // Later tasks not listed
}

// MinistryDigestData is one ministry's overview of its own tasks.
type MinistryDigestData struct {
	Ministry    config.Body
	Coordinator config.Body
	Date        civil.Date
	OpenTasks   int
	ByStage     []StageTasks // open stages with tasks, in the config's order
	Coming      []TaskLine   // deadlines in the coming 90 days (not overdue)
	ComingMore  int
	Overdue     []TaskLine
	OverdueMore int
	Supporting  []TaskLine // tasks it supports, owned by others
	SupportMore int
	// Link is the recipient's personal signed link (package web): it
	// opens a session on their pages. "" when the web server is off.
	Link string
}

// The counts below are what the templates' texts say in a sentence ("3
// tasks due soon, 2 overdue"): computed here once rather than in each
// language's texts.

// SoonCount is the number of tasks a reminder is about whose deadline has
// not passed, listed or not.
func (d ReminderData) SoonCount() int {
	n := d.OmittedSoon
	for _, g := range d.Groups {
		if g.DaysLeft >= 0 {
			n += len(g.Tasks) + g.More
		}
	}
	return n
}

// LateCount is the number of tasks a reminder is about whose deadline has
// passed, listed or not.
func (d ReminderData) LateCount() int {
	n := d.OmittedOverdue
	for _, g := range d.Groups {
		if g.DaysLeft < 0 {
			n += len(g.Tasks) + g.More
		}
	}
	return n
}

// OverdueCount is the number of overdue tasks, listed or not.
func (d CoordinatorDigestData) OverdueCount() int { return len(d.Overdue) + d.OverdueMore }

// FailedCount is the number of messages not delivered, listed or not.
func (d CoordinatorDigestData) FailedCount() int { return len(d.Failed) + d.FailedMore }

// UnassignedCount is the number of tasks without an owner, listed or not.
func (d CoordinatorDigestData) UnassignedCount() int { return len(d.Unassigned) + d.UnassignedMore }

// NextReportDays is the number of days until the next report that is not
// yet due, -1 when there is none.
func (d CoordinatorDigestData) NextReportDays() int {
	next := -1
	for _, r := range d.Reports {
		if r.DaysLeft >= 0 && (next < 0 || r.DaysLeft < next) {
			next = r.DaysLeft
		}
	}
	return next
}

// OverdueCount is the number of the ministry's overdue tasks, listed or
// not.
func (d MinistryDigestData) OverdueCount() int { return len(d.Overdue) + d.OverdueMore }

// ComingCount is the number of the ministry's tasks with a deadline
// coming, listed or not.
func (d MinistryDigestData) ComingCount() int { return len(d.Coming) + d.ComingMore }
