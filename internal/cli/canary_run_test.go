package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// canaryRun runs rolesync commands against one data directory and keeps
// everything they printed, for the scan.
type canaryRun struct {
	t       *testing.T
	h       *harness
	c       *canaries
	mode    string
	streams map[string][]byte // "mode: rolesync ARGS stdout" → bytes
	ran     *[][]string       // every command line run, for the coverage check
	extra   []finding         // found while the runtime was open
	modes   []string
	// removals counts the Security members removed in Okta so far.
	removals *int
}

// keep records a stream for the scan.
func (r *canaryRun) keep(label string, data []byte) {
	if len(data) != 0 {
		r.streams[fmt.Sprintf("%s: %s", r.mode, label)] = append(r.streams[fmt.Sprintf("%s: %s", r.mode, label)], data...)
	}
}

// run runs one command and fails the test unless it exits with want (any
// status when want is negative). A failure's output is shown with every
// secret replaced by its label.
func (r *canaryRun) run(want int, stdin string, args ...string) string {
	r.t.Helper()
	*r.ran = append(*r.ran, args)
	code, out, errs := r.h.run(stdin, args...)
	name := "rolesync " + strings.Join(args, " ")
	r.keep(name+" stdout", []byte(out))
	r.keep(name+" stderr", []byte(errs))
	if want >= 0 && code != want {
		r.t.Fatalf("%s: %s: exit %d, want %d\nstdout: %s\nstderr: %s", r.mode, name, code, want,
			r.c.redact(clip(out)), r.c.redact(clip(errs)))
	}
	return out
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// scanNow scans the data directory while a runtime has it open, so that
// the SQLite -wal and -shm files are there to be read.
func (r *canaryRun) scanNow(when string) {
	for _, name := range []string{app.StoreFile + "-wal", app.StoreFile + "-shm", app.DirectoryFile + "-wal"} {
		if _, err := os.Stat(filepath.Join(r.h.connDir(), name)); err != nil {
			r.t.Errorf("%s: no %s %s, so it was not searched: %v", r.mode, name, when, err)
		}
	}
	found, modes := r.c.scanTree(r.t, r.h.dataDir)
	for i := range found {
		found[i].where += " (" + when + ")"
	}
	r.extra = append(r.extra, found...)
	r.modes = append(r.modes, modes...)
}

// syncStatus runs `sync --once --json` expecting exit want and returns the
// run's id and status.
func (r *canaryRun) syncStatus(want int) (int64, string) {
	r.t.Helper()
	out := r.run(want, "", "sync", "--once", "--json")
	var res syncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		r.t.Fatalf("%s: sync --once --json printed no result: %v", r.mode, err)
	}
	return res.RunID, res.Status
}

// daemon runs `rolesync daemon` until its first run has finished, scanning
// the data directory while the daemon holds it open.
func (r *canaryRun) daemon() {
	r.t.Helper()
	*r.ran = append(*r.ran, []string{"daemon"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return r.h.env[k] }}
		done <- Main(ctx, []string{"--data-dir", r.h.dataDir, "daemon"}, env)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "run finished") {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: the daemon finished no run: %s", r.mode, r.c.redact(stderr.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.scanNow("while the daemon runs")
	cancel()
	if code := <-done; code != 0 {
		r.t.Errorf("%s: daemon exited %d: %s", r.mode, code, r.c.redact(stderr.String()))
	}
	r.keep("rolesync daemon stdout", []byte(stdout.String()))
	r.keep("rolesync daemon stderr", []byte(stderr.String()))
}

// panicTarget panics on its second write, in the middle of an apply.
type panicTarget struct {
	target.Target
	writes atomic.Int32
}

func (p *panicTarget) write() {
	if p.writes.Add(1) == 2 {
		panic("canary: forced panic in the middle of an apply")
	}
}

func (p *panicTarget) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	p.write()
	return p.Target.CreateUser(ctx, u)
}

func (p *panicTarget) SetRoles(ctx context.Context, id string, roles []string) error {
	p.write()
	return p.Target.SetRoles(ctx, id, roles)
}

func (p *panicTarget) RevokeAll(ctx context.Context, id string) error {
	p.write()
	return p.Target.RevokeAll(ctx, id)
}

