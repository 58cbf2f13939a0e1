package plan

import (
	"context"
	"time"

	"github.com/followup-app/followup/workflow"
)

// Reader is what plan reads from a database. store.SlotTx implements it
// (inside a slot's transaction) and so does the reader store.DB.Read
// passes; another store (PostgreSQL, for hosting many States) would
// implement the same methods, and nothing in plan, workflow or notify
// would change.
//
// Every method reads one consistent state: the implementations run inside
// one transaction.
type Reader interface {
	// TaskGroups lists the (document, stage) groups that hold at least
	// one task in a stage open accepts, by document then stage. Stages are
	// those tasks are in, not the config's: tasks left in a stage the
	// admin has since removed are still seen.
	TaskGroups(ctx context.Context, open func(stage string) bool) ([]Group, error)
	// Sweep answers the reminder sweep (see SweepQuery).
	Sweep(ctx context.Context, q SweepQuery) (SweepResult, error)
	// OpenTasks streams every task in one of stages, without its text, in
	// no particular order.
	OpenTasks(ctx context.Context, stages []string, fn func(LightTask) error) error
	// LateTasks answers the overview's overdue figures in the database:
	// the open tasks of q.Groups counted by owner, and the first q.Limit
	// of them by (Day, id). The overview asks it rather than stream every
	// open task through OpenTasks (835,784 rows at 1M tasks).
	LateTasks(ctx context.Context, q LateQuery) (LateResult, error)
	// Unassigned returns the first limit tasks in one of stages that
	// nobody owns, by id, and how many there are.
	Unassigned(ctx context.Context, stages []string, limit int) ([]LightTask, int, error)
	// TasksByID reads the tasks with these ids, texts included. Unknown
	// ids are left out.
	TasksByID(ctx context.Context, ids []int64) (map[int64]TaskRow, error)
	// Clusters reads the clusters with these ids and their members, for
	// the lines that list a cluster once. Unknown ids are left out.
	Clusters(ctx context.Context, ids []int64) (map[int64]ClusterRow, error)
	// Progress counts every task by owner and stage.
	Progress(ctx context.Context) ([]OwnerStageCount, error)
	// EventsSince returns the last limit task events after since made by
	// people, oldest first, and how many there are in all.
	EventsSince(ctx context.Context, since time.Time, limit int) ([]Event, int, error)
	// AutomaticEventsSince counts the events after since that the program
	// made itself (tasks created by an import, owners given by the
	// assignment rules), by actor and kind, in the order they began.
	AutomaticEventsSince(ctx context.Context, since time.Time) ([]EventCount, error)
	// LastSent is when the last message of kind to recipient that was
	// delivered had been enqueued; zero if none.
	LastSent(ctx context.Context, kind, recipient string) (time.Time, error)
	// MailChanges returns the changes to where mail goes that no
	// delivered overview has reported yet, oldest first.
	MailChanges(ctx context.Context) ([]MailChange, error)
	// DeliveredReminders gives, for each of these recipients that has
	// any, how many reminders were delivered to it (outbox row sent) and
	// when the last one was sent.
	DeliveredReminders(ctx context.Context, recipients []string) (map[string]Delivered, error)
	// Failures returns up to limit failures no delivered overview has
	// reported yet (failed or uncertain messages, recipients refused while
	// others got the message), oldest first, and how many there are.
	Failures(ctx context.Context, limit int) ([]Delivery, int, error)
}

// Tx is a slot's transaction: what plan reads and writes while it runs one
// job for one slot. Everything written commits with the slot's advance, or
// nothing does.
type Tx interface {
	Reader
	// DryRun reports whether nothing the slot writes will be kept
	// (followup preview): plan then skips what only matters once kept.
	DryRun() bool
	// Enqueue adds a message to the outbox unless one with its key is
	// there; it returns the row's id either way.
	Enqueue(ctx context.Context, m Outgoing) (id int64, inserted bool, err error)
	// LogSweep records in the reminder log every (task, fire) of q not
	// logged yet, each under the outbox message of its owner and channel:
	// exactly the tasks Sweep counted for q in the same transaction.
	LogSweep(ctx context.Context, q SweepQuery, outbox map[Channel]int64) error
	// ListInOverview records that the overview enqueued as outbox row
	// digest lists every failure Failures counts and every change
	// MailChanges returns. They are marked reported only when that
	// overview is delivered: until then every overview lists them again.
	ListInOverview(ctx context.Context, digest int64) error
}

// Group is the tasks of one document in one stage. Every deadline
// follows from the document and the stage (workflow.Calendar.Group), so
// the sweep and the digests decide per group.
type Group struct {
	Document int64 // the store's id of the document
	Doc      workflow.DocFacts
	Stage    string
}

// Fire is one deadline of a task group that calls for a reminder (or an
// escalation) today: it concerns the group's tasks, of Paragraphs when
// set, that the reminder log does not hold under (Deadline, Kind).
type Fire struct {
	Document   int64
	Stage      string
	Paragraphs []int // nil: every paragraph
	Escalation bool  // the escalation channel: a message to the coordinator
	// Rank is the deadline's place in the messages, the same for every
	// group it fires in: a task is listed under its lowest-ranked fire,
	// with the others beside it.
	Rank int
	// Deadline and Kind are the reminder log's key:
	// workflow.Deadline.Key() and workflow.Reminder.Kind (or
	// workflow.EscalationKind).
	Deadline, Kind string
}

