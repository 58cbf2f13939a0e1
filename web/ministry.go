package web

import "net/http"

// ministryRoutes registers the ministry's pages (/m/…).
func (s *Server) ministryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /m/{$}", s.ministryOnly(s.handleMinistry))
}

func (s *Server) handleMinistry(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "message.html", message{Title: "Your tasks", Text: "The task list is not built yet."})
}
