package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHistoryNamesTheFeed checks that `history` and `history --json` say
// how each run read Okta, and that the JSON keeps every field it had.
func TestHistoryNamesTheFeed(t *testing.T) {
	sim := startSim(t, 50, 10)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	if code, res, errs := h.syncJSON(); code != 0 || res.Status != "succeeded" {
		t.Fatalf("sync: exit %d, %+v, %s", code, res, errs)
	}

	out := h.mustRun("", "history", "--json")
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil || len(raw) != 1 {
		t.Fatalf("history --json: %v, %d runs:\n%s", err, len(raw), out)
	}
	for _, k := range []string{"run_id", "trigger", "status", "created", "granted", "revoked", "held",
		"api_calls", "error", "started_at", "finished_at", "changes"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("history --json lost the field %q: %v", k, raw[0])
		}
	}
	// A one-shot sync has no earlier snapshot, so it reads Okta in full.
	if got := raw[0]["feed"]; got != "full" {
		t.Errorf("history --json feed = %v, want \"full\"", got)
	}
	if text := h.mustRun("", "history"); !strings.Contains(text, "API calls, Okta feed full\n") {
		t.Errorf("history does not name the feed:\n%s", text)
	}
}
