package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDemoSignsInWithScopedDPoP: the demo shows the recommended
// authentication working end to end, its first sync included.
func TestDemoSignsInWithScopedDPoP(t *testing.T) {
	h := newHarness(t)
	out := h.mustRun("", "demo", "--no-gui", "--users", "150", "--groups", "20")
	// The token request (its DPoP nonce saved by the connection test), one
	// groups listing and one member page for each of the three groups.
	if !strings.Contains(out, "succeeded") || !strings.Contains(out, " 5 API calls") {
		t.Fatalf("demo output:\n%s\nwant a first sync that succeeded with 5 API calls", out)
	}
	cfg := h.mustRun("", "config", "export")
	for _, want := range []string{"auth: scoped_dpop", "client_id: 0oa", "dpop_key_id:", "okta.logs.read"} {
		if !strings.Contains(cfg, want) {
			t.Fatalf("the demo's configuration lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "PRIVATE") || strings.Contains(cfg, `"d":`) {
		t.Fatalf("a private key reached the exported configuration:\n%s", cfg)
	}
	// Without --connections: one connection, named demo.
	var infos []connectionInfo
	if err := json.Unmarshal([]byte(h.mustRun("", "connections", "list", "--json")), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].Name != "demo" || infos[0].LastRun != "succeeded" {
		t.Fatalf("connections after the demo: %+v; want one named demo whose run succeeded", infos)
	}
	if strings.Count(out, "demo: ") != 2 {
		t.Fatalf("demo output:\n%s\nwant its two lines", out)
	}
}
