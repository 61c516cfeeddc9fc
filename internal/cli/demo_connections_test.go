package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestDemoConnections: `demo --connections 3` sets up three connections,
// named as the demo names them, each synced once against an org of its own:
// no user of one org is in another's directory.
func TestDemoConnections(t *testing.T) {
	h := newHarness(t)
	out := h.mustRun("", "demo", "--no-gui", "--connections", "3", "--users", "150", "--groups", "20")
	names := demoConnections[:3]
	for _, name := range names {
		line := lineWith(out, "demo: \""+name+"\":")
		if !strings.Contains(line, "(50 users, 20 groups)") || !strings.Contains(line, "run 1 succeeded") {
			t.Fatalf("demo output:\n%s\nwant a line for %q with its 50 users and a first run that succeeded", out, name)
		}
	}
	var infos []connectionInfo
	if err := json.Unmarshal([]byte(h.mustRun("", "connections", "list", "--json")), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(names) {
		t.Fatalf("connections list: %+v; want %d connections", infos, len(names))
	}
	for i, in := range infos {
		if in.Name != names[i] || !in.Configured || in.LastRun != "succeeded" {
			t.Fatalf("connection %d: %+v; want %q, configured, its last run succeeded", i, in, names[i])
		}
	}
	list := h.mustRun("", "connections", "list")
	for _, name := range names {
		if !strings.Contains(list, name) {
			t.Fatalf("connections list does not show %q:\n%s", name, list)
		}
	}
	checkOwnUsers(t, h, names)
}

// checkOwnUsers: each connection's directory holds users synced from
// Okta, and none of them (by Okta id or login) is in another's.
func checkOwnUsers(t *testing.T, h *harness, names []string) {
	t.Helper()
	owner := map[string]string{}
	for _, name := range names {
		var hist []historyRun
		if err := json.Unmarshal([]byte(h.mustRun("", "--connection", name, "history", "--json")), &hist); err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || hist[0].Trigger != "demo" || hist[0].Status != "succeeded" || hist[0].Created == 0 {
			t.Fatalf("history of %q: %+v; want one demo run that succeeded and created users", name, hist)
		}
		var users []directoryUser
		if err := json.Unmarshal([]byte(h.mustRun("", "--connection", name, "directory", "list", "--json")), &users); err != nil {
			t.Fatal(err)
		}
		synced := 0
		for _, u := range users {
			if u.OktaID == "" {
				continue
			}
			synced++
			for _, key := range []string{"id " + u.OktaID, "login " + u.Login} {
				if other, ok := owner[key]; ok {
					t.Fatalf("user %s (%s) is in the directories of %q and %q", u.Login, u.OktaID, other, name)
				}
				owner[key] = name
			}
		}
		if synced != hist[0].Created {
			t.Fatalf("the directory of %q holds %d users from Okta; its first run created %d", name, synced, hist[0].Created)
		}
	}
}

// TestDemoConnectionsRange: a number of connections outside 1 to 8 is a
// usage error that says the range, and the data directory is left alone.
func TestDemoConnectionsRange(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"0", "-1", "9"} {
		code, _, errs := h.run("", "demo", "--no-gui", "--connections", n)
		if code != 2 || !strings.Contains(errs, "1 to 8") {
			t.Fatalf("demo --connections %s: exit %d, %q; want exit 2 saying the range 1 to 8", n, code, errs)
		}
	}
	if entries, err := os.ReadDir(h.dataDir); err != nil || len(entries) != 0 {
		t.Fatalf("the data directory after refused demos: %v, %v; want it empty", entries, err)
	}
}

// lineWith is the first line of out that contains s, or "".
func lineWith(out, s string) string {
	for line := range strings.Lines(out) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
