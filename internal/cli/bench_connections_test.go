//go:build linux

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
)

// The daemon benchmark: connBenchCount connections, each to its own
// simulated org of 1k users and 100 groups, on the default 15-minute
// schedule, connBenchSteady no-change cycles after the first.
const (
	connBenchCount    = 50
	connBenchUsers    = 1000
	connBenchGroups   = 100
	connBenchParallel = DefaultParallel
	connBenchSteady   = 3                          // with the first cycle, one hour at 4 cycles an hour
	connBenchSimEnv   = "ROLESYNC_CONN_BENCH_SIMS" // "count,users,groups"
	connBenchTokenEnv = "ROLESYNC_CONN_BENCH_TOKEN"
)

// connSimInfo is one org the simulator process serves.
type connSimInfo struct {
	URL         string           `json:"url"`
	CAFile      string           `json:"ca_file"`
	Mappings    []config.Mapping `json:"mappings"`
	MappedUsers int              `json:"mapped_users"`
}

// connBenchToken is the API token of org i: the base token and the index.
func connBenchToken(base string, i int) string { return base + strconv.Itoa(i) }

// TestConnectionsBenchSimulatorProcess is the simulator process of
// BenchmarkDaemonConnections: one org per connection (seed i+1), each on its
// own port with its own token and rate limits, 50 ms a request. It does
// nothing in a normal test run.
func TestConnectionsBenchSimulatorProcess(t *testing.T) {
	spec := os.Getenv(connBenchSimEnv)
	if spec == "" {
		t.Skip("runs only as the simulator process of BenchmarkDaemonConnections")
	}
	var n, users, groups int
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &n, &users, &groups); err != nil {
		t.Fatalf("%s=%q: want count,users,groups: %v", connBenchSimEnv, spec, err)
	}
	infos := make([]connSimInfo, n)
	for i := range n {
		sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: users, Groups: groups, Seed: int64(i + 1),
			Latency: syncBenchLatency, APIToken: connBenchToken(os.Getenv(connBenchTokenEnv), i)})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		infos[i] = connSimInfo{URL: sim.URL(), CAFile: sim.CAFile()}
		infos[i].Mappings, _, infos[i].MappedUsers = syncBenchMappings(sim.Org())
	}
	line, err := json.Marshal(infos)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("CONNSIM %s\n", line)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
}

// startConnSims runs the orgs in a child process of the test binary.
func startConnSims(b *testing.B, token string) []connSimInfo {
	b.Helper()
	env := []string{fmt.Sprintf("%s=%d,%d,%d", connBenchSimEnv, connBenchCount, connBenchUsers, connBenchGroups),
		connBenchTokenEnv + "=" + token}
	var infos []connSimInfo
	startChildSim(b, "TestConnectionsBenchSimulatorProcess", env, "CONNSIM ", 16<<20, &infos)
	return infos
}

