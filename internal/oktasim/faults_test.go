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
