package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/okta"
)

// TestSearchOverlapReachesTheClient: okta.search_overlap is imported,
// exported, and given to the Okta client the runtime builds; left out, the
// client takes its own default, which the configuration documents.
func TestSearchOverlapReachesTheClient(t *testing.T) {
	if config.DefaultSearchOverlap != okta.DefaultSearchOverlap {
		t.Fatalf("config documents a %v default overlap, the client uses %v", config.DefaultSearchOverlap, okta.DefaultSearchOverlap)
	}
	h := newHarness(t)
	doc := "okta:\n  domain: https://example.okta.com\n  auth: api_token\n  search_overlap: %s\nmappings:\n  - group: Security\n    roles: [Auditor]\n"
	path := filepath.Join(t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(doc, "30s")), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := h.run("", "config", "import", path); code == 0 || !strings.Contains(errs, "okta.search_overlap: 30s is outside 1m to 24h") {
		t.Fatalf("import of a 30s overlap: exit %d, %q; want it refused with the range", code, errs)
	}
	if err := os.WriteFile(path, []byte(fmt.Sprintf(doc, "40m")), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "config", "import", path)
	if out := h.mustRun("", "config", "export"); !strings.Contains(out, "search_overlap: 40m") {
		t.Fatalf("config export lost the overlap:\n%s", out)
	}

	ctx := context.Background()
	rt, err := openRuntime(ctx, h.dataDir, Env{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	cfg, ok, err := app.ConfigFromStore(ctx, rt.Store)
	if err != nil || !ok {
		t.Fatalf("saved configuration: %v, %v", ok, err)
	}
	token := func(string) ([]byte, error) { return []byte("token"), nil }
	for _, tc := range []struct {
		set, want time.Duration
	}{{time.Duration(cfg.Okta.SearchOverlap), 40 * time.Minute}, {0, okta.DefaultSearchOverlap}, {2 * time.Hour, 2 * time.Hour}} {
		cfg.Okta.SearchOverlap = config.Overlap(tc.set)
		c, err := rt.OktaClientWith(cfg, token)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SearchOverlap(); got != tc.want {
			t.Errorf("search_overlap %v: the client's overlap is %v, want %v", tc.set, got, tc.want)
		}
		c.Close()
	}
}
