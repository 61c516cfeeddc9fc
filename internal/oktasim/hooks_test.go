package oktasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHooks: a hook skips, applies Count times and runs out; the page cap
// pages a listing; a truncated body keeps its status; a renamed group is
// found by its new name only.
func TestHooks(t *testing.T) {
	sim := startSim(t, Options{})
	eng, _ := sim.Org().GroupByName("Engineering")
	path := "/api/v1/groups/" + eng.ID + "/users"
	sim.SetPageCap(10)
	var before int
	mustNil(t, sim.AddHook(Hook{PathPrefix: path, Skip: 1, Count: 2, Before: func(*http.Request) { before++ },
		Serve: TooManyRequests(time.Second)}))
	statuses := []int{}
	for range 4 {
		statuses = append(statuses, call(t, sim, "GET", path+"?limit=1000", "").status)
	}
	if got := fmt.Sprint(statuses); got != "[200 429 429 200]" || before != 2 || sim.HooksFired() != 2 {
		t.Fatalf("statuses %s, Before ran %d times, fired %d; want [200 429 429 200], 2 and 2", got, before, sim.HooksFired())
	}
	r := call(t, sim, "GET", path+"?limit=1000", "")
	var page []map[string]any
	if err := json.Unmarshal(r.body, &page); err != nil || len(page) != 10 || !strings.Contains(strings.Join(r.header.Values("Link"), ","), `rel="next"`) {
		t.Fatalf("capped page: %d members, Link %q, %v", len(page), r.header.Values("Link"), err)
	}

	mustNil(t, sim.AddHook(Hook{Method: "GET", PathPrefix: path, Serve: TruncateBody(15)}))
	if r := call(t, sim, "GET", path, ""); r.status != 200 || len(r.body) != 15 {
		t.Fatalf("truncated answer: %d, %d bytes, want 200 and 15", r.status, len(r.body))
	}

	mustNil(t, sim.Org().RenameGroup(eng.ID, "Engineering (old)"))
	if _, ok := sim.Org().GroupByName("Engineering"); ok {
		t.Error("the old name still finds the group")
	}
	if g, ok := sim.Org().GroupByName("engineering (OLD)"); !ok || g.ID != eng.ID {
		t.Errorf("the new name finds %+v, %v", g, ok)
	}
	sec, _ := sim.Org().GroupByName("Security")
	if err := sim.Org().RenameGroup(sec.ID, "ENGINEERING (old)"); err == nil {
		t.Error("a second group took a name in use")
	}
}
