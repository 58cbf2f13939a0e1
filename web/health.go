package web

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/followup-app/followup/store"
)

// HealthHandler serves /healthz, the liveness check for a load balancer,
// a supervisor or an external monitor: "ok" (200) when the database
// answers and the daemon holds it and recorded its heartbeat within
// three beats and a minute (store.HeartbeatLate); otherwise "not ok" and
// why in one word (503): "database", "stopped" or "heartbeat". It answers
// without a session, so it says nothing more: the relay, its replies and
// the state of delivery are in `followup status` and on the
// coordinator's dashboard. A relay that refuses mail does not make the
// daemon unhealthy (restarting it would not help); delivery is watched
// with `followup status` or /metrics. heartbeat is the config's interval,
// read at each request so that a reload is followed.
func HealthHandler(db *store.DB, heartbeat func() time.Duration, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		why := ""
		if err := db.Ping(ctx); err != nil {
			why = "database"
		} else if h, err := db.Health(ctx, heartbeat(), now()); err != nil {
			why = "database"
		} else if !h.Alive {
			why = h.NotAlive
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		body := "ok\n"
		if why != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			body = "not ok: " + why + "\n"
		}
		_, _ = io.WriteString(w, body) // the client went away: nothing to tell it
	})
}
