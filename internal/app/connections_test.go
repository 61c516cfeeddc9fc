package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
)

// oldLayout makes a data directory as rolesync made it before it held
// several connections: Open on the directory itself, a configuration for
// sim, the API token in kr (a keyring shared as the desktop keyring is)
// and one sync, which also signs the audit chain's first checkpoint.
func oldLayout(t *testing.T, root string, sim *oktasim.Server, kr keyring.Keyring) (runs []store.Run, changes int) {
	t.Helper()
	ctx := context.Background()
	rt, err := Open(ctx, root, Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.UseSecrets(kr)
	sec, _ := rt.Secrets()
	if err := sec.Set(secrets.APIToken, []byte(sim.APIToken())); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Okta.Domain, cfg.Okta.Auth, cfg.Okta.CAFile = sim.URL(), config.AuthAPIToken, sim.CAFile()
	cfg.Target.Kind = config.TargetLocal
	cfg.Mappings = []config.Mapping{{Group: "IT Admins", Roles: []string{"Administrator"}}, {Group: "Security", Roles: []string{"Auditor"}}}
	if err := SaveConfig(ctx, rt.Store, cfg); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"Administrator", "Auditor"} {
		if err := rt.Directory.AddRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerCLI})
	if err != nil || res.Status != store.StatusSucceeded || res.Created == 0 {
		t.Fatalf("the old layout's sync: %+v, %v", res, err)
	}
	return historyOf(t, rt)
}

