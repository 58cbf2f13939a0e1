package web

import "net/http"

// Hooks for the parts of the site that live in files of their own: the
// coordinating body's dashboard (/c/…), the public progress page and
// /metrics and /healthz. Until those files exist these register nothing
// but a clear page; the branch that adds them deletes this file.

func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /c/{$}", s.coordinatorOnly(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "message.html", message{Title: "Coordinating body", Text: "The dashboard is not built yet."})
	}))
}

func (s *Server) publicRoutes(*http.ServeMux) {}

func (s *Server) metricsRoutes(*http.ServeMux) {}
