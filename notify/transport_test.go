package notify

import (
	"testing"
	"time"

	"github.com/followup-app/followup/config"
)

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{
		Sent: "sent", Temporary: "temporary", Permanent: "permanent", Uncertain: "uncertain", 0: "outcome(0)",
	} {
		if got := o.String(); got != want {
			t.Errorf("%d: %q, want %q", int(o), got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	r := config.Retry{Initial: time.Minute, Max: 6 * time.Hour, MaxAttempts: 10}
	mid := func() float64 { return 0.5 } // no jitter
	for attempt, want := range map[int]time.Duration{
		0: time.Minute, 1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute, 9: 256 * time.Minute,
		10: 6 * time.Hour, 64: 6 * time.Hour, 5000: 6 * time.Hour,
	} {
		if got := Backoff(attempt, r, mid); got != want {
			t.Errorf("attempt %d: %v, want %v", attempt, got, want)
		}
	}
	// ±20% jitter, never above Max.
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	if got := Backoff(3, r, low); got != 4*time.Minute*8/10 {
		t.Errorf("low jitter: %v", got)
	}
	if got := Backoff(3, r, high); got < 4*time.Minute*119/100 || got > 4*time.Minute*12/10 {
		t.Errorf("high jitter: %v", got)
	}
	if got := Backoff(20, r, high); got != 6*time.Hour {
		t.Errorf("jitter above max: %v", got)
	}
	if got := Backoff(20, r, low); got != 6*time.Hour*8/10 {
		t.Errorf("jitter at max: %v", got)
	}
	if got := Backoff(2, r, nil); got != 2*time.Minute {
		t.Errorf("nil rand: %v", got)
	}
	if got := Backoff(3, config.Retry{Initial: time.Second}, nil); got != 4*time.Second {
		t.Errorf("no max: %v", got)
	}
	if got := Backoff(3, config.Retry{}, nil); got != 0 {
		t.Errorf("zero policy: %v", got)
	}
}
