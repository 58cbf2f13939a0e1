package delivery

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/internal/smtptest"
	"github.com/followup-app/followup/notify"
	"github.com/followup-app/followup/store"
)

type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// courierFixture is a real outbox with n messages, a real SMTP server and
// the daemon's courier on a clock the test moves.
type courierFixture struct {
	db      *store.DB
	srv     *smtptest.Server
	tr      notify.Transport
	courier *Courier
	now     time.Time
	logs    *syncLog
	retry   config.Retry
}

func newCourierFixture(t *testing.T, n int) *courierFixture {
	t.Helper()
	f := &courierFixture{now: time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC), logs: &syncLog{},
		retry: config.Retry{Initial: time.Minute, Max: time.Hour, MaxAttempts: 5}}
	clock := func() time.Time { return f.now }
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "followup.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	for i := 0; i < n; i++ {
		f.enqueue(t, i, fmt.Sprintf("m%d@example.org", i))
	}
	f.srv = smtptest.Start(t)
	if f.tr, err = notify.NewSMTP(f.srv.Config(), nil); err != nil {
		t.Fatal(err)
	}
	f.courier = NewCourier(db, clock, slog.New(slog.NewTextHandler(f.logs, nil)))
	return f
}

func (f *courierFixture) enqueue(t *testing.T, i int, to string) {
	t.Helper()
	raw := fmt.Sprintf("Message-ID: <m%d@example.org>\r\nSubject: %d\r\n\r\nbody\r\n", i, i)
	if _, _, err := f.db.Enqueue(context.Background(), store.OutboxMessage{Key: fmt.Sprint("k", i), Kind: "reminder", Recipient: "moj",
		Subject: "s", MessageID: fmt.Sprintf("m%d@example.org", i), From: "f@example.org", To: []string{to}, Raw: []byte(raw)}); err != nil {
		t.Fatal(err)
	}
}

func (f *courierFixture) deliver(t *testing.T) (int, error) {
	t.Helper()
	return f.courier.Deliver(context.Background(), f.tr, f.retry)
}

func (f *courierFixture) state(t *testing.T) store.DeliveryState {
	t.Helper()
	st, err := f.db.Delivery(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *courierFixture) counts(t *testing.T) map[string]int {
	t.Helper()
	c, err := f.db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A relay that answers but refuses every message (issue 20, case 6):
// delivery is failing, with the relay's reply, although each message only
// waits for its next attempt; once the relay takes them, delivery works
// again, said once, and each message went out once.
func TestCourierRelayRefusesEverything(t *testing.T) {
	f := newCourierFixture(t, 5)
	refuse := true
	var mu sync.Mutex
	f.srv.SetHook(func(c smtptest.Call) error {
		mu.Lock()
		defer mu.Unlock()
		if refuse && c.Cmd == "MAIL" {
			return smtptest.Reply(451, "4.3.0 queue full, try later")
		}
		return nil
	})
	progress := 0
	f.courier.Progress = func() { progress++ }
	if n, err := f.deliver(t); n != 0 || err != nil {
		t.Fatalf("Deliver: %d, %v", n, err)
	}
	st := f.state(t)
	if st.State != store.DeliveryFailing || !strings.Contains(st.Err, "refuses every message") || !strings.Contains(st.Err, "451") || !strings.Contains(st.Err, "queue full") ||
		!st.Since.Equal(f.now) {
		t.Errorf("state %+v, want failing since now with the relay's reply", st)
	}
	if c := f.counts(t); c[store.StatusPending] != 5 || c[store.StatusSent] != 0 {
		t.Errorf("outbox %v, want 5 pending", c)
	}
	if progress != 5 {
		t.Errorf("progress reported %d times, want once per outcome", progress)
	}
	// The retries a minute on: refused again; failing still, since the
	// first refusal.
	since := st.Since
	f.now = f.now.Add(2 * time.Minute)
	f.deliver(t)
	if st := f.state(t); st.State != store.DeliveryFailing || !st.Since.Equal(since) {
		t.Errorf("after a second round: %+v", st)
	}
	mu.Lock()
	refuse = false
	mu.Unlock()
	f.now = f.now.Add(10 * time.Minute)
	if n, err := f.deliver(t); n != 5 || err != nil {
		t.Fatalf("once the relay takes them: %d, %v", n, err)
	}
	if st := f.state(t); st.State != store.DeliveryOK {
		t.Errorf("after the relay took them: %+v", st)
	}
	logs := f.logs.String()
	if strings.Count(logs, "delivery failing") != 1 || strings.Count(logs, "delivery works again") != 1 {
		t.Errorf("state changes logged:\n%s", logs)
	}
	seen := map[string]int{}
	for _, m := range f.srv.Messages() {
		seen[m.MessageID]++
	}
	if len(seen) != 5 {
		t.Errorf("the relay holds %v", seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s received %d times", id, n)
		}
	}
}

// One address refused for good among messages that go out is that
// address's problem, not the relay's: delivery stays ok.
func TestCourierOneRefusalIsNotFailing(t *testing.T) {
	f := newCourierFixture(t, 3)
	f.enqueue(t, 9, "gone@example.org")
	f.srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "RCPT" && c.Arg == "gone@example.org" {
			return smtptest.Reply(550, "5.1.1 no such mailbox")
		}
		return nil
	})
	if n, err := f.deliver(t); n != 3 || err != nil {
		t.Fatalf("Deliver: %d, %v", n, err)
	}
	if st := f.state(t); st.State != store.DeliveryOK {
		t.Errorf("state %+v, want ok", st)
	}
	if c := f.counts(t); c[store.StatusFailed] != 1 || c[store.StatusSent] != 3 {
		t.Errorf("outbox %v", c)
	}
}