// SweepQuery is a whole reminder sweep: every fire of the day.
type SweepQuery struct {
	Fires []Fire
	// List is how many tasks each (owner, channel) may list: Sweep
	// returns the first List of them.
	List int
}

// Channel is one owner's reminders (Escalation false) or escalations.
type Channel struct {
	Owner      string // ministry id; "" for unassigned tasks
	Escalation bool
}

// SweepCount is how many tasks of an owner have a fire of Rank as their
// lowest-ranked fire in a channel.
type SweepCount struct {
	Channel
	Rank  int
	Tasks int
}

// SweepTask is a task a message lists, with the ranks of all its fires in
// the channel, lowest first; or a cluster (DESIGN.md, decision 16), which
// a message lists once for all its members that the sweep found.
type SweepTask struct {
	Channel
	ID    int64 // the task; for a cluster, the first of Members
	Ranks []int
	// Cluster is the cluster the line stands for (0: a task on its own),
	// Members its members in the channel with a fire not yet logged, by
	// id; Ranks are then the ranks of all their fires.
	Cluster int64
	Members []int64
}

// SweepResult answers a SweepQuery: per owner and channel, the tasks
// counted under their lowest-ranked fire, and the first List tasks in
// order of (lowest rank, id). A task counts once per channel, however
// many of its deadlines fire, and the members of a cluster with the same
// owner count once together, under the lowest rank of any of them: a
// ministry's reminder lists a cluster once, not each member as a task of
// its own. The reminder log still keys each member's fires (LogSweep), so
// nothing is sent twice for a member, in a cluster or after it left.
type SweepResult struct {
	Counts []SweepCount
	Listed []SweepTask
}

// LateGroup is an overdue group, with the day of its deadline.
type LateGroup struct {
	OverdueGroup
	// Day orders the groups' tasks: a smaller Day is an earlier deadline.
	Day int
}

// LateQuery asks for the overdue tasks of Groups.
type LateQuery struct {
	Groups []LateGroup
	Limit  int
}

// LateResult counts the overdue tasks by owner ("" for unassigned) and
// lists the first of them by (Day, id); Group is each one's index in
// LateQuery.Groups.
type LateResult struct {
	ByOwner map[string]int
	First   []LateTask
}

// LateTask is one of the first overdue tasks.
type LateTask struct {
	ID    int64
	Group int
}

// LightTask is a task without its text: what the digests classify.
type LightTask struct {
	ID        int64
	Document  int64
	Paragraph int
	Owner     string
	Support   string // comma-separated ministry ids
	Stage     string
	Cluster   int64 // the cluster it is in; 0 for none
}

// ClusterRow is a cluster as a message names it.
type ClusterRow struct {
	ID      int64
	Name    string
	Lead    string
	Support []string
	Members []ClusterMemberRow // in the documents' order
}

// ClusterMemberRow is a member of a cluster, named by its mechanism and
// year.
type ClusterMemberRow struct {
	TaskID    int64
	RecID     string
	Symbol    string
	Body      string // the mechanism: CRC, UPR…
	Year      int    // the document's year of adoption; 0 when not known
	Paragraph int
	Item      string
}

// Ref names the member for people: "UPR 2025, A/HRC/59/15, 140.6".
func (m ClusterMemberRow) Ref() string {
	return workflow.MemberRef(m.Body, m.Year, m.Symbol, m.Paragraph, m.Item)
}

// TaskRow is a task as a message lists it.
type TaskRow struct {
	ID        int64
	Document  int64
	RecID     string // e.g. CRC/C/OPSC/LAO/CO/1:14a
	Paragraph int
	Item      string
	Text      string
	Status    string
	Owner     string
	Support   []string
	Stage     string
}

// OwnerStageCount is the number of tasks of one owner in one stage.
type OwnerStageCount struct {
	Owner string
	Stage string
	Count int
}

// Event is one entry of a task's audit trail.
type Event struct {
	At       time.Time
	RecID    string
	Actor    string
	Kind     string // created, stage, assign
	From, To string
	Note     string
}

// EventCount is how many events of one kind an automatic actor ("import",
// "rules") made, and on how many tasks.
type EventCount struct {
	Actor, Kind   string
	Events, Tasks int
}

// Delivery is a message that failed, or may have been delivered twice, or
// a recipient refused while others got the message (To is that one
// address, Status failed).
type Delivery struct {
	CreatedAt time.Time
	Subject   string
	To        []string
	Status    string // failed or uncertain
	Error     string
}

// MailChange is a config reload that changed where mail goes.
type MailChange struct {
	At      time.Time
	Changes []string
}

// Delivered counts the reminders a recipient's mail server accepted.
type Delivered struct {
	Count int
	Last  time.Time // when the last one was sent
}

// Outgoing is a composed message for the outbox.
type Outgoing struct {
	Key       string // unique: a message is enqueued once
	Kind      string
	Recipient string // the body it is about (a ministry id, or the coordinator's)
	Subject   string
	MessageID string
	From      string   // envelope sender
	To        []string // envelope recipients
	Raw       []byte   // the RFC 5322 message
}
