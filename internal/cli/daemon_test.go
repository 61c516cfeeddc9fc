package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// lockedBuffer is a bytes.Buffer safe for the daemon's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDaemonAndASecondSyncNeverRunTogether(t *testing.T) {
	sim := startSim(t, 300, 30)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	// The daemon's first run stalls on a slow Okta answer, holding the lock.
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups", DelayMS: 4000, Count: 1}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }}
		done <- Main(ctx, []string{"--data-dir", h.dataDir, "daemon"}, env)
	}()

	// Wait until the daemon's run has started.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var runs []historyRun
		if code, out, _ := h.run("", "history", "--json"); code == 0 && json.Unmarshal([]byte(out), &runs) == nil &&
			len(runs) > 0 && runs[0].Status == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon started no run; its output:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	code, _, errs := h.run("", "sync", "--once")
	if code == 0 {
		t.Fatal("a second sync ran while the daemon's run held the lock")
	}
	if !strings.Contains(errs, "held by daemon") || !strings.Contains(errs, "wait for that sync to finish") {
		t.Errorf("the refusal does not say who holds the lock and what to do: %q", errs)
	}

	// The daemon stops cleanly once its run is done.
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("the daemon exited with %d: %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the daemon did not stop")
	}
	var runs []historyRun
	if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	// Stopped during its read, the run changed nothing and says so.
	if len(runs) != 1 || runs[0].Trigger != "schedule" || runs[0].FinishedAt == nil ||
		(runs[0].Status != "succeeded" && !strings.Contains(runs[0].Error, "nothing was changed")) {
		t.Errorf("history after the daemon: %+v", runs)
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("the daemon did not say it stopped: %s", stderr.String())
	}
}
