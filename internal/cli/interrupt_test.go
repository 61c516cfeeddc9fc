package cli

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// onRequest is a slog handler for the simulator's request log that calls
// fn once, when the first request whose path has prefix and suffix arrives.
type onRequest struct {
	prefix, suffix string
	once           *sync.Once
	fn             func()
}

func (h onRequest) Enabled(context.Context, slog.Level) bool { return true }
func (h onRequest) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h onRequest) WithGroup(string) slog.Handler            { return h }

func (h onRequest) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if p := a.Value.String(); a.Key == "path" && strings.HasPrefix(p, h.prefix) && strings.HasSuffix(p, h.suffix) {
			h.once.Do(h.fn)
		}
		return true
	})
	return nil
}

// syncInterrupted runs `sync --once` with ctx and returns its exit status
// and stderr, failing the test when it does not return promptly.
func syncInterrupted(t *testing.T, h *harness, ctx context.Context) (int, string) {
	t.Helper()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		done <- Main(ctx, []string{"--data-dir", h.dataDir, "sync", "--once"}, env)
	}()
	select {
	case code := <-done:
		return code, stderr.String()
	case <-time.After(60 * time.Second):
		t.Fatalf("sync --once did not stop when its context was cancelled; stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	return 0, ""
}

// TestSyncOnceInterrupted: SIGINT and SIGTERM cancel the context Main runs
// with (cmd/rolesync); sync --once then stops at once, exits 1 and says it
// was interrupted, and leaves no run "running".
func TestSyncOnceInterrupted(t *testing.T) {
	t.Run("before the run", func(t *testing.T) {
		sim := startSim(t, 50, 10)
		h := newHarness(t)
		h.importConfig(sim)
		h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		code, errs := syncInterrupted(t, h, ctx)
		t.Logf("stderr: %s", errs)
		if code != 1 || !strings.HasPrefix(errs, "rolesync: ") || !strings.Contains(errs, "interrupted") || strings.Count(errs, "\n") != 1 {
			t.Errorf("sync --once with a cancelled context: exit %d, stderr %q; want exit 1 and one line saying it was interrupted", code, errs)
		}
	})

	t.Run("during the read", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The first member page is cancelled as it arrives; without the
		// cancellation it would be answered only after ten minutes.
		sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 300, Groups: 30, Seed: 1,
			Logger: slog.New(onRequest{prefix: "/api/v1/groups/", suffix: "/users", once: &sync.Once{}, fn: cancel})})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		h := newHarness(t)
		h.importConfig(sim)
		h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
		if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups/", DelayMS: 600_000, Count: 100}); err != nil {
			t.Fatal(err)
		}
		code, errs := syncInterrupted(t, h, ctx)
		t.Logf("stderr: %s", errs)
		if code != 1 || !strings.HasPrefix(errs, "rolesync: ") || !strings.Contains(errs, "interrupted") || strings.Count(errs, "\n") != 1 {
			t.Errorf("sync --once cancelled during its read: exit %d, stderr %q; want exit 1 and one line saying it was interrupted", code, errs)
		}
		var runs []historyRun
		if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs); err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || runs[0].Status == "running" || runs[0].FinishedAt == nil || runs[0].Revoked+runs[0].Granted+runs[0].Created != 0 {
			t.Errorf("history after the interrupted sync: %+v; want one finished run that changed nothing", runs)
		}
	})
}

func TestInterruptedMessage(t *testing.T) {
	sig := errors.New("interrupt signal received")
	for _, tc := range []struct {
		err, cause error
		want       string
	}{
		{errors.New("read Okta groups: interrupt signal received; nothing was changed"), sig, "interrupted: read Okta groups: interrupt signal received; nothing was changed"},
		{errors.New("open store x.db: context canceled"), sig, "interrupted (interrupt signal received): open store x.db: context canceled"},
		{errors.New("run 4 interrupted: 12 changes applied and recorded"), sig, "run 4 interrupted: 12 changes applied and recorded"},
	} {
		if got := interrupted(tc.err, tc.cause).Error(); got != tc.want {
			t.Errorf("interrupted(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
