package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// harness runs rolesync subcommands against one data directory.
type harness struct {
	t       *testing.T
	dataDir string
	env     map[string]string
	// global are flags given before every command (see in).
	global []string
}

// in is the harness with every command run on the connection name.
func (h *harness) in(name string) *harness {
	h2 := *h
	h2.global = []string{"--connection", name}
	return &h2
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	// The keyring reads these from the process environment.
	t.Setenv("ROLESYNC_KEYRING_PASSWORD", "test-passphrase")
	t.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	return &harness{t: t, dataDir: t.TempDir(), env: map[string]string{}}
}

// run runs one subcommand and returns its exit status, stdout and stderr.
func (h *harness) run(stdin string, args ...string) (int, string, string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return h.env[k] }}
	code := Main(context.Background(), append(append([]string{"--data-dir", h.dataDir}, h.global...), args...), env)
	return code, out.String(), errb.String()
}

// connDir is the directory of the data directory's only connection, made
// as a command would when there is none.
func (h *harness) connDir() string {
	h.t.Helper()
	conns, err := app.EnsureConnection(context.Background(), h.dataDir, "")
	if err != nil || len(conns) != 1 {
		h.t.Fatalf("connections of %s: %+v, %v; want one", h.dataDir, conns, err)
	}
	return app.ConnectionDir(h.dataDir, conns[0].Slug)
}

func (h *harness) mustRun(stdin string, args ...string) string {
	h.t.Helper()
	code, out, errs := h.run(stdin, args...)
	if code != 0 {
		h.t.Fatalf("rolesync %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func startSim(t *testing.T, users, groups int) *oktasim.Server {
	t.Helper()
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: users, Groups: groups, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

var testMappings = map[string][]string{
	"Engineering": {"Read Only"},
	"IT Admins":   {"Administrator", "Read Only"},
	"Security":    {"Auditor"},
}

// importConfig writes a configuration for sim and imports it.
func (h *harness) importConfig(sim *oktasim.Server) {
	h.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "okta:\n  domain: %s\n  auth: api_token\n  ca_file: %s\nsync:\n  interval: 15m\ntarget:\n  kind: local\nmappings:\n", sim.URL(), sim.CAFile())
	names := make([]string, 0, len(testMappings))
	for g := range testMappings {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		fmt.Fprintf(&b, "  - group: %s\n    roles: [%s]\n", g, strings.Join(testMappings[g], ", "))
	}
	// Generous thresholds: these tests are about the read and apply path.
	b.WriteString("safety:\n  max_revocations: 1000\n  max_revocation_percent: 100\n")
	path := filepath.Join(h.t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.mustRun("", "config", "import", path)
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		h.mustRun("", "roles", "add", r)
	}
}

// expected computes, from the simulator's own state, who should hold which roles.
func expected(sim *oktasim.Server) map[string][]string {
	org := sim.Org()
	want := map[string][]string{}
	for g, roles := range testMappings {
		grp, ok := org.GroupByName(g)
		if !ok {
			panic("no group " + g)
		}
		for _, id := range org.Members(grp.ID) {
			u, _ := org.User(id)
			if !okta.KeepsRoles(u.Status) {
				continue
			}
			want[id] = union(want[id], roles)
		}
	}
	return want
}

func union(a, b []string) []string {
	set := map[string]bool{}
	for _, s := range append(append([]string{}, a...), b...) {
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// directory returns the roles of every active user, by Okta id.
func (h *harness) directory() (active map[string][]string, all []directoryUser) {
	h.t.Helper()
	out := h.mustRun("", "directory", "list", "--json")
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		h.t.Fatalf("directory list --json: %v\n%s", err, out)
	}
	active = map[string][]string{}
	for _, u := range all {
		if u.Active && len(u.Roles) > 0 {
			active[u.OktaID] = u.Roles
		}
	}
	return active, all
}

func sameRoles(t *testing.T, got, want map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("directory holds %d users with roles, want %d", len(got), len(want))
	}
	for id, roles := range want {
		if g := strings.Join(got[id], ","); g != strings.Join(roles, ",") {
			t.Errorf("user %s: roles %q, want %q", id, g, strings.Join(roles, ","))
		}
	}
}

type syncResult struct {
	RunID    int64  `json:"run_id"`
	Status   string `json:"status"`
	Created  int    `json:"created"`
	Granted  int    `json:"granted"`
	Revoked  int    `json:"revoked"`
	APICalls int    `json:"api_calls"`
	Error    string `json:"error"`
}

func (h *harness) syncJSON() (int, syncResult, string) {
	h.t.Helper()
	code, out, errs := h.run("", "sync", "--once", "--json")
	var res syncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		h.t.Fatalf("sync --once --json printed no JSON result (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out, errs)
	}
	return code, res, errs
}

// adminDelete removes a member through Okta's own route, as an Okta admin would.
func adminDelete(t *testing.T, sim *oktasim.Server, groupID, userID string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, sim.URL()+"/api/v1/groups/"+groupID+"/users/"+userID, nil)
	req.Header.Set("Authorization", "SSWS "+sim.APIToken())
	resp, err := sim.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE membership: status %d", resp.StatusCode)
	}
}