// panicRun opens the app through the GUI hook of Env, runs a sync whose
// target panics mid-apply, and recovers the panic as a crash would print
// it: the value and the stack trace are kept for the scan.
func (r *canaryRun) panicRun() {
	r.t.Helper()
	*r.ran = append(*r.ran, []string{})
	var stdout, stderr bytes.Buffer
	gui := func(ctx context.Context, d app.Desktop) error {
		conns, err := app.Connections(ctx, d.Root)
		if err != nil {
			return err
		}
		rt, err := app.OpenConnection(ctx, d.Root, conns[0], d.Env)
		if err != nil {
			return err
		}
		defer rt.Close()
		cfg, err := rt.Config(ctx)
		if err != nil {
			return err
		}
		src, err := rt.OktaClient(ctx, cfg)
		if err != nil {
			return err
		}
		tgt, err := rt.Target(ctx, cfg)
		if err != nil {
			return err
		}
		eng, err := engine.New(engine.Options{Source: app.EngineSource(src), Target: &panicTarget{Target: tgt}, Recorder: rt.Store,
			Policy: func() engine.Policy { return app.EnginePolicy(cfg) }, Logger: rt.Logger, LockPath: filepath.Join(rt.DataDir, app.LockFile), Holder: "gui"})
		if err != nil {
			return err
		}
		r.scanNow("while the app is open")
		_, err = eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerManual})
		return fmt.Errorf("the forced panic did not happen: %v", err)
	}
	env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return r.h.env[k] }, GUI: gui}
	var recovered any
	var stack []byte
	func() {
		defer func() {
			if recovered = recover(); recovered != nil {
				stack = debug.Stack()
			}
		}()
		Main(context.Background(), []string{"--data-dir", r.h.dataDir}, env)
	}()
	if recovered == nil {
		r.t.Fatalf("%s: the app's run did not panic: %s", r.mode, r.c.redact(stderr.String()))
	}
	r.keep("panic value and stack trace", []byte(fmt.Sprintf("panic: %v\n\n%s", recovered, stack)))
	r.keep("rolesync (app) stdout", stdout.Bytes())
	r.keep("rolesync (app) stderr", stderr.Bytes())
}

// scimProxy fronts srv with a TLS server of its own that accepts only
// token, standing in for a provider with a distinctive token (scimtest
// accepts its fixed one). It returns the base URL and a CA file for it,
// and a switch that makes it refuse every request with an error whose
// detail quotes the Authorization header it was sent, as some providers do.
func scimProxy(t *testing.T, srv *scimtest.Server, token string) (baseURL, caFile string, echo *atomic.Bool) {
	t.Helper()
	up, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Host = up.Host
			pr.Out.Header.Set("Authorization", "Bearer "+scimtest.Token)
		},
		Transport: srv.Client().Transport,
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	echo = new(atomic.Bool)
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if echo.Load() {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "401", "scimType": "invalidToken",
				"detail": "the credentials " + r.Header.Get("Authorization") + " are not valid for this tenant"})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"status":"401","detail":"bad token"}`, http.StatusUnauthorized)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	caFile = filepath.Join(t.TempDir(), "scim-proxy-ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(caFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return ts.URL + scimtest.BasePath, caFile, echo
}

// removeSecurityMember removes an active member from Security in Okta, so
// that the next sync revokes a role, and returns what puts them back.
func (r *canaryRun) removeSecurityMember(sim *oktasim.Server) (restore func()) {
	t := r.t
	t.Helper()
	org := sim.Org()
	sec, ok := org.GroupByName("Security")
	if !ok {
		t.Fatal("the simulated org has no Security group")
	}
	// Each removal takes the next member, so that one put back is not
	// removed again before a sync has seen it return.
	var active []string
	for _, id := range org.Members(sec.ID) {
		if u, ok := org.User(id); ok && okta.KeepsRoles(u.Status) {
			active = append(active, id)
		}
	}
	if len(active) > 1 {
		*r.removals++
		id := active[*r.removals%len(active)]
		adminDelete(t, sim, sec.ID, id)
		return func() { adminPut(t, sim, sec.ID, id) }
	}
	t.Fatal("too few active Security members left to remove one")
	return nil
}

// adminPut adds a member through Okta's own route, as an Okta admin would.
func adminPut(t *testing.T, sim *oktasim.Server, groupID, userID string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, sim.URL()+"/api/v1/groups/"+groupID+"/users/"+userID, nil)
	req.Header.Set("Authorization", "SSWS "+sim.APIToken())
	resp, err := sim.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("PUT membership: status %d", resp.StatusCode)
	}
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