// benchMain runs one rolesync command and fails the benchmark if it fails.
func benchMain(b *testing.B, dataDir, stdin string, args ...string) string {
	b.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Main(context.Background(), append([]string{"--data-dir", dataDir}, args...), env); code != 0 {
		b.Fatalf("rolesync %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func connBenchName(i int) string { return fmt.Sprintf("Customer %02d → local portal", i+1) }

// addBenchConnections adds one connection per org as an admin would with
// the command line: its configuration, its roles and its API token.
func addBenchConnections(b *testing.B, dataDir string, infos []connSimInfo, token string) {
	for i, info := range infos {
		name := connBenchName(i)
		benchMain(b, dataDir, "", "connections", "add", name)
		var y strings.Builder
		fmt.Fprintf(&y, "okta:\n  domain: %s\n  auth: api_token\n  ca_file: %s\nsync:\n  interval: 15m\ntarget:\n  kind: local\n",
			info.URL, info.CAFile)
		y.WriteString("safety:\n  admin_roles: [Administrator]\nmappings:\n")
		for _, m := range info.Mappings {
			fmt.Fprintf(&y, "  - group: %q\n    roles: [%s]\n", m.Group, strings.Join(m.Roles, ", "))
		}
		path := filepath.Join(b.TempDir(), "rolesync.yaml")
		if err := os.WriteFile(path, []byte(y.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		benchMain(b, dataDir, "", "--connection", name, "config", "import", path)
		for _, r := range []string{"Administrator", "Auditor", "Read Only"} {
			benchMain(b, dataDir, "", "--connection", name, "roles", "add", r)
		}
		benchMain(b, dataDir, connBenchToken(token, i)+"\n", "--connection", name, "secrets", "set", "okta-api-token")
	}
}

// cycleFigures are what one cycle of the schedule measured.
type cycleFigures struct {
	cpu, wall time.Duration
	idle      slotWait
	calls     int
}

// daemonFigures are what one iteration of BenchmarkDaemonConnections
// measured: the first cycle, then the no-change ones.
type daemonFigures struct {
	first   cycleFigures
	steady  []cycleFigures
	peakRSS int64
}

// runDaemonCycles starts `rolesync daemon` on the fake clock, waits for the
// first cycle's runs, then advances the clock past the interval (and its
// jitter) once per no-change cycle.
func runDaemonCycles(b *testing.B, dataDir string, infos []connSimInfo) daemonFigures {
	fc := newFakeClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	runs := make(chan ran, connBenchCount)
	var stderr lockedBuffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" },
		onRun: func(conn string, res engine.Result, _ error) { runs <- ran{conn, res} }, clock: fc}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)

	var f daemonFigures
	resetPeakRSS(b)
	start, cpu0 := time.Now(), cpuTime(b)
	go func() {
		done <- Main(ctx, []string{"--data-dir", dataDir, "daemon", "--parallel", strconv.Itoa(connBenchParallel)}, env)
	}()
	f.first = awaitCycle(b, runs, &stderr, infos, true)
	f.first.cpu, f.first.wall = cpuTime(b)-cpu0, time.Since(start)
	for range connBenchSteady {
		// Every connection waits for its next run, and the daemon for its
		// next rescan of the list of connections.
		fc.awaitWaiters(b, connBenchCount+1)
		start, cpu0 = time.Now(), cpuTime(b)
		fc.Advance(engine.DefaultInterval + engine.DefaultInterval/10)
		c := awaitCycle(b, runs, &stderr, infos, false)
		c.cpu, c.wall = cpuTime(b)-cpu0, time.Since(start)
		f.steady = append(f.steady, c)
	}
	f.peakRSS = peakRSS(b)
	cancel()
	if code := <-done; code != 0 {
		b.Fatalf("the daemon exited with %d: %s", code, stderr.String())
	}
	idle := slotWaits(b, dataDir, 1+connBenchSteady)
	f.first.idle = idle[0]
	for i := range f.steady {
		f.steady[i].idle = idle[i+1]
	}
	return f
}

// awaitCycle waits for one run of every connection and checks it: a first
// run creates the mapped users, a later one changes nothing.
func awaitCycle(b *testing.B, runs <-chan ran, stderr *lockedBuffer, infos []connSimInfo, first bool) cycleFigures {
	var c cycleFigures
	seen := map[string]bool{}
	for len(seen) < len(infos) {
		var r ran
		select {
		case r = <-runs:
		case <-time.After(10 * time.Minute):
			b.Fatalf("%d of %d runs finished; the daemon's output:\n%s", len(seen), len(infos), stderr.String())
		}
		if seen[r.conn] {
			b.Fatalf("%s ran twice in one cycle", r.conn)
		}
		seen[r.conn] = true
		c.calls += r.res.APICalls
		i := -1
		for j := range infos {
			if connBenchName(j) == r.conn {
				i = j
			}
		}
		res := r.res
		switch {
		case i < 0 || res.Status != store.StatusSucceeded:
			b.Fatalf("%s: %+v", r.conn, res)
		case first && (res.Created == 0 || res.Created > infos[i].MappedUsers):
			b.Fatalf("%s first run created %d users of %d mapped", r.conn, res.Created, infos[i].MappedUsers)
		case !first && res.Created+res.Granted+res.Revoked+res.Held != 0:
			b.Fatalf("%s no-change run: %+v", r.conn, res)
		}
	}
	return c
}

// slotWait is how long runs of one cycle waited to start while fewer than
// --parallel runs of other connections were in progress (by the run
// history's start and finish times, so the hand-over of a slot, the
// engine's work before it records a run and after it finishes one, counts
// too): total is the most of one run, summed over its wait; gap the
// longest single stretch of any run.
type slotWait struct{ total, gap time.Duration }

// slotWaits reads every connection's run history and returns the slot
// waits per cycle. A cycle starts with its first run.
func slotWaits(b *testing.B, dataDir string, cycles int) []slotWait {
	byCycle := make([][]historyRun, cycles)
	for i := range connBenchCount {
		var hist []historyRun
		if err := json.Unmarshal([]byte(benchMain(b, dataDir, "", "--connection", connBenchName(i), "history", "--json")), &hist); err != nil {
			b.Fatal(err)
		}
		slices.SortFunc(hist, func(x, y historyRun) int { return x.StartedAt.Compare(y.StartedAt) })
		if len(hist) < cycles {
			b.Fatalf("%s ran %d times, want %d", connBenchName(i), len(hist), cycles)
		}
		for c := range cycles {
			if hist[c].FinishedAt == nil {
				b.Fatalf("%s run %d did not finish", connBenchName(i), hist[c].RunID)
			}
			byCycle[c] = append(byCycle[c], hist[c])
		}
	}
	out := make([]slotWait, cycles)
	for c, rs := range byCycle {
		out[c] = idleSlots(rs, connBenchParallel)
	}
	return out
}

// idleSlots measures, for each run of one cycle, the time between the
// cycle's first start and the run's start during which fewer than parallel
// other runs were in progress.
func idleSlots(rs []historyRun, parallel int) slotWait {
	t0 := slices.MinFunc(rs, func(x, y historyRun) int { return x.StartedAt.Compare(y.StartedAt) }).StartedAt
	var worst slotWait
	for i, r := range rs {
		points := []time.Time{t0, r.StartedAt}
		for j, o := range rs {
			if j != i {
				points = append(points, o.StartedAt, *o.FinishedAt)
			}
		}
		slices.SortFunc(points, time.Time.Compare)
		var idle, stretch time.Duration
		for k := 1; k < len(points); k++ {
			a, z := points[k-1], points[k]
			if a.Before(t0) || !z.After(a) || z.After(r.StartedAt) {
				continue
			}
			mid, active := a.Add(z.Sub(a)/2), 0
			for j, o := range rs {
				if j != i && !o.StartedAt.After(mid) && o.FinishedAt.After(mid) {
					active++
				}
			}
			if active < parallel {
				idle, stretch = idle+z.Sub(a), stretch+z.Sub(a)
				worst.gap = max(worst.gap, stretch)
			} else {
				stretch = 0
			}
		}
		worst.total = max(worst.total, idle)
	}
	return worst
}

// BenchmarkDaemonConnections runs `rolesync daemon` (in this process) over
// 50 connections, each to its own simulated org of 1k users (a child
// process, 50 ms a request, Workforce rate limits) with the local
// directory as target, at --parallel 2 on the 15-minute schedule. The
// schedule runs on a fake clock: once every connection waits for its next
// run, the clock jumps past the interval and its jitter, so the cycles run
// back to back. It reports the daemon's peak RSS, the CPU and wall time of
// the first cycle (50 first syncs) and of a no-change cycle, the CPU of an
// hour (the first cycle and three no-change ones; and four no-change ones,
// the steady state), and the longest a run waited while a slot was free.
func BenchmarkDaemonConnections(b *testing.B) {
	b.Setenv("ROLESYNC_KEYRING_PASSWORD", "bench-passphrase")
	b.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	token := "00" + rand.Text()
	infos := startConnSims(b, token)
	var f daemonFigures
	for b.Loop() {
		dataDir := b.TempDir()
		addBenchConnections(b, dataDir, infos, token)
		f = runDaemonCycles(b, dataDir, infos)
	}
	var steadyCPU, steadyWall time.Duration
	var idle slotWait
	calls := 0
	for _, c := range f.steady {
		steadyCPU += c.cpu
		steadyWall += c.wall
		calls += c.calls
		idle.total, idle.gap = max(idle.total, c.idle.total), max(idle.gap, c.idle.gap)
	}
	n := time.Duration(len(f.steady))
	steadyCPU, steadyWall = steadyCPU/n, steadyWall/n
	b.ReportMetric(float64(f.peakRSS)/(1<<20), "peak-rss-MB")
	b.ReportMetric(f.first.cpu.Seconds(), "first-cycle-cpu-s")
	b.ReportMetric(f.first.wall.Seconds(), "first-cycle-wall-s")
	b.ReportMetric(float64(f.first.calls), "first-cycle-calls")
	b.ReportMetric(steadyCPU.Seconds(), "nochange-cycle-cpu-s")
	b.ReportMetric(steadyWall.Seconds(), "nochange-cycle-wall-s")
	b.ReportMetric(float64(calls)/float64(len(f.steady)), "nochange-cycle-calls")
	b.ReportMetric((f.first.cpu + 3*steadyCPU).Seconds(), "first-hour-cpu-s")
	b.ReportMetric((4 * steadyCPU).Seconds(), "steady-hour-cpu-s")
	b.ReportMetric(ms(f.first.idle.total), "first-cycle-idle-slot-ms")
	b.ReportMetric(ms(f.first.idle.gap), "first-cycle-idle-gap-ms")
	b.ReportMetric(ms(idle.total), "nochange-idle-slot-ms")
	b.ReportMetric(ms(idle.gap), "nochange-idle-gap-ms")
	// In a no-change cycle every connection is due at once, so a slot
	// stays free only for a hand-over (tens of ms; seconds when the
	// machine stalls the process): a longer stretch means a run was held
	// up by something other than its wait for a slot. (The first cycle
	// starts while the daemon still opens the later connections.)
	if idle.gap > 10*time.Second {
		b.Errorf("a run of a no-change cycle waited %v at a stretch while a slot was free", idle.gap)
	}
}
