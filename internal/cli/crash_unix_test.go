//go:build unix

package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
)

// TestCrashHelperProcess is the child of TestCrashDuringApply: `rolesync
// sync --once` in a process of its own, so that it can be killed.
func TestCrashHelperProcess(t *testing.T) {
	dir := os.Getenv("ROLESYNC_CRASH_CHILD_DIR")
	if dir == "" {
		t.Skip("the child process of TestCrashDuringApply")
	}
	env := Env{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr, Getenv: func(string) string { return "" }}
	os.Exit(Main(context.Background(), []string{"--data-dir", dir, "sync", "--once"}, env))
}

// crashPlan is the size of the crash test: ROLESYNC_CRASH_LONG=1 for a
// larger org and more kills.
func crashPlan() (users, groups, kills int) {
	if os.Getenv("ROLESYNC_CRASH_LONG") != "" {
		return 6000, 300, 60
	}
	if testing.Short() {
		return 800, 80, 20
	}
	return 1200, 100, 22
}

// writes returns how many writes the local directory has seen (its users
// version), read without opening the directory the way the app does.
func writes(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'users_version'`).Scan(&v); err != nil {
		return -1 // not created yet, or busy: poll again
	}
	return v
}

// syncKilledAt runs the child and kills it with SIGKILL once the directory
// has seen at least at writes. It reports whether the child was killed
// (false when it finished first).
func syncKilledAt(t *testing.T, h *harness, db *sql.DB, at int64) (bool, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$")
	// The keyring passphrase leaves the environment once read: pass it on.
	cmd.Env = append(os.Environ(), "ROLESYNC_CRASH_CHILD_DIR="+h.dataDir, "ROLESYNC_KEYRING_PASSWORD=test-passphrase", "ROLESYNC_KEYRING_BACKEND=file")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case <-done:
			return false, out.String()
		default:
		}
		if writes(t, db) >= at {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return true, out.String()
		}
		time.Sleep(time.Millisecond)
	}
}

// crashState checks the data directory after a run (killed or not): the
// store opens and marks a killed run interrupted, the audit chain verifies,
// and the roles the recorded changes give each user are the roles the
// directory holds, except for the users of the apply journal's note (the
// changes in flight when the process was killed, which the next run
// records if they were made). It returns those users.
func crashState(t *testing.T, h *harness, killed bool) map[string]bool {
	t.Helper()
	return crashStateOf(t, h, killed, directoryRoles(h))
}

// directoryRoles returns the roles of each active user of the local
// directory, by Okta id.
func directoryRoles(h *harness) func() map[string][]string {
	return func() map[string][]string {
		active, _ := h.directory()
		return active
	}
}

// crashStateOf is crashState for any target: held returns the roles each
// active user holds there, by Okta id. The last run must be interrupted
// when killed is true, succeeded otherwise.
func crashStateOf(t *testing.T, h *harness, killed bool, held func() map[string][]string) map[string]bool {
	t.Helper()
	want := store.StatusSucceeded
	if killed {
		want = store.StatusInterrupted
	}
	return checkRecorded(t, h, []string{want}, held)
}

// checkRecorded is crashStateOf for a last run that ended in one of
// statuses.
func checkRecorded(t *testing.T, h *harness, statuses []string, held func() map[string][]string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(h.connDir(), app.StoreFile))
	if err != nil {
		t.Fatalf("the store does not open after the kill: %v", err)
	}
	last, ok, err := st.LastRun(ctx)
	if err != nil || !ok {
		t.Fatalf("last run: %v %v", ok, err)
	}
	if !slices.Contains(statuses, last.Status) {
		t.Fatalf("run %d: status %q (%s), want one of %q", last.ID, last.Status, last.Error, statuses)
	}
	cut := last.Status != store.StatusSucceeded // killed, or failed part way
	recorded := map[string][]string{}
	err = st.EachChange(ctx, store.ChangeFilter{}, func(c store.Change) error {
		switch {
		case c.Held:
		case c.Action == store.ActionGrant:
			recorded[c.OktaID] = append(recorded[c.OktaID], c.Role)
		case c.Action == store.ActionRevoke:
			recorded[c.OktaID] = slices.DeleteFunc(recorded[c.OktaID], func(r string) bool { return r == c.Role })
		case c.Action == store.ActionRevokeAll:
			recorded[c.OktaID] = nil
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := h.run("", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after the kill: exit %d\n%s%s", code, out, errs)
	}
	inFlight := map[string]bool{}
	if b, err := os.ReadFile(filepath.Join(h.connDir(), app.LockFile+".pending")); err == nil {
		var note struct{ Changes []store.Change }
		_ = json.Unmarshal(b, &note) // a note cut short names no change
		for _, c := range note.Changes {
			inFlight[c.OktaID] = true
		}
	}
	if !cut && len(inFlight) > 0 {
		t.Fatalf("a finished run left a journal note of %d users", len(inFlight))
	}
	active := held()
	for id := range recorded {
		if _, ok := active[id]; !ok {
			active[id] = nil
		}
	}
	for id, roles := range active {
		want := slices.Sorted(slices.Values(recorded[id]))
		if got := slices.Sorted(slices.Values(roles)); !inFlight[id] && !slices.Equal(slices.Compact(want), got) {
			t.Fatalf("%s holds %q in the directory; its recorded changes give it %q", id, got, want)
		}
	}
	return inFlight
}

// adminMember adds (PUT) or removes (DELETE) a member through Okta's own
// route, as an Okta admin would.
func adminMember(t *testing.T, sim *oktasim.Server, method, groupID, userID string) {
	t.Helper()
	req, _ := http.NewRequest(method, sim.URL()+"/api/v1/groups/"+groupID+"/users/"+userID, nil)
	req.Header.Set("Authorization", "SSWS "+sim.APIToken())
	resp, err := sim.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("%s membership: status %d", method, resp.StatusCode)
	}
}

// reshuffle removes every other member of Engineering and adds up to n
// users who are not in it, so that the next run grants roles to and revokes
// them from existing users one by one, and creates some.
func reshuffle(t *testing.T, sim *oktasim.Server, n int) {
	t.Helper()
	org := sim.Org()
	eng, _ := org.GroupByName("Engineering")
	members := org.Members(eng.ID)
	in := map[string]bool{}
	for i, id := range members {
		in[id] = true
		if i%2 == 0 {
			adminMember(t, sim, http.MethodDelete, eng.ID, id)
		}
	}
	for _, u := range org.Users() {
		if n > 0 && !in[u.ID] {
			adminMember(t, sim, http.MethodPut, eng.ID, u.ID)
			n--
		}
	}
}

// killRuns starts sync --once up to n times and kills each run once the
// directory has seen a few more writes, checking the data directory after
// each kill. It returns the kills made: fewer than n when a run finished.
func killRuns(t *testing.T, h *harness, db *sql.DB, n, seed int) int {
	t.Helper()
	for i := range n {
		at := writes(t, db) + int64(1+(seed+i*7)%11)
		killed, out := syncKilledAt(t, h, db, at)
		if !killed {
			t.Logf("a run finished before its kill point: %s", out)
			return i
		}
		crashState(t, h, true)
	}
	return n
}

// converge runs sync --once to its end and checks that the directory holds
// what Okta says and what the recorded changes say, and that a run after it
// has nothing to do.
func converge(t *testing.T, h *harness, db *sql.DB, sim *oktasim.Server) {
	t.Helper()
	if killed, out := syncKilledAt(t, h, db, 1<<62); killed || strings.Contains(out, "rolesync:") {
		t.Fatalf("the run after the kills: killed %v: %s", killed, out)
	}
	crashState(t, h, false)
	active, _ := h.directory()
	sameRoles(t, active, expected(sim))
	if code, res, errs := h.syncJSON(); code != 0 || res.Created+res.Granted+res.Revoked != 0 {
		t.Fatalf("the run after the converging one: exit %d %+v %s", code, res, errs)
	}
}

// TestCrashDuringApply kills `sync --once` with SIGKILL at points spread
// over a large first apply against the local directory (users created in
// bulk) and over a second one that grants and revokes roles user by user.
// After each kill: the store opens and marks the killed run interrupted,
// audit verify passes, and every recorded grant is in the directory. After
// each apply the runs converge to what Okta says.
func TestCrashDuringApply(t *testing.T) {
	if os.Getenv("ROLESYNC_CRASH_CHILD_DIR") != "" {
		t.Skip("in the child process")
	}
	users, groups, kills := crashPlan()
	// No rate limits: the test moves many members between applies.
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: users, Groups: groups, Seed: 1,
		RateLimits: oktasim.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(h.connDir(), app.DirectoryFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	survived := killRuns(t, h, db, 3, 0)
	converge(t, h, db, sim)
	t.Logf("first apply: %d kills", survived)
	for round := 0; survived < kills && round < 5; round++ {
		reshuffle(t, sim, users/10)
		survived += killRuns(t, h, db, kills-survived, round+1)
		converge(t, h, db, sim)
		t.Logf("apply %d: %d kills in all", round+2, survived)
	}
	t.Logf("%d kill points survived", survived)
	if survived < kills {
		t.Errorf("only %d of %d kill points reached", survived, kills)
	}
}