func historyOf(t *testing.T, rt *Runtime) ([]store.Run, int) {
	t.Helper()
	ctx := context.Background()
	runs, err := rt.Store.Runs(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	n, err := rt.Store.CountChanges(ctx, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return runs, int(n)
}

func startSim(t *testing.T) *oktasim.Server {
	t.Helper()
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 200, Groups: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// checkMigrated opens the one connection of root and checks that it holds
// the old layout's history, that its audit chain verifies against the
// shared keyring, and that its secret is read under its old name.
func checkMigrated(t *testing.T, root string, kr keyring.Keyring, wantRuns []store.Run, wantChanges int, host string) {
	t.Helper()
	ctx := context.Background()
	conns, err := Connections(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 1 || conns[0].Name != host || !conns[0].Legacy {
		t.Fatalf("connections after the migration: %+v, want one named %q", conns, host)
	}
	for _, name := range []string{StoreFile, DirectoryFile, KeyringDir} {
		if _, err := os.Stat(filepath.Join(root, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still at the top of the data directory (%v)", name, err)
		}
	}
	rt, err := OpenConnection(ctx, root, conns[0], Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.UseSecrets(kr)
	runs, changes := historyOf(t, rt)
	if len(runs) != len(wantRuns) || runs[0].ID != wantRuns[0].ID || runs[0].Status != wantRuns[0].Status || changes != wantChanges {
		t.Errorf("history after the migration: %d runs, %d changes; want %d runs, %d changes", len(runs), changes, len(wantRuns), wantChanges)
	}
	trust, err := rt.AuditTrust(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.Store.VerifyAudit(ctx, trust)
	if err != nil || !res.OK || res.Checkpoints == 0 {
		t.Fatalf("audit verify after the migration: %+v, %v", res, err)
	}
	if _, err := rt.KeyringGetter()(secrets.APIToken); err != nil {
		t.Errorf("the migrated connection does not read its API token: %v", err)
	}
	// And it syncs on: the next run finds nothing to change.
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerCLI}); err != nil || r.Status != store.StatusSucceeded || r.Created != 0 {
		t.Errorf("the migrated connection's next run: %+v, %v", r, err)
	}
}

func TestMigrationKeepsHistoryAndChain(t *testing.T) {
	sim := startSim(t)
	root, kr := t.TempDir(), keyring.NewArrayKeyring(nil)
	runs, changes := oldLayout(t, root, sim, kr)
	if err := Migrate(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	checkMigrated(t, root, kr, runs, changes, strings.TrimPrefix(sim.URL(), "https://"))
	info, err := os.Stat(filepath.Join(root, IndexFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the index: %v, %v; want mode 0600", info, err)
	}
}

// A migration stopped at any step (a crash) is finished by the next open,
// and a finished one never runs again.
func TestMigrationFinishesAfterACrashAndRunsOnce(t *testing.T) {
	sim := startSim(t)
	host := strings.TrimPrefix(sim.URL(), "https://")
	steps := []string{"record", "move " + StoreFile, "move " + DirectoryFile, "move " + LockFile, "index", "done"}
	for _, stop := range steps {
		t.Run(stop, func(t *testing.T) {
			root, kr := t.TempDir(), keyring.NewArrayKeyring(nil)
			runs, changes := oldLayout(t, root, sim, kr)
			crash := errors.New("crashed")
			migrateStep = func(s string) error {
				if s == stop {
					return crash
				}
				return nil
			}
			err := Migrate(context.Background(), root)
			migrateStep = nil
			if !errors.Is(err, crash) {
				t.Fatalf("the migration did not reach %q: %v", stop, err)
			}
			checkMigrated(t, root, kr, runs, changes, host)
			if _, err := os.Stat(filepath.Join(root, migrateRecord)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the migration record is left: %v", err)
			}
		})
	}
	t.Run("once", func(t *testing.T) {
		root, kr := t.TempDir(), keyring.NewArrayKeyring(nil)
		oldLayout(t, root, sim, kr)
		if err := Migrate(context.Background(), root); err != nil {
			t.Fatal(err)
		}
		// A store at the top again (an earlier version run on the
		// directory) is not taken for a second connection.
		st, err := store.Open(context.Background(), filepath.Join(root, StoreFile))
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		conns, err := Connections(context.Background(), root)
		if err != nil || len(conns) != 1 {
			t.Fatalf("connections: %+v, %v; want the one migrated", conns, err)
		}
	})
}

// A data directory that a process of the earlier layout is syncing is
// not migrated from under it; once it is done, it is.
func TestMigrationWaitsForASyncOfTheOldLayout(t *testing.T) {
	sim := startSim(t)
	root, kr := t.TempDir(), keyring.NewArrayKeyring(nil)
	runs, changes := oldLayout(t, root, sim, kr)
	lock, err := engine.AcquireLock(filepath.Join(root, LockFile), "daemon")
	if err != nil {
		t.Fatal(err)
	}
	err = Migrate(context.Background(), root)
	if err == nil || !strings.Contains(err.Error(), "held by daemon") {
		t.Errorf("migrated while a sync held the lock: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, StoreFile)); err != nil {
		t.Errorf("the store moved while a sync held the lock: %v", err)
	}
	lock.Release()
	if err := Migrate(context.Background(), root); err != nil {
		t.Fatal(err)
	}
	checkMigrated(t, root, kr, runs, changes, strings.TrimPrefix(sim.URL(), "https://"))
}

func TestConnectionsAddRenameRemove(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if conns, err := Connections(ctx, root); err != nil || len(conns) != 0 {
		t.Fatalf("a new data directory: %+v, %v", conns, err)
	}
	if _, err := SelectConnection(nil, ""); !errors.Is(err, ErrNoConnection) {
		t.Errorf("selecting in an empty data directory: %v", err)
	}
	a, err := AddConnection(ctx, root, "  Contoso → ThreatLocker EU1 ")
	if err != nil || a.Name != "Contoso → ThreatLocker EU1" || a.Slug != "contoso-threatlocker-eu1" {
		t.Fatalf("add: %+v, %v", a, err)
	}
	b, err := AddConnection(ctx, root, "Contoso: ThreatLocker EU1!")
	if err != nil || b.Slug != "contoso-threatlocker-eu1-2" {
		t.Fatalf("a second name with the same slug: %+v, %v", b, err)
	}
	for _, bad := range []string{"", "   ", "contoso → threatlocker eu1", "a\nb", strings.Repeat("x", MaxConnectionName+1)} {
		if _, err := AddConnection(ctx, root, bad); err == nil {
			t.Errorf("add %q: no error", bad)
		}
	}
	conns, _ := Connections(ctx, root)
	if _, err := SelectConnection(conns, ""); err == nil || !strings.Contains(err.Error(), "--connection") ||
		!strings.Contains(err.Error(), a.Name) || !strings.Contains(err.Error(), b.Name) {
		t.Errorf("selecting none of two: %v", err)
	}
	if got, err := SelectConnection(conns, b.Slug); err != nil || got != b {
		t.Errorf("select by slug: %+v, %v", got, err)
	}
	if _, err := RenameConnection(ctx, root, b.Name, a.Name); err == nil {
		t.Error("renamed a connection to another's name")
	}
	r, err := RenameConnection(ctx, root, b.Name, "Fabrikam")
	if err != nil || r.Slug != b.Slug || r.Name != "Fabrikam" {
		t.Fatalf("rename: %+v, %v", r, err)
	}
	// A removed connection's directory, history included, is kept.
	rt, err := OpenConnection(ctx, root, a, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Store.StartRun(ctx, store.TriggerCLI, time.Now()); err != nil {
		t.Fatal(err)
	}
	lock, err := engine.AcquireLock(filepath.Join(rt.DataDir, LockFile), "daemon")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := RemoveConnection(ctx, root, a.Name, time.Now()); err == nil || !strings.Contains(err.Error(), "daemon") {
		t.Errorf("removed a connection whose sync holds its lock: %v", err)
	}
	lock.Release()
	rt.Close()
	day := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	gone, dest, err := RemoveConnection(ctx, root, a.Name, day)
	if err != nil || gone != a || dest != filepath.Join(root, RemovedDir, a.Slug+"-2026-12-05") {
		t.Fatalf("remove: %q, %v", dest, err)
	}
	st, err := store.Open(ctx, filepath.Join(dest, StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := st.Runs(ctx, 10, 0); err != nil || len(runs) != 1 {
		t.Errorf("the removed connection's history: %d runs, %v", len(runs), err)
	}
	st.Close()
	conns, _ = Connections(ctx, root)
	if len(conns) != 1 || conns[0].Name != "Fabrikam" {
		t.Errorf("after the removal: %+v", conns)
	}
	if got, err := SelectConnection(conns, ""); err != nil || got.Name != "Fabrikam" {
		t.Errorf("the only connection is not the default: %+v, %v", got, err)
	}
}

// Two connections share the desktop keyring: each writes and reads only
// items named for it, and a migrated one keeps its items' old names.
func TestConnectionsKeyringItemsAreNamespaced(t *testing.T) {
	ctx := context.Background()
	root, kr := t.TempDir(), keyring.NewArrayKeyring(nil)
	var opened []*Runtime
	for _, name := range []string{"Contoso", "Fabrikam"} {
		c, err := AddConnection(ctx, root, name)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := OpenConnection(ctx, root, c, Env{})
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close()
		rt.UseSecrets(kr)
		sec, _ := rt.Secrets()
		if err := sec.Set(secrets.APIToken, []byte("token of "+name)); err != nil {
			t.Fatal(err)
		}
		opened = append(opened, rt)
	}
	keys, _ := kr.Keys()
	slices.Sort(keys)
	want := []string{"connection/contoso/" + secrets.APIToken, "connection/fabrikam/" + secrets.APIToken}
	if !slices.Equal(keys, want) {
		t.Errorf("keyring items %q, want %q", keys, want)
	}
	for i, name := range []string{"Contoso", "Fabrikam"} {
		if got, err := opened[i].KeyringGetter()(secrets.APIToken); err != nil || string(got) != "token of "+name {
			t.Errorf("%s reads %q, %v", name, got, err)
		}
	}
	if opened[0].auditScope(secrets.New(kr)) == opened[1].auditScope(secrets.New(kr)) {
		t.Error("two connections share the audit items' scope")
	}
}

// Forgetting a removed connection's secrets deletes its items from the
// shared keyring, and only its: another connection's, and the audit items,
// stay.
func TestForgetSecretsOfOneConnection(t *testing.T) {
	kr := keyring.NewArrayKeyring(nil)
	legacy := Connection{Name: "example.okta.com", Slug: "example-okta-com", Legacy: true}
	a, b := Connection{Name: "Contoso", Slug: "contoso"}, Connection{Name: "Fabrikam", Slug: "fabrikam"}
	for _, c := range []Connection{legacy, a, b} {
		ns := c.Slug
		if c.Legacy {
			ns = ""
		}
		sec := secrets.NewNamespaced(kr, ns)
		for _, name := range []string{secrets.APIToken, secrets.SCIMToken} {
			if err := sec.Set(name, []byte(name+" of "+c.Name)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := sec.AuditKey(c.Slug, true); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ForgetSecrets(a, kr); err != nil || n != 2 {
		t.Fatalf("forget %s: %d, %v; want 2", a.Name, n, err)
	}
	if n, err := ForgetSecrets(legacy, kr); err != nil || n != 2 {
		t.Fatalf("forget %s: %d, %v; want 2", legacy.Name, n, err)
	}
	keys, _ := kr.Keys()
	slices.Sort(keys)
	want := []string{"connection/fabrikam/" + secrets.APIToken, "connection/fabrikam/" + secrets.SCIMToken,
		"rolesync-audit-signing-key contoso", "rolesync-audit-signing-key example-okta-com", "rolesync-audit-signing-key fabrikam"}
	if !slices.Equal(keys, want) {
		t.Errorf("keyring items left %q, want %q", keys, want)
	}
}
