package web

import (
	"context"
	"sync"

	"github.com/followup-app/followup/config"
	"github.com/followup-app/followup/store"
)

// taskListCache keeps the coordinator's task list pages as they were
// rendered while nothing they show changed: the tasks (their audit
// trail), the recommendations, documents and tags (store.TaskListMark),
// and the config. A page costs its form (every document, section and tag
// in use), the count of the matches (up to store.CountCap) and the page's
// statement: 4 to 12 ms at 100,000 tasks, where a page kept costs the
// mark's one statement. A coordinator paging through a filter, or
// coming back to it, meets the same pages; the overdue filter, which
// also depends on the day and the overview, is never kept.
type taskListCache struct {
	mu    sync.Mutex
	state *taskListState
}

// taskListState is what the cache holds for one mark and config.
type taskListState struct {
	mark store.ListMark
	cfg  *config.Config

	mu    sync.Mutex
	pages map[string][]byte
	size  int // bytes in pages
}

// maxKeptTaskPages bounds the memory the kept pages take (a page is about
// 110 KB at 100,000 tasks, most of it the form's options; 400 KB at 1M):
// past it, pages are rendered and not kept.
const maxKeptTaskPages = 2 << 20

func (s *Server) taskListState(ctx context.Context, cfg *config.Config) (*taskListState, error) {
	mark, err := s.db.TaskListMark(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.taskLists
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.state; st != nil && st.mark == mark && st.cfg == cfg {
		return st, nil
	}
	c.state = &taskListState{mark: mark, cfg: cfg, pages: map[string][]byte{}}
	return c.state, nil
}

func (st *taskListState) page(key string) ([]byte, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	b, ok := st.pages[key]
	return b, ok
}

func (st *taskListState) keep(key string, b []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.pages[key]; !ok && st.size+len(b) <= maxKeptTaskPages {
		st.pages[key] = b
		st.size += len(b)
	}
}
