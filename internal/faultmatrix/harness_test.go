package faultmatrix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/cli"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

func TestMain(m *testing.M) {
	// The file keyring reads these from the process environment; the
	// passphrase is kept once read, so cells running side by side share it.
	os.Setenv("ROLESYNC_KEYRING_PASSWORD", "fault-matrix-passphrase")
	os.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	// Every cell makes a keyring of its own.
	secrets.UseFastKDFForTests()
	os.Exit(m.Run())
}

// The org of every cell: small, but read in several pages a group.
const (
	orgUsers  = 300
	orgGroups = 20
	orgSeed   = 7
	pageCap   = 25
)

// mappings are the cell's configuration: Engineering (read in several
// pages, where the page faults hit), IT Admins and Security.
var mappings = []struct {
	group string
	roles []string
}{
	{"Engineering", []string{"Read Only"}},
	{"IT Admins", []string{"Administrator", "Read Only"}},
	{"Security", []string{"Auditor"}},
}

// world is one cell's simulated Okta org, target and data directory.
type world struct {
	t       *testing.T
	sim     *oktasim.Server
	scim    *scimtest.Server // nil for the local directory
	faults  *scimFaults
	dataDir string
	target  string
	auth    string
	// groupIDs are the mapped groups' ids when the cell was set up.
	groupIDs map[string]string
}

// newWorld starts the simulator (and the SCIM server for the SCIM target),
// configures a data directory in auth mode and runs a first sync.
func newWorld(t *testing.T, target, auth string) *world {
	t.Helper()
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: orgUsers, Groups: orgGroups, Seed: orgSeed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	sim.SetPageCap(pageCap)
	w := &world{t: t, sim: sim, dataDir: t.TempDir(), target: target, auth: auth, groupIDs: map[string]string{}}
	for _, m := range mappings {
		g, ok := sim.Org().GroupByName(m.group)
		if !ok {
			t.Fatalf("the simulated org has no group %s", m.group)
		}
		w.groupIDs[m.group] = g.ID
	}
	if target == "scim" {
		w.scim = scimtest.Start(t, scimtest.Options{MaxResults: 100})
		w.faults = &scimFaults{srv: w.scim}
		w.scim.SetFault(w.faults.serve)
	}
	w.configure()
	return w
}

// run runs one rolesync command and returns its exit status and output.
func (w *world) run(stdin string, args ...string) (int, string, string) {
	w.t.Helper()
	var out, errb bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := cli.Main(context.Background(), append([]string{"--data-dir", w.dataDir}, args...), env)
	return code, out.String(), errb.String()
}