// A relay that cannot be reached: failing, with the error; no attempt
// before the backoff is over; then delivery resumes.
func TestCourierRelayDown(t *testing.T) {
	f := newCourierFixture(t, 2)
	f.srv.Stop()
	if _, err := f.deliver(t); err == nil {
		t.Fatal("Deliver to a relay that is down succeeded")
	}
	st := f.state(t)
	if st.State != store.DeliveryFailing || !strings.Contains(st.Err, "connection refused") {
		t.Errorf("state %+v", st)
	}
	f.srv.Restart()
	sessions := f.srv.Sessions()
	if n, err := f.deliver(t); n != 0 || err != nil || f.srv.Sessions() != sessions {
		t.Errorf("during the backoff: %d sent, %v, %d sessions", n, err, f.srv.Sessions()-sessions)
	}
	f.now = f.now.Add(time.Hour)
	if n, err := f.deliver(t); n != 2 || err != nil {
		t.Fatalf("after the backoff: %d, %v", n, err)
	}
	if st := f.state(t); st.State != store.DeliveryOK {
		t.Errorf("state %+v", st)
	}
}

// Outcomes that cannot be recorded stop delivery, and the state says so;
// nothing more goes out until they are written.
func TestCourierStopsWhenOutcomesCannotBeRecorded(t *testing.T) {
	f := newCourierFixture(t, 3)
	f.srv.SetHook(func(c smtptest.Call) error {
		if c.Cmd == "DATA" && c.N == 1 {
			if err := c.Accept(); err != nil {
				return err
			}
			f.db.Close()
			return smtptest.Handled
		}
		return nil
	})
	if _, err := f.deliver(t); err == nil {
		t.Fatal("Deliver succeeded on a closed database")
	}
	if _, err := f.deliver(t); err == nil {
		t.Fatal("Deliver went on before the outcomes were written")
	}
	if n := len(f.srv.Messages()); n != 1 {
		t.Errorf("the relay holds %d messages, want 1", n)
	}
	if !strings.Contains(f.logs.String(), "delivery stopped") {
		t.Errorf("the stop is not logged:\n%s", f.logs)
	}
}
