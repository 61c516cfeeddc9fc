package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestOktaReadSettingsReachTheClient: against an org that serves one
// request at a time, okta.concurrency: 1 reads every mapped group without
// a single refused request, where the default of 4 groups at a time would
// be answered 429 and wait for the limit's reset.
func TestOktaReadSettingsReachTheClient(t *testing.T) {
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 400, Groups: 30, Seed: 1,
		Latency: 30 * time.Millisecond, RateLimits: oktasim.RateLimits{Concurrency: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	h := newHarness(t)
	doc := fmt.Sprintf(`okta:
  domain: %s
  auth: api_token
  ca_file: %s
  concurrency: 1
  rate_limit_percent: 40
mappings:
  - group: IT Admins
    roles: [Administrator]
  - group: Security
    roles: [Auditor]
  - group: Engineering
    roles: [Read Only]
`, sim.URL(), sim.CAFile())
	path := filepath.Join(t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "config", "import", path)
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		h.mustRun("", "roles", "add", r)
	}
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	if out := h.mustRun("", "config", "export"); !strings.Contains(out, "concurrency: 1") || !strings.Contains(out, "rate_limit_percent: 40") {
		t.Fatalf("config export lost the read settings:\n%s", out)
	}
	code, res, errs := h.syncJSON()
	// One groups listing to resolve the names, then one page per group.
	if code != 0 || res.Status != "succeeded" || res.APICalls != 4 {
		t.Fatalf("sync: exit %d, %+v, %s; want 4 API calls and no request refused", code, res, errs)
	}
}
