package scim_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// benchLatency is the provider's round trip in BenchmarkSCIMFirstSync.
const benchLatency = 100 * time.Millisecond

// BenchmarkSCIMFirstSync is `make bench-scim`: the first sync of an org of
// ROLESYNC_BENCH_SCIM_USERS users (default 1000) against scimtest answering
// each request after 100 ms, through the calls the engine makes in one
// batch, at ROLESYNC_BENCH_SCIM_CONCURRENCY (default 4); then a no-change
// run by a fresh client. Each role mode runs with the provider offering no
// Bulk and offering Bulk (maxOperations 1000, maxPayloadSize 1 MiB). It
// reports the requests, the wall time against the floor (requests ×
// latency / concurrency), the peak RSS of the client's process and of the
// provider's (one sub-benchmark and size per process, as make runs them),
// and the no-change run's requests.
func BenchmarkSCIMFirstSync(b *testing.B) {
	n := envInt(b, "ROLESYNC_BENCH_SCIM_USERS", 1000)
	conc := envInt(b, "ROLESYNC_BENCH_SCIM_CONCURRENCY", scim.DefaultConcurrency)
	want := orgOf(n)
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		for _, bulk := range []bool{false, true} {
			name := mode
			if bulk {
				name += "-bulk"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					benchFirstSync(b, mode, bulk, conc, want)
				}
			})
		}
	}
}

// benchFirstSync makes one first sync and one no-change run of want
// against a provider in a process of its own (see benchServer), so that
// the peak RSS reported is the client's, and reports their figures.
func benchFirstSync(b *testing.B, mode string, bulk bool, conc int, want []target.User) {
	ctx := context.Background()
	srv := startBenchServer(b, bulk)
	client := func() *scim.Client {
		c, err := scim.New(scim.Options{BaseURL: srv.baseURL, Token: scimtest.Token, CAFile: srv.caFile, RoleMode: mode, Concurrency: conc})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	// A run has one client: the first one's state goes before the rerun.
	requests, bulkOps, wall := func() (int64, int64, time.Duration) {
		c := client()
		start := time.Now()
		requests := firstSync(ctx, b, c, true, want)
		return requests, c.BulkOperations(), time.Since(start)
	}()
	floor := time.Duration(requests) * benchLatency / time.Duration(conc)

	rerun := client()
	if err := rerun.Begin(ctx); err != nil {
		b.Fatal(err)
	}
	users, err := rerun.ListUsers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(users) != len(want) {
		b.Fatalf("the provider holds %d users after the first sync, want %d", len(users), len(want))
	}
	byLogin := map[string][]string{}
	for _, u := range want {
		byLogin[u.Login] = u.Roles
	}
	for _, u := range users {
		if err := rerun.SetRoles(ctx, u.ID, byLogin[u.Login]); err != nil {
			b.Fatal(err)
		}
	}
	if err := rerun.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	rss := peakRSS(os.Getpid())
	serverRSS := srv.stop(b)
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(bulkOps), "bulk-ops")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(serverRSS)/(1<<20), "server-peak-RSS-MB")
	b.ReportMetric(float64(rerun.Requests()), "rerun-requests")
	b.ReportMetric(float64(rerun.Writes()), "rerun-writes")
	fmt.Printf("| %s | %v | %d | %d | %d | %.1f s | %.1f s | %.2f× | %d MB (server %d MB) | %d (%d writes) |\n",
		mode, bulk, len(want), conc, requests, wall.Seconds(), floor.Seconds(), wall.Seconds()/floor.Seconds(), rss>>20, serverRSS>>20, rerun.Requests(), rerun.Writes())
}

// benchServerEnv, set, makes the test binary a benchmark's provider: see
// TestMain.
const benchServerEnv = "ROLESYNC_BENCH_SCIM_SERVER"

// TestMain runs the package's tests, or, in a process BenchmarkSCIMFirstSync
// started with benchServerEnv set to a directory, serves scimtest: it writes
// the CA file there, prints the base URL, and serves until its standard
// input closes; then it prints its peak RSS in bytes.
func TestMain(m *testing.M) {
	dir := os.Getenv(benchServerEnv)
	if dir == "" {
		os.Exit(m.Run())
	}
	srv, err := scimtest.NewServer(scimtest.Options{MaxResults: 100, Latency: benchLatency, Bulk: os.Getenv(benchServerEnv+"_BULK") != ""})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv.SetGroupPatchNoContent(true)
	caFile, err := srv.WriteCAFile(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s %s\n", srv.BaseURL(), caFile)
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
	fmt.Println(peakRSS(os.Getpid()))
	os.Exit(0)
}

// benchServer is a scimtest provider in a process of its own.
type benchServer struct {
	baseURL, caFile string
	cmd             *exec.Cmd
	stdin           io.Closer
	out             *bufio.Reader
}

func startBenchServer(b *testing.B, bulk bool) *benchServer {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchServerEnv+"="+b.TempDir())
	if bulk {
		cmd.Env = append(cmd.Env, benchServerEnv+"_BULK=1")
	}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &benchServer{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	line, err := s.out.ReadString('\n')
	if _, err2 := fmt.Sscan(line, &s.baseURL, &s.caFile); err != nil || err2 != nil {
		b.Fatalf("start the provider: %q, %v, %v", line, err, err2)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return s
}

// stop ends the provider's process and returns its peak RSS in bytes.
func (s *benchServer) stop(b *testing.B) int64 {
	_ = s.stdin.Close()
	var rss int64
	line, _ := s.out.ReadString('\n')
	if _, err := fmt.Sscan(line, &rss); err != nil {
		b.Fatalf("the provider's peak RSS: %q: %v", line, err)
	}
	if err := s.cmd.Wait(); err != nil {
		b.Fatalf("the provider's process: %v", err)
	}
	return rss
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q is not a positive number", name, v)
	}
	return n
}

// peakRSS returns the peak resident set (VmHWM) of the process pid, or 0
// where /proc is not there.
func peakRSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
