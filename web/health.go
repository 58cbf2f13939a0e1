package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/followup-app/followup/store"
)

// healthReply is /healthz's body.
type healthReply struct {
	Status        string   `json:"status"` // ok or unhealthy
	Database      string   `json:"database"`
	LastHeartbeat string   `json:"last_heartbeat,omitempty"`
	HeartbeatAge  float64  `json:"heartbeat_age_seconds,omitempty"`
	Delivery      string   `json:"delivery,omitempty"`
	Pending       int      `json:"pending"`
	Problems      []string `json:"problems,omitempty"`
}

// HealthHandler serves /healthz for a load balancer or a monitoring
// script: 200 when the database answers and the daemon beat recently
// (within three heartbeats and a minute, the rule of `followup status`),
// 503 otherwise. The body is JSON and says why; it also carries the state
// of delivery, which `followup status` judges (a relay that is down is not
// a reason to take the web pages away). heartbeat is the config's
// interval, read at each request so that a reload is followed.
func HealthHandler(db *store.DB, heartbeat func() time.Duration, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		rep := healthReply{Status: "ok", Database: "ok"}
		t := now()
		if err := db.Ping(ctx); err != nil {
			rep.Status, rep.Database = "unhealthy", err.Error()
			writeHealth(w, rep)
			return
		}
		h, err := db.Health(ctx, heartbeat(), t)
		if err != nil {
			rep.Status, rep.Database = "unhealthy", err.Error()
			writeHealth(w, rep)
			return
		}
		rep.Delivery, rep.Pending = h.Delivery.State, h.Pending
		late := 3*heartbeat() + time.Minute
		switch {
		case h.LastHeartbeat.IsZero():
			rep.Status = "unhealthy"
			rep.Problems = append(rep.Problems, "the daemon has not beaten yet")
		default:
			age := t.Sub(h.LastHeartbeat)
			rep.LastHeartbeat, rep.HeartbeatAge = h.LastHeartbeat.UTC().Format(time.RFC3339), age.Seconds()
			if age > late {
				rep.Status = "unhealthy"
				if !h.Running { // when it runs, Health says so already
					rep.Problems = append(rep.Problems, "no daemon holds the database and the last heartbeat is "+age.Round(time.Second).String()+" old")
				}
			}
		}
		rep.Problems = append(rep.Problems, h.Problems...)
		writeHealth(w, rep)
	})
}

func writeHealth(w http.ResponseWriter, rep healthReply) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if rep.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep) // the client went away: nothing to tell it
}