func TestSyncEndToEnd(t *testing.T) {
	sim := startSim(t, 2000, 200)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")

	code, res, errs := h.syncJSON()
	if code != 0 || res.Status != "succeeded" {
		t.Fatalf("first sync: exit %d, %+v, %s", code, res, errs)
	}
	want := expected(sim)
	if res.Created != len(want) || res.APICalls == 0 {
		t.Errorf("first sync created %d users with %d API calls, want %d created and some calls", res.Created, res.APICalls, len(want))
	}
	got, _ := h.directory()
	sameRoles(t, got, want)

	// An Okta admin removes a Security member who is in no other mapped group.
	org := sim.Org()
	sec, _ := org.GroupByName("Security")
	var leaver string
	for _, id := range org.Members(sec.ID) {
		if _, granted := want[id]; granted && strings.Join(want[id], ",") == "Auditor" {
			leaver = id
			break
		}
	}
	if leaver == "" {
		t.Fatal("no Security member with only the Auditor role in the simulated org")
	}
	adminDelete(t, sim, sec.ID, leaver)

	code, res, errs = h.syncJSON()
	if code != 0 || res.Status != "succeeded" || res.Revoked == 0 {
		t.Fatalf("second sync: exit %d, %+v, %s", code, res, errs)
	}
	got, all := h.directory()
	sameRoles(t, got, expected(sim))
	for _, u := range all {
		if u.OktaID == leaver && (u.Active || len(u.Roles) != 0) {
			t.Errorf("the removed member %s is still active with roles %v", u.Login, u.Roles)
		}
	}

	var runs []historyRun
	if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("history shows %d runs, want 2", len(runs))
	}
	leaverLogin, _ := org.User(leaver)
	found := false
	for _, ch := range runs[0].Changes {
		if ch.User == leaverLogin.Login && ch.Reason != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("the newest run has no change with a reason for %s: %+v", leaverLogin.Login, runs[0].Changes)
	}
	if len(runs[1].Changes) < len(want) {
		t.Errorf("the first run recorded %d changes, want at least %d", len(runs[1].Changes), len(want))
	}
	text := h.mustRun("", "history")
	if !strings.Contains(text, "run 1") || !strings.Contains(text, "run 2") {
		t.Errorf("history does not show both runs:\n%s", text)
	}
}

func TestWrongAPITokenChangesNothing(t *testing.T) {
	sim := startSim(t, 200, 20)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun("not-the-token\n", "secrets", "set", "okta-api-token")
	code, out, errs := h.run("", "sync", "--once")
	if code == 0 {
		t.Fatalf("sync with a wrong token exited 0: %s", out)
	}
	if !strings.Contains(errs, "E0000011") || !strings.Contains(errs, "secrets set okta-api-token") {
		t.Errorf("the error does not name E0000011 and the fix: %q", errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("the error is not one line: %q", errs)
	}
	if strings.Contains(errs+out, "not-the-token") {
		t.Error("the token was printed")
	}
	if _, all := h.directory(); len(all) != 0 {
		t.Errorf("the directory changed: %d users", len(all))
	}
}

func TestFaultOnAnyPageAppliesNothing(t *testing.T) {
	sim := startSim(t, 2000, 200)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	eng, _ := sim.Org().GroupByName("Engineering")
	// A 500 on the second page of Engineering's members, more times than
	// the client retries.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups/" + eng.ID + "/users", Status: 500, Count: 50}); err != nil {
		t.Fatal(err)
	}
	code, res, _ := h.syncJSON()
	if code == 0 || res.Status != "failed" || res.Error == "" {
		t.Fatalf("sync with a failing page: exit %d, %+v", code, res)
	}
	if _, all := h.directory(); len(all) != 0 {
		t.Errorf("a failed read applied changes: %d users in the directory", len(all))
	}
	var runs []historyRun
	json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs)
	if len(runs) != 1 || runs[0].Status != "failed" || len(runs[0].Changes) != 0 {
		t.Errorf("history: %+v, want one failed run without changes", runs)
	}
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"bogus"}, {"sync"}, {"approve", "x"}, {"history", "--limit", "0"}, {"roles"}, {"secrets", "set", "okta-token"}} {
		code, _, errs := h.run("", args...)
		if code != 2 || !strings.HasPrefix(errs, "rolesync: ") {
			t.Errorf("rolesync %v: exit %d, %q; want exit 2 with a reason", args, code, errs)
		}
	}
	code, _, errs := h.run("", "sync", "--once")
	if code != 1 || !strings.Contains(errs, "config import") {
		t.Errorf("sync without configuration: exit %d, %q", code, errs)
	}
}
