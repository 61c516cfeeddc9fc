package oktasim

import "testing"

// TestFaultSkipAndCode: a fault with skip lets that many requests through
// first; code and summary replace the error's.
func TestFaultSkipAndCode(t *testing.T) {
	sim := startSim(t, Options{})
	mustNil(t, sim.InjectFault(Fault{PathPrefix: "/api/v1/logs", Status: 403, Skip: 1, Code: "E0000005", Summary: "Invalid session"}))
	if r := call(t, sim, "GET", "/api/v1/logs", ""); r.status != 200 {
		t.Fatalf("first request: %d, want 200 (skipped)", r.status)
	}
	r := call(t, sim, "GET", "/api/v1/logs", "")
	if e := decode[apiErrorJSON](t, r); r.status != 403 || e.ErrorCode != "E0000005" || e.ErrorSummary != "Invalid session" {
		t.Fatalf("second request: %d %s, want 403 E0000005", r.status, r.body)
	}
	if r := call(t, sim, "GET", "/api/v1/logs", ""); r.status != 200 {
		t.Fatalf("third request: %d, want 200", r.status)
	}
}

// TestFaultMinLimit: a fault with min_limit applies to large pages only.
func TestFaultMinLimit(t *testing.T) {
	sim := startSim(t, Options{})
	mustNil(t, sim.InjectFault(Fault{PathPrefix: "/api/v1/groups", Status: 504, MinLimit: 1000, Count: 5}))
	if r := call(t, sim, "GET", "/api/v1/groups?limit=200", ""); r.status != 200 {
		t.Fatalf("small page: %d, want 200", r.status)
	}
	if r := call(t, sim, "GET", "/api/v1/groups?limit=10000&expand=stats", ""); r.status != 504 {
		t.Fatalf("large page: %d, want 504", r.status)
	}
}
