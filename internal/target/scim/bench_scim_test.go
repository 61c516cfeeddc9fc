package scim_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
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
// latency / concurrency) and the process's peak RSS (client and test server
// together: run one sub-benchmark and size per process, as make does).
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

// benchFirstSync makes one first sync and one no-change run of want and
// reports their figures.
func benchFirstSync(b *testing.B, mode string, bulk bool, conc int, want []target.User) {
	ctx := context.Background()
	srv := scimtest.Start(b, scimtest.Options{MaxResults: 100, Latency: benchLatency, Bulk: bulk})
	defer srv.Close()
	srv.SetGroupPatchNoContent(true)
	client := func() *scim.Client {
		hc := srv.Client()
		tr := hc.Transport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = scim.MaxConcurrency
		hc.Transport = tr
		c, err := scim.New(scim.Options{BaseURL: srv.BaseURL(), Token: scimtest.Token, HTTPClient: hc, RoleMode: mode, Concurrency: conc})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	c := client()
	start := time.Now()
	requests := firstSync(ctx, b, c, true, want)
	wall := time.Since(start)
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
	rss := peakRSS()
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(float64(c.BulkOperations()), "bulk-ops")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(rerun.Requests()), "rerun-requests")
	b.ReportMetric(float64(rerun.Writes()), "rerun-writes")
	fmt.Printf("| %s | %v | %d | %d | %d | %.1f s | %.1f s | %.2f× | %d MB | %d (%d writes) |\n",
		mode, bulk, len(want), conc, requests, wall.Seconds(), floor.Seconds(), wall.Seconds()/floor.Seconds(), rss>>20, rerun.Requests(), rerun.Writes())
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

// peakRSS returns the process's peak resident set (VmHWM), or 0 where
// /proc is not there.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
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
