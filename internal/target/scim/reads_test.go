package scim_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target/scim"
)

// pageWatch is a fault that answers nothing itself unless short is set: it
// counts the user pages in flight and the reads of each startIndex, and
// answers the first read of startIndex short with an empty page, as a
// provider whose users changed between two pages does.
type pageWatch struct {
	inflight, peak atomic.Int32
	short          string
	mu             sync.Mutex
	starts         map[string]int
}

func (w *pageWatch) fault(r *http.Request) (int, http.Header, string, bool) {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/Users") {
		return 0, nil, "", false
	}
	n := w.inflight.Add(1)
	defer w.inflight.Add(-1)
	for p := w.peak.Load(); n > p && !w.peak.CompareAndSwap(p, n); p = w.peak.Load() {
	}
	time.Sleep(3 * time.Millisecond)
	start := r.URL.Query().Get("startIndex")
	w.mu.Lock()
	w.starts[start]++
	first := w.starts[start] == 1
	w.mu.Unlock()
	if first && start == w.short {
		return http.StatusOK, http.Header{"Content-Type": {"application/scim+json"}},
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":250,"startIndex":` + start + `,"itemsPerPage":0,"Resources":[]}`, true
	}
	return 0, nil, "", false
}

func TestPagesAreReadConcurrentlyAndComplete(t *testing.T) {
	for _, short := range []string{"", "21"} {
		t.Run("short page "+short, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 10)
			c, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute, Concurrency: 4})
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			if err := syncOnce(ctx, t, c, orgOf(250)); err != nil {
				t.Fatal(err)
			}
			w := &pageWatch{short: short, starts: map[string]int{}}
			srv.SetFault(w.fault)
			srv.Log()
			reader, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute, Concurrency: 4})
			users, err := reader.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != 250 {
				t.Fatalf("read %d users, want 250", len(users))
			}
			for i, u := range users {
				if want := orgOf(250)[i].Login; u.Login != want {
					t.Fatalf("user %d is %s, want %s", i, u.Login, want)
				}
			}
			if p := w.peak.Load(); p < 2 || p > 4 {
				t.Fatalf("at most %d pages in flight, want 2 to 4", p)
			}
			if short != "" && w.starts["1"] != 2 {
				t.Fatalf("after a short page the pages were not read again in turn: %v", w.starts)
			}
			if short == "" && len(srv.Log()) != 1+25 {
				t.Fatalf("requests %v, want the configuration and 25 pages", srv.Log())
			}
		})
	}
}
