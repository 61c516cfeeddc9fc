//go:build unix

package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// crashPass marks the write the killer forwards to the provider itself.
const crashPass = "X-Crash-Pass"

// scimKiller sits in front of the SCIM provider and kills the syncing
// child with SIGKILL right after the provider has made the child's
// killAt-th write, before the answer reaches the child: between a SCIM
// write and its record.
type scimKiller struct {
	srv *scimtest.Server

	mu     sync.Mutex
	proc   *os.Process
	writes int // every write the provider was sent
	killAt int
	killed bool
}

func (k *scimKiller) fault(r *http.Request) (int, http.Header, string, bool) {
	if r.Method == http.MethodGet || r.Header.Get(crashPass) != "" {
		return 0, nil, "", false
	}
	k.mu.Lock()
	k.writes++
	hit := k.proc != nil && k.writes == k.killAt
	k.mu.Unlock()
	if !hit {
		return 0, nil, "", false
	}
	status, body := k.forward(r)
	k.mu.Lock()
	if k.proc != nil {
		_ = k.proc.Signal(syscall.SIGKILL)
		k.killed = true
	}
	k.mu.Unlock()
	return status, http.Header{"Content-Type": {"application/scim+json"}}, body, true
}

// forward makes the write at the provider and returns its answer.
func (k *scimKiller) forward(r *http.Request) (int, string) {
	b, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequest(r.Method, k.srv.URL()+r.URL.RequestURI(), bytes.NewReader(b))
	for _, name := range []string{"Authorization", "Content-Type", "If-Match"} {
		req.Header.Set(name, r.Header.Get(name))
	}
	req.Header.Set(crashPass, "1")
	resp, err := k.srv.Client().Do(req)
	if err != nil {
		return http.StatusBadGateway, err.Error()
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// syncKilledAtWrite runs the child and has it killed after the provider's
// write number at (counted over the provider's life). It reports whether
// the child was killed (false when it finished first).
func (k *scimKiller) syncKilledAtWrite(t *testing.T, h *harness, at int) (bool, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$")
	cmd.Env = append(os.Environ(), "ROLESYNC_CRASH_CHILD_DIR="+h.dataDir, "ROLESYNC_KEYRING_PASSWORD=test-passphrase", "ROLESYNC_KEYRING_BACKEND=file")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k.mu.Lock()
	k.proc, k.killAt, k.killed = cmd.Process, at, false
	k.mu.Unlock()
	_ = cmd.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.proc = nil
	return k.killed, out.String()
}

func (k *scimKiller) writesSoFar() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.writes
}

// scimCrashPlan is the SCIM crash test's size: org users and kill points.
func scimCrashPlan() (users, kills int) {
	if os.Getenv("ROLESYNC_CRASH_LONG") != "" {
		return 2000, 40
	}
	if testing.Short() {
		return 400, 10
	}
	return 600, 20
}

// TestCrashBetweenSCIMWriteAndRecord kills `sync --once` against a SCIM
// provider (groups mode) right after the provider made a write, at points
// spread over a first apply (user creations, then group creations) and
// over applies that grant and revoke roles (user updates and group
// membership PATCHes). After each kill: the store opens, the killed run is
// interrupted, audit verify passes, and the recorded changes give every
// user the roles the provider holds, but for the changes the apply
// journal noted in flight; after the next run, with no exception. Every
// apply converges to what Okta says.
func TestCrashBetweenSCIMWriteAndRecord(t *testing.T) {
	if os.Getenv("ROLESYNC_CRASH_CHILD_DIR") != "" {
		t.Skip("in the child process")
	}
	users, kills := scimCrashPlan()
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: users, Groups: users / 10, Seed: 1,
		RateLimits: oktasim.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv, ca := startSCIM(t)
	k := &scimKiller{srv: srv}
	srv.SetFault(k.fault)
	h := newHarness(t)
	h.importSCIMConfig(sim, srv, scim.RoleModeGroups, ca)
	held := func() map[string][]string { return withRoles(scimUsers(t, srv, scim.RoleModeGroups)) }

	survived := 0
	for round := 0; survived < kills && round < 6; round++ {
		if round > 0 {
			reshuffle(t, sim, users/10)
		}
		for i := 0; survived < kills && i < kills/3+1; i++ {
			at := k.writesSoFar() + 1 + (round+i*7)%9
			killed, out := k.syncKilledAtWrite(t, h, at)
			if !killed {
				t.Logf("a run finished before its kill point: %s", out)
				break
			}
			crashStateOf(t, h, true, held)
			survived++
		}
		if killed, out := k.syncKilledAtWrite(t, h, -1); killed || strings.Contains(out, "rolesync:") {
			t.Fatalf("the run after the kills: killed %v: %s", killed, out)
		}
		if inFlight := crashStateOf(t, h, false, held); len(inFlight) > 0 {
			t.Fatalf("after a finished run, %d users are still in flight", len(inFlight))
		}
		sameRoles(t, held(), expected(sim))
		if code, res, errs := h.syncJSON(); code != 0 || res.Created+res.Granted+res.Revoked != 0 {
			t.Fatalf("the run after the converging one: exit %d %+v %s", code, res, errs)
		}
		t.Logf("apply %d: %d kills in all", round+1, survived)
	}
	t.Logf("%d kill points between a SCIM write and its record survived", survived)
	if survived < kills {
		t.Errorf("only %d of %d kill points reached", survived, kills)
	}
}
