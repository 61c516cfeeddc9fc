package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
)

// Connection names of these tests: free text, with characters a slug drops.
const (
	connA = "Contoso → ThreatLocker EU1"
	connB = "Fabrikam: local portal"
)

func startSimSeed(t *testing.T, seed int64) *oktasim.Server {
	t.Helper()
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 300, Groups: 30, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// twoConnections adds connA against simA and connB against simB, each
// configured, with its own API token and roles.
func twoConnections(t *testing.T) (h *harness, simA, simB *oktasim.Server) {
	t.Helper()
	h = newHarness(t)
	simA, simB = startSimSeed(t, 1), startSimSeed(t, 2)
	for _, c := range []struct {
		name string
		sim  *oktasim.Server
	}{{connA, simA}, {connB, simB}} {
		h.mustRun("", "connections", "add", c.name)
		hc := h.in(c.name)
		hc.importConfig(c.sim)
		hc.mustRun(c.sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	}
	return h, simA, simB
}

func TestConnectionsCommands(t *testing.T) {
	h := newHarness(t)
	if out := h.mustRun("", "connections", "list"); !strings.Contains(out, "no connections yet") {
		t.Errorf("list of a new data directory: %q", out)
	}
	h.mustRun("", "connections", "add", connA)
	h.mustRun("", "connections", "add", connB)
	if code, _, errs := h.run("", "connections", "add", strings.ToUpper(connB)); code != 1 || !strings.Contains(errs, "exists already") {
		t.Errorf("a second connection of the same name: exit %d, %q", code, errs)
	}
	// With several connections, a command that needs one names them.
	code, _, errs := h.run("", "history")
	if code != 1 || !strings.Contains(errs, "--connection") || !strings.Contains(errs, connA) || !strings.Contains(errs, connB) {
		t.Errorf("history with two connections and none named: exit %d, %q", code, errs)
	}
	if code, _, errs := h.in("Northwind").run("", "history"); code != 1 || !strings.Contains(errs, `no connection named "Northwind"`) {
		t.Errorf("an unknown connection: exit %d, %q", code, errs)
	}
	h.in(connB).mustRun("", "history")
	h.env["ROLESYNC_CONNECTION"] = connA
	h.mustRun("", "history")
	delete(h.env, "ROLESYNC_CONNECTION")

	// A change recorded in connB's history, to be exported once it is removed.
	rt, err := openConnection(context.Background(), h.dataDir, connB, Env{}, false)
	if err != nil {
		t.Fatal(err)
	}
	run, err := rt.Store.StartRun(context.Background(), store.TriggerCLI, time.Now())
	if err == nil {
		err = rt.Store.AddChanges(context.Background(), run, []store.Change{{At: time.Now(), User: "removed@example.com", Action: store.ActionGrant, Role: "Auditor"}})
	}
	rt.Close()
	if err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "connections", "rename", connB, "Fabrikam EU")
	var list []connectionInfo
	if err := json.Unmarshal([]byte(h.mustRun("", "connections", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != connA || list[1].Name != "Fabrikam EU" || list[1].Slug != "fabrikam-local-portal" || list[0].Configured {
		t.Errorf("list after the rename: %+v", list)
	}
	out := h.mustRun("", "connections", "remove", "Fabrikam EU")
	kept := filepath.Join(h.dataDir, app.RemovedDir, "fabrikam-local-portal-"+time.Now().UTC().Format("2006-01-02"))
	if !strings.Contains(out, kept) {
		t.Errorf("remove does not say where the history is kept (%s): %q", kept, out)
	}
	if _, err := os.Stat(filepath.Join(kept, app.StoreFile)); err != nil {
		t.Errorf("the removed connection's store is not kept: %v", err)
	}
	// Its history can still be exported, as remove says.
	report := filepath.Join(t.TempDir(), "removed.csv")
	removed := &harness{t: t, dataDir: kept, env: map[string]string{}}
	removed.mustRun("", "export", "--format", "csv", "--out", report)
	if data, err := os.ReadFile(report); err != nil || !strings.Contains(string(data), "removed@example.com") {
		t.Errorf("the removed connection's export: %v\n%s", err, data)
	}
	// One connection left: it is the default again.
	h.mustRun("", "history")
	if code, _, errs := h.run("", "connections", "add"); code != 2 || !strings.Contains(errs, "name the connection") {
		t.Errorf("add without a name: exit %d, %q", code, errs)
	}
}

// Two connections to two simulated orgs, each with its local directory,
// sync independently: no user of one org reaches the other's directory,
// and each connection's secrets are items of its own.
func TestTwoConnectionsNeverCross(t *testing.T) {
	h, simA, simB := twoConnections(t)
	var results []connectionResult
	if err := json.Unmarshal([]byte(h.mustRun("", "sync", "--once", "--all", "--json")), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Connection != connA || results[1].Connection != connB {
		t.Fatalf("sync --all: %+v", results)
	}
	for _, r := range results {
		if r.Status != store.StatusSucceeded || r.Created == 0 {
			t.Errorf("%s: %+v", r.Connection, r.Result)
		}
	}
	for _, c := range []struct {
		name        string
		own, other  *oktasim.Server
		ownSlug, no string
	}{{connA, simA, simB, "contoso-threatlocker-eu1", "fabrikam-local-portal"}, {connB, simB, simA, "fabrikam-local-portal", "contoso-threatlocker-eu1"}} {
		var users []directoryUser
		if err := json.Unmarshal([]byte(h.in(c.name).mustRun("", "directory", "list", "--json")), &users); err != nil {
			t.Fatal(err)
		}
		want := expected(c.own)
		if len(users) != len(want) {
			t.Errorf("%s: %d users in its directory, want %d", c.name, len(users), len(want))
		}
		for _, u := range users {
			if _, ok := c.own.Org().User(u.OktaID); !ok {
				t.Errorf("%s: user %s (%s) is not of its org", c.name, u.Login, u.OktaID)
			}
			if _, ok := c.other.Org().User(u.OktaID); ok {
				t.Errorf("%s: user %s of the other org reached its directory", c.name, u.OktaID)
			}
		}
		// Each connection's keyring holds its own items only, named for it.
		items, _ := filepath.Glob(filepath.Join(h.dataDir, app.ConnectionsDir, c.ownSlug, app.KeyringDir, "*"))
		var token bool
		for _, it := range items {
			base := filepath.Base(it)
			if strings.Contains(base, c.no) {
				t.Errorf("%s: its keyring holds %s", c.name, base)
			}
			token = token || strings.HasPrefix(base, "connection%2F"+c.ownSlug+"%2F"+secrets.APIToken)
		}
		if !token {
			t.Errorf("%s: no API token item named for it among %v", c.name, items)
		}
	}
	// A second --all run changes nothing; history and audit stay per connection.
	out := h.mustRun("", "sync", "--once", "--all")
	if !strings.Contains(out, connA+": run 2 succeeded: 0 created") || !strings.Contains(out, connB+": run 2 succeeded: 0 created") {
		t.Errorf("the second sync --all: %q", out)
	}
	for _, name := range []string{connA, connB} {
		h.in(name).mustRun("", "audit", "verify")
	}
	// config export --all names both, without secrets.
	exp := h.mustRun("", "config", "export", "--all")
	for _, want := range []string{`# connection: "` + connA + `"`, `# connection: "` + connB + `"`, simA.URL(), simB.URL(), "\n---\n"} {
		if !strings.Contains(exp, want) {
			t.Errorf("config export --all lacks %q:\n%s", want, exp)
		}
	}
	if strings.Contains(exp, simA.APIToken()) || strings.Contains(exp, simB.APIToken()) {
		t.Error("config export --all holds an API token")
	}
}

// A connection whose sync fails fails sync --all, and the others still run.
func TestSyncAllGoesOnPastAFailure(t *testing.T) {
	h, simA, _ := twoConnections(t)
	if err := simA.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups", Status: 500, Count: 1000}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := h.run("", "sync", "--once", "--all")
	if code != 1 || !strings.Contains(errs, "1 of 2 connections failed: "+connA) {
		t.Errorf("sync --all with a failing connection: exit %d, %q", code, errs)
	}
	if !strings.Contains(out, connB+": run 1 succeeded") {
		t.Errorf("the other connection did not sync: %q", out)
	}
}

// In the daemon, a connection whose Okta stalls or fails does not delay
// the other connection's run.
func TestDaemonFailingConnectionDoesNotDelayAnother(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault oktasim.Fault
	}{
		{"stalled", oktasim.Fault{PathPrefix: "/api/v1/", DelayMS: 600_000, Count: 1000}},
		{"500s", oktasim.Fault{PathPrefix: "/api/v1/", Status: 500, Count: 100_000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, simA, _ := twoConnections(t)
			if err := simA.InjectFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			runs := make(chan ran, 16)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr lockedBuffer
			env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" },
				onRun: func(conn string, res engine.Result, _ error) { runs <- ran{conn, res} }}
			done := make(chan int, 1)
			go func() { done <- Main(ctx, []string{"--data-dir", h.dataDir, "daemon", "--parallel", "2"}, env) }()

			if tc.name == "stalled" {
				// The first run to finish is the healthy connection's,
				// while the stalled one's is still going.
				r := nextRun(t, runs, &stderr)
				if r.conn != connB || r.res.Status != store.StatusSucceeded {
					t.Errorf("the first run to finish: %s %+v, want %s succeeded", r.conn, r.res, connB)
				}
				var hist []historyRun
				if err := json.Unmarshal([]byte(h.in(connA).mustRun("", "history", "--json")), &hist); err != nil {
					t.Fatal(err)
				}
				if len(hist) != 1 || hist[0].Status != store.StatusRunning {
					t.Errorf("%s while its Okta stalls: %+v", connA, hist)
				}
			} else {
				got := map[string]string{}
				for len(got) < 2 {
					r := nextRun(t, runs, &stderr)
					got[r.conn] = r.res.Status
				}
				if got[connA] != store.StatusFailed || got[connB] != store.StatusSucceeded {
					t.Errorf("first runs: %v, want %s failed and %s succeeded", got, connA, connB)
				}
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("the daemon exited with %d: %s", code, stderr.String())
			}
			for _, name := range []string{connA, connB} {
				if !strings.Contains(stderr.String(), name+": syncing every 15m") {
					t.Errorf("the daemon did not say it syncs %s: %s", name, stderr.String())
				}
			}
		})
	}
}

type ran struct {
	conn string
	res  engine.Result
}

// nextRun waits for the daemon's next finished run.
func nextRun(t *testing.T, runs <-chan ran, stderr *lockedBuffer) ran {
	t.Helper()
	select {
	case r := <-runs:
		return r
	case <-time.After(2 * time.Minute):
		t.Fatalf("no run finished; the daemon's output:\n%s", stderr.String())
	}
	return ran{}
}

// A data directory of the earlier layout, made here with app.Open on the
// directory itself, opens as one connection named after its Okta domain,
// with its history, and its audit chain verifies.
func TestOldLayoutOpensAsOneConnection(t *testing.T) {
	h := newHarness(t)
	sim := startSim(t, 300, 30)
	ctx := context.Background()
	rt, err := app.Open(ctx, h.dataDir, app.Env{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Okta.Domain, cfg.Okta.Auth, cfg.Okta.CAFile = sim.URL(), config.AuthAPIToken, sim.CAFile()
	cfg.Mappings = []config.Mapping{{Group: "IT Admins", Roles: []string{"Administrator"}}}
	if err := app.SaveConfig(ctx, rt.Store, cfg); err != nil {
		t.Fatal(err)
	}
	if err := rt.Directory.AddRole(ctx, "Administrator"); err != nil {
		t.Fatal(err)
	}
	sec, err := rt.Secrets()
	if err != nil {
		t.Fatal(err)
	}
	if err := sec.Set(secrets.APIToken, []byte(sim.APIToken())); err != nil {
		t.Fatal(err)
	}
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerCLI}); err != nil || res.Created == 0 {
		t.Fatalf("the old layout's sync: %+v, %v", res, err)
	}
	rt.Close()

	var list []connectionInfo
	if err := json.Unmarshal([]byte(h.mustRun("", "connections", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(sim.URL(), "https://")
	if len(list) != 1 || list[0].Name != host || list[0].LastRun != store.StatusSucceeded {
		t.Fatalf("connections after the upgrade: %+v, want one named %s", list, host)
	}
	if out := h.mustRun("", "audit", "verify"); !strings.Contains(out, "audit verify: ") {
		t.Errorf("audit verify: %q", out)
	}
	// The file keyring moved with it: the next run reads the token and
	// finds nothing to change.
	if out := h.mustRun("", "sync", "--once"); !strings.Contains(out, "run 2 succeeded: 0 created") {
		t.Errorf("the next run: %q", out)
	}
	var hist []historyRun
	if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &hist); err != nil || len(hist) != 2 {
		t.Errorf("history after the upgrade: %d runs, %v", len(hist), err)
	}
}