func (w *world) mustRun(stdin string, args ...string) string {
	w.t.Helper()
	code, out, errs := w.run(stdin, args...)
	if code != 0 {
		w.t.Fatalf("rolesync %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// configure stores the credentials of the auth mode and imports the
// configuration.
func (w *world) configure() {
	w.t.Helper()
	clientID := ""
	if w.auth == "api_token" {
		w.mustRun(w.sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	} else {
		jwk := strings.TrimSpace(w.mustRun("", "keys", "generate", "--for", "client", "--alg", "ES256"))
		if w.auth == "scoped_dpop" {
			w.mustRun("", "keys", "generate", "--for", "dpop", "--alg", "ES256")
		}
		var err error
		clientID, err = w.sim.CreateServiceApp(oktasim.ServiceApp{Label: "rolesync " + w.auth, DPoP: w.auth == "scoped_dpop",
			PublicKeys: [][]byte{[]byte(jwk)}, Scopes: []string{"okta.groups.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
		if err != nil {
			w.t.Fatal(err)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "okta:\n  domain: %s\n  auth: %s\n  ca_file: %s\n", w.sim.URL(), w.auth, w.sim.CAFile())
	if clientID != "" {
		fmt.Fprintf(&b, "  client_id: %s\n", clientID)
	}
	b.WriteString("sync:\n  interval: 15m\n")
	if w.scim != nil {
		ca, err := w.scim.WriteCAFile(w.t.TempDir())
		if err != nil {
			w.t.Fatal(err)
		}
		fmt.Fprintf(&b, "target:\n  kind: scim\n  base_url: %s\n  role_mode: groups\n  ca_file: %s\n", w.scim.BaseURL(), ca)
	} else {
		b.WriteString("target:\n  kind: local\n")
	}
	b.WriteString("mappings:\n")
	for _, m := range mappings {
		fmt.Fprintf(&b, "  - group: %s\n    roles: [%s]\n", m.group, strings.Join(m.roles, ", "))
	}
	b.WriteString("safety:\n  max_revocations: 1000\n  max_revocation_percent: 100\n")
	path := filepath.Join(w.t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		w.t.Fatal(err)
	}
	w.mustRun("", "config", "import", path)
	if w.scim != nil {
		w.mustRun(scimtest.Token+"\n", "secrets", "set", "scim-token")
		return
	}
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		w.mustRun("", "roles", "add", r)
	}
}

// syncResult is `sync --once --json`'s answer.
type syncResult struct {
	RunID   int64  `json:"run_id"`
	Status  string `json:"status"`
	Created int    `json:"created"`
	Granted int    `json:"granted"`
	Revoked int    `json:"revoked"`
	Held    int    `json:"held"`
	Error   string `json:"error"`
}

// sync runs one full read and apply (`sync --once --full --json`).
func (w *world) sync() (int, syncResult, string) {
	w.t.Helper()
	code, out, errs := w.run("", "sync", "--once", "--full", "--json")
	var res syncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		w.t.Fatalf("sync --once --json printed no result (exit %d): %v\nstdout: %s\nstderr: %s", code, err, out, errs)
	}
	return code, res, errs
}

// historyRun is one run of `history --json`.
type historyRun struct {
	RunID  int64  `json:"run_id"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// lastRun returns the newest run of the history.
func (w *world) lastRun() historyRun {
	w.t.Helper()
	var runs []historyRun
	if err := json.Unmarshal([]byte(w.mustRun("", "history", "--json", "--limit", "1")), &runs); err != nil || len(runs) == 0 {
		w.t.Fatalf("history --json: %v, %d runs", err, len(runs))
	}
	return runs[0]
}

// access is what a user holds at the target: whether the account is
// active, and its roles, sorted.
type access struct {
	Active bool
	Roles  []string
}

// holdings reads the target: every user the sync made, by Okta id.
func (w *world) holdings() map[string]access {
	w.t.Helper()
	if w.scim != nil {
		return scimHoldings(w.t, w.scim)
	}
	var all []struct {
		OktaID string   `json:"okta_id"`
		Active bool     `json:"active"`
		Roles  []string `json:"roles"`
	}
	out := w.mustRun("", "directory", "list", "--json")
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		w.t.Fatalf("directory list --json: %v", err)
	}
	got := map[string]access{}
	for _, u := range all {
		got[u.OktaID] = access{Active: u.Active, Roles: slices.Sorted(slices.Values(u.Roles))}
	}
	return got
}

// scimHoldings reads the SCIM server's own store: users by externalId,
// with their roles from group membership.
func scimHoldings(t *testing.T, srv *scimtest.Server) map[string]access {
	t.Helper()
	byID := map[string][]string{}
	for _, g := range srv.Groups() {
		members, _ := g.Attrs["members"].([]any)
		for _, m := range members {
			id, _ := m.(map[string]any)["value"].(string)
			byID[id] = append(byID[id], fmt.Sprint(g.Attrs["displayName"]))
		}
	}
	got := map[string]access{}
	for _, u := range srv.Users() {
		ext, _ := u.Attrs["externalId"].(string)
		active, _ := u.Attrs["active"].(bool)
		got[ext] = access{Active: active, Roles: slices.Sorted(slices.Values(byID[u.ID]))}
	}
	return got
}

// grants is what Okta says each user should hold: the roles of the mapped
// groups they are members of (while their status keeps roles). byName
// resolves the mappings by name, as the configuration names them;
// otherwise the groups are those the mappings named when the cell began,
// by id, whatever they are called now.
func (w *world) grants(byName bool) map[string][]string {
	org := w.sim.Org()
	want := map[string][]string{}
	for _, m := range mappings {
		id := w.groupIDs[m.group]
		if byName {
			g, ok := org.GroupByName(m.group)
			if !ok {
				continue
			}
			id = g.ID
		}
		if _, ok := org.Group(id); !ok {
			continue
		}
		for _, uid := range org.Members(id) {
			if u, ok := org.User(uid); ok && okta.KeepsRoles(u.Status) {
				want[uid] = append(want[uid], m.roles...)
			}
		}
	}
	for id, roles := range want {
		slices.Sort(roles)
		want[id] = slices.Compact(roles)
	}
	return want
}

// wrongful returns the users who hold fewer roles in after than in before
// while Okta still grants them the role they lost, by the mapped groups'
// names or by the groups they named when the cell began.
func (w *world) wrongful(before, after map[string]access) []string {
	byName, byID := w.grants(true), w.grants(false)
	var out []string
	for id, b := range before {
		if !b.Active {
			continue
		}
		a := after[id]
		for _, r := range b.Roles {
			lost := !a.Active || !slices.Contains(a.Roles, r)
			if lost && (slices.Contains(byName[id], r) || slices.Contains(byID[id], r)) {
				out = append(out, id+" lost "+r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// converged reports how the target differs from what Okta says (by the
// mapped groups' names): every user granted roles is active with exactly
// those roles, and every other user the sync made holds none.
func (w *world) converged() []string {
	want := w.grants(true)
	got := w.holdings()
	var diffs []string
	for id, roles := range want {
		if a := got[id]; !a.Active || !slices.Equal(a.Roles, roles) {
			diffs = append(diffs, fmt.Sprintf("%s holds %+v, Okta grants %v", id, a, roles))
		}
	}
	for id, a := range got {
		if _, ok := want[id]; !ok && len(a.Roles) > 0 {
			diffs = append(diffs, fmt.Sprintf("%s holds %v, Okta grants nothing", id, a.Roles))
		}
	}
	slices.Sort(diffs)
	return diffs
}
