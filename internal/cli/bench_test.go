//go:build linux

package cli

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
	sdk "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/cputime"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
)

// The simulated orgs of BenchmarkSync, Okta's limits for them, and the
// client's defaults the floor is computed with.
const (
	syncBenchLatency     = 50 * time.Millisecond
	syncBenchConcurrency = okta.DefaultConcurrency
	membersPerPage       = 1000  // GET /api/v1/groups/{id}/users
	groupsPerPage        = 10000 // GET /api/v1/groups
	maxSearchExpr        = 2000  // bytes of one search expression (URL length)
	groupsBucketPerMin   = 500   // Workforce /api/v1/groups bucket
	groupsBucketShare    = 0.5   // one token's or app's share of it
)

// syncBenchOrgs are the org sizes; ROLESYNC_BENCH_LARGE=1 adds 100k users.
func syncBenchOrgs() []struct{ users, groups int } {
	orgs := []struct{ users, groups int }{{1000, 100}, {10000, 400}}
	if os.Getenv("ROLESYNC_BENCH_LARGE") == "1" {
		orgs = append(orgs, struct{ users, groups int }{100000, 2000})
	}
	return orgs
}

// syncSimInfo is the line the simulator process prints: where it serves,
// the mappings of the benchmark and the org figures the floor needs.
type syncSimInfo struct {
	URL      string           `json:"url"`
	CAFile   string           `json:"ca_file"`
	ClientID string           `json:"client_id,omitempty"`
	Mappings []config.Mapping `json:"mappings"`
	// Groups is the number of groups in the org.
	Groups int `json:"groups"`
	// GroupPages are the member pages of each mapped group at 1000 a page
	// (at least one), largest first; MappedUsers the distinct members.
	GroupPages  []int `json:"group_pages"`
	MappedUsers int   `json:"mapped_users"`
}

// Environment of the simulator process.
const (
	simSpecEnv  = "ROLESYNC_SYNC_BENCH_SIM" // "users,groups"
	simTokenEnv = "ROLESYNC_SYNC_BENCH_TOKEN"
	simJWKEnv   = "ROLESYNC_SYNC_BENCH_JWK" // public JWK of a DPoP service app to create
)

// TestSyncBenchSimulatorProcess is the simulator process of BenchmarkSync:
// a separate process, so that the benchmark's RSS and CPU count rolesync
// alone. It does nothing in a normal test run.
func TestSyncBenchSimulatorProcess(t *testing.T) {
	spec := os.Getenv(simSpecEnv)
	if spec == "" {
		t.Skip("runs only as the simulator process of BenchmarkSync")
	}
	var users, groups int
	if _, err := fmt.Sscanf(spec, "%d,%d", &users, &groups); err != nil {
		t.Fatalf("%s=%q: want users,groups: %v", simSpecEnv, spec, err)
	}
	// Zero RateLimits: Okta Workforce's buckets, share and concurrency.
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: users, Groups: groups, Seed: 1,
		Latency: syncBenchLatency, APIToken: os.Getenv(simTokenEnv)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	info := syncSimInfo{URL: sim.URL(), CAFile: sim.CAFile(), Groups: len(sim.Org().Groups())}
	if jwk := os.Getenv(simJWKEnv); jwk != "" {
		info.ClientID, err = sim.CreateServiceApp(oktasim.ServiceApp{Label: "rolesync", DPoP: true,
			PublicKeys: [][]byte{[]byte(jwk)}, Scopes: []string{"okta.groups.read", "okta.users.read", "okta.logs.read"},
			Roles: []string{"READ_ONLY_ADMIN"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	info.Mappings, info.GroupPages, info.MappedUsers = syncBenchMappings(sim.Org())
	line, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("SYNCSIM %s\n", line)
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
}

// syncBenchMappings maps about 5% of the org's groups: IT Admins, Security,
// Support and Engineering by name, then groups spread over the generator's
// size ranking (the largest generated group first), by id and by name
// alternately. Everyone is not mapped.
func syncBenchMappings(org *oktasim.Org) ([]config.Mapping, []int, int) {
	all := org.Groups()
	want := max(4, len(all)/20)
	var maps []config.Mapping
	var picked []oktasim.Group
	add := func(g oktasim.Group, ref string, roles ...string) {
		maps = append(maps, config.Mapping{Group: ref, Roles: roles})
		picked = append(picked, g)
	}
	fixed := map[string][]string{"IT Admins": {"Administrator"}, "Security": {"Auditor", "Read Only"},
		"Support": {"Read Only"}, "Engineering": {"Read Only"}}
	wellKnown := map[string]bool{}
	for _, w := range oktasim.WellKnownGroups {
		wellKnown[w.Name] = true
	}
	var generated []oktasim.Group
	for _, g := range all {
		if roles, ok := fixed[g.Name]; ok {
			add(g, g.Name, roles...)
		} else if !wellKnown[g.Name] {
			generated = append(generated, g)
		}
	}
	slices.SortFunc(generated, func(a, b oktasim.Group) int {
		return cmp.Or(cmp.Compare(b.MemberCount, a.MemberCount), cmp.Compare(a.Name, b.Name))
	})
	if n := want - len(maps); n > 0 && len(generated) > 0 {
		stride := max(1, len(generated)/n)
		for i := 0; i < len(generated) && len(maps) < want; i += stride {
			g := generated[i]
			ref, role := g.ID, "Read Only"
			if len(maps)%2 == 1 {
				ref, role = g.Name, "Auditor"
			}
			add(g, ref, role)
		}
	}
	var pages []int
	members := map[string]bool{}
	for _, g := range picked {
		pages = append(pages, max(1, (g.MemberCount+membersPerPage-1)/membersPerPage))
		for _, id := range org.Members(g.ID) {
			members[id] = true
		}
	}
	slices.Sort(pages)
	slices.Reverse(pages)
	return maps, pages, len(members)
}

// startSyncSim runs the simulator in a child process of the test binary;
// jwk, when set, registers a DPoP service app with that public key.
func startSyncSim(b *testing.B, users, groups int, token string, jwk []byte) syncSimInfo {
	b.Helper()
	env := []string{fmt.Sprintf("%s=%d,%d", simSpecEnv, users, groups), simTokenEnv + "=" + token}
	if jwk != nil {
		env = append(env, simJWKEnv+"="+string(jwk))
	}
	var info syncSimInfo
	startChildSim(b, "TestSyncBenchSimulatorProcess", env, "SYNCSIM ", 1<<20, &info)
	return info
}

// startChildSim runs test in a child process of the test binary with env
// added, waits for the line it prints starting with prefix, decodes the
// JSON after it into info, and stops the child (by closing its stdin) when
// the benchmark ends.
func startChildSim(b *testing.B, test string, env []string, prefix string, maxLine int, info any) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), env...)
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
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, maxLine)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			if err := json.Unmarshal([]byte(rest), info); err != nil {
				b.Fatalf("simulator line: %v", err)
			}
			return
		}
	}
	b.Fatal("the simulator process did not start")
}

// syncFloor is the least a first full read can cost: the calls and the
// time of the minimum pages at the maximum page size.
type syncFloor struct {
	calls int
	time  time.Duration
}

// syncBenchFloor computes the floor from the org: token calls (one in a
// scoped mode), the group-resolution calls (one search per expression of
// at most 2000 bytes naming the mapped groups, or one listing of every
// group at 10,000 a page, whichever is fewer) and the member pages at 1000
// a page. Its time is the longer of the chain (resolution, then the largest
// group's pages one after the other) and all pages spread over the allowed
// concurrency, times the latency, and no less than the rate limit allows.
func syncBenchFloor(info syncSimInfo, tokenCalls int) syncFloor {
	var terms []string
	for _, m := range info.Mappings {
		if looksLikeOktaGroupID(m.Group) {
			terms = append(terms, `id eq "`+m.Group+`"`)
		} else {
			terms = append(terms, `profile.name eq "`+m.Group+`"`)
		}
	}
	searches, n := 0, 0
	for _, t := range terms {
		if n > 0 && n+len(" or ")+len(t) <= maxSearchExpr {
			n += len(" or ") + len(t)
			continue
		}
		searches, n = searches+1, len(t)
	}
	resolution := min(searches, max(1, (info.Groups+groupsPerPage-1)/groupsPerPage))
	pages := 0
	for _, p := range info.GroupPages {
		pages += p
	}
	longest := 0
	if len(info.GroupPages) > 0 {
		longest = info.GroupPages[0]
	}
	steps := tokenCalls + resolution + max(longest, (pages+syncBenchConcurrency-1)/syncBenchConcurrency)
	t := time.Duration(steps) * syncBenchLatency
	budget := int(groupsBucketPerMin * groupsBucketShare)
	if windows := (resolution + pages - 1) / budget; windows > 0 {
		t = max(t, time.Duration(windows)*time.Minute)
	}
	return syncFloor{calls: tokenCalls + resolution + pages, time: t}
}

func looksLikeOktaGroupID(ref string) bool {
	return len(ref) == 20 && strings.HasPrefix(ref, "00g") && !strings.ContainsAny(ref, " ")
}

// runTimes split one run: the Okta read (wall and this process's CPU), the
// plan (from the end of the read to the start of the apply) and the whole
// run.
type runTimes struct {
	read, readCPU, plan, planCPU, total time.Duration
	// planRSS is the peak RSS up to the end of the plan, in bytes.
	planRSS int64
}

func timedRun(ctx context.Context, b *testing.B, eng *engine.Engine) (engine.Result, runTimes, error) {
	var readStart, readDone, applyStart time.Time
	var cpuStart, cpuDone, cpuApply time.Duration
	var planRSS int64
	start := time.Now()
	res, err := eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerCLI, Progress: func(p engine.Progress) {
		now := time.Now()
		switch {
		case p.Phase == engine.PhaseRead && p.Done == 0:
			readStart, cpuStart = now, cpuTime(b)
		case p.Phase == engine.PhaseRead && p.Done == p.Total:
			readDone, cpuDone = now, cpuTime(b)
		case p.Phase == engine.PhaseApply && applyStart.IsZero():
			applyStart, cpuApply, planRSS = now, cpuTime(b), peakRSS(b)
		}
	}})
	end := time.Now()
	if readStart.IsZero() {
		readStart = start
	}
	if readDone.IsZero() {
		readDone = end
	}
	if applyStart.IsZero() {
		applyStart, cpuApply, planRSS = end, cpuTime(b), peakRSS(b)
	}
	return res, runTimes{read: readDone.Sub(readStart), readCPU: cpuDone - cpuStart, plan: applyStart.Sub(readDone),
		planCPU: cpuApply - cpuDone, total: end.Sub(start), planRSS: planRSS}, err
}

// syncFigures are what one iteration of BenchmarkSync measured.
type syncFigures struct {
	first, again runTimes
	firstRes     engine.Result
	againRes     engine.Result
	peakRSS      int64 // bytes, over the first run
	cpu          time.Duration
	listCPU      time.Duration // listing the local directory after the runs
}

// syncCreds are the credentials of one mode.
type syncCreds struct {
	token        string
	client, dpop *keys.Pair
}

// syncOnce configures a fresh data directory against the simulator as the
// setup wizard would (its connection test included), then runs a first sync (a full read into an empty
// local directory) and a second one with nothing changed in Okta.
func syncOnce(b *testing.B, info syncSimInfo, mode string, cr syncCreds) syncFigures {
	ctx := context.Background()
	rt, err := openRuntime(ctx, b.TempDir(), Env{})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close()
	rt.UseSecrets(keyring.NewArrayKeyring(nil))
	sec, err := rt.Secrets()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Okta.Domain, cfg.Okta.CAFile, cfg.Okta.Auth = info.URL, info.CAFile, mode
	cfg.Mappings = info.Mappings
	cfg.Safety.AdminRoles = []string{"Administrator"}
	if mode == config.AuthAPIToken {
		err = sec.Set(secrets.APIToken, []byte(cr.token))
	} else {
		cfg.Okta.ClientID = info.ClientID
		cfg.Okta.Scopes = []string{"okta.users.read", "okta.logs.read"}
		err = setPrivate(sec, secrets.PrivateKey, cr.client)
		if err == nil {
			err = setPrivate(sec, secrets.DPoPPrivateKey, cr.dpop)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range app.DemoRoles {
		if err := rt.Directory.AddRole(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	if err := app.SaveConfig(ctx, rt.Store, cfg); err != nil {
		b.Fatal(err)
	}
	// The setup wizard tests the connection before it saves; in DPoP mode
	// that test leaves Okta's token-endpoint nonce for the first sync.
	cc, err := rt.ConnConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	cc.Nonces = rt.DPoPNonces(cfg)
	if f := okta.FirstFailure(okta.TestConnection(ctx, cc)); f != nil {
		b.Fatalf("connection test: %s: %s", f.Name, f.Detail)
	}
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var f syncFigures
	resetPeakRSS(b)
	cpu0 := cpuTime(b)
	if f.firstRes, f.first, err = timedRun(ctx, b, eng); err != nil {
		b.Fatalf("first run: %v", err)
	}
	f.cpu, f.peakRSS = cpuTime(b)-cpu0, peakRSS(b)
	if f.againRes, f.again, err = timedRun(ctx, b, eng); err != nil {
		b.Fatalf("second run: %v", err)
	}
	if f.firstRes.Status != store.StatusSucceeded || f.firstRes.Created == 0 || f.firstRes.Created > info.MappedUsers {
		b.Fatalf("first run %s: %d users created of %d mapped", f.firstRes.Status, f.firstRes.Created, info.MappedUsers)
	}
	if r := f.againRes; r.Status != store.StatusSucceeded || r.Created+r.Granted+r.Revoked+r.Held != 0 {
		b.Fatalf("second run with nothing changed: %+v", r)
	}
	// The share of the no-change plan that is listing the target.
	cpu0 = cpuTime(b)
	users, err := rt.Directory.ListUsers(ctx)
	if err != nil || len(users) != f.firstRes.Created {
		b.Fatalf("list the directory: %d users, %v", len(users), err)
	}
	f.listCPU = cpuTime(b) - cpu0
	return f
}

func setPrivate(sec *secrets.Store, name string, p *keys.Pair) error {
	pem, err := p.PrivatePEM()
	if err != nil {
		return err
	}
	return sec.Set(name, pem)
}

// sequentialSDKRead reads the mapped groups the way most sync scripts do:
// one group after another through the SDK's own paging (a name looked up
// with a search first), pages of 1000. It returns the calls and members.
func sequentialSDKRead(b *testing.B, info syncSimInfo, token string) (calls, members int) {
	base, err := okta.NewBaseTransport(info.CAFile, nil)
	if err != nil {
		b.Fatal(err)
	}
	counted := &countingTransport{next: base}
	cfg, err := sdk.NewConfiguration(sdk.WithOrgUrl(info.URL), sdk.WithToken(token), sdk.WithCache(false),
		sdk.WithHttpClientPtr(&http.Client{Transport: counted}))
	if err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(info.URL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Host = u.Host // the SDK drops the port of the org URL
	api := sdk.NewAPIClient(cfg)
	ctx := context.Background()
	var all []sdk.GroupMember // a script keeps what it read
	for _, m := range info.Mappings {
		id := m.Group
		if !looksLikeOktaGroupID(id) {
			groups, _, err := api.GroupAPI.ListGroups(ctx).Search(`profile.name eq "` + m.Group + `"`).Execute()
			if err != nil || len(groups) != 1 {
				b.Fatalf("search group %q: %d found, %v", m.Group, len(groups), err)
			}
			id = groups[0].GetId()
		}
		page, resp, err := api.GroupAPI.ListGroupUsers(ctx, id).Limit(membersPerPage).Execute()
		if err != nil {
			b.Fatalf("members of %s: %v", m.Group, err)
		}
		all = append(all, page...)
		for resp.HasNextPage() {
			var next []sdk.GroupMember
			if resp, err = resp.Next(&next); err != nil {
				b.Fatalf("members of %s: %v", m.Group, err)
			}
			all = append(all, next...)
		}
	}
	return counted.n, len(all)
}

type countingTransport struct {
	next http.RoundTripper
	n    int // the loop is sequential
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n++
	return c.next.RoundTrip(r)
}

// resetPeakRSS returns freed memory to the OS and resets the kernel's peak
// RSS of this process (VmHWM) to the current RSS.
func resetPeakRSS(b *testing.B) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS, it counts everything since the start: %v", err)
	}
}

// peakRSS reads VmHWM from /proc/self/status, in bytes.
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// cpuTime is the CPU (user + system) this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	return cputime.Used()
}

func sizeLabel(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkSync drives the real engine end to end, from the simulated Okta
// org (a child process, 50 ms latency, Workforce rate limits) into the local
// directory, per org size and authentication mode. Per first run it reports
// the API calls and read time against their floor (syncBenchFloor), the
// whole run, the plan phase, the peak RSS and CPU of this process; then the
// calls of a second run when nothing changed. The sequential-sdk case reads
// the same groups with the SDK's paging, one after another, and reports its
// speed-up against the api_token read.
func BenchmarkSync(b *testing.B) {
	for _, o := range syncBenchOrgs() {
		var clientRead time.Duration
		for _, mode := range []string{config.AuthAPIToken, config.AuthScopedDPoP} {
			b.Run(fmt.Sprintf("users=%s/mode=%s", sizeLabel(o.users), mode), func(b *testing.B) {
				cr := syncCreds{token: "00" + rand.Text()}
				var jwk []byte
				tokenCalls := 0
				if mode != config.AuthAPIToken {
					var err error
					if cr.client, err = keys.Generate(keys.ES256, 0); err == nil {
						cr.dpop, err = keys.Generate(keys.ES256, 0)
					}
					if err == nil {
						jwk, err = cr.client.PublicJWK()
					}
					if err != nil {
						b.Fatal(err)
					}
					tokenCalls = 1
				}
				info := startSyncSim(b, o.users, o.groups, cr.token, jwk)
				floor := syncBenchFloor(info, tokenCalls)
				var f syncFigures
				for b.Loop() {
					f = syncOnce(b, info, mode, cr)
				}
				if mode == config.AuthAPIToken {
					clientRead = f.first.read
				}
				b.ReportMetric(float64(f.firstRes.APICalls), "calls")
				b.ReportMetric(float64(floor.calls), "floor-calls")
				b.ReportMetric(ms(f.first.read), "read-ms")
				b.ReportMetric(ms(floor.time), "floor-ms")
				b.ReportMetric(float64(f.first.read)/float64(floor.time), "read/floor")
				b.ReportMetric(float64(f.first.readCPU.Milliseconds()), "read-cpu-ms")
				b.ReportMetric(ms(f.first.plan), "plan-ms")
				b.ReportMetric(float64(f.first.planCPU.Milliseconds()), "plan-cpu-ms")
				b.ReportMetric(float64(f.first.planRSS)/(1<<20), "plan-peak-rss-MB")
				b.ReportMetric(ms(f.first.total), "run-ms")
				b.ReportMetric(float64(f.cpu.Milliseconds()), "cpu-ms")
				b.ReportMetric(float64(f.peakRSS)/(1<<20), "peak-rss-MB")
				b.ReportMetric(float64(f.firstRes.Created), "created")
				b.ReportMetric(float64(f.firstRes.Granted), "granted")
				b.ReportMetric(float64(f.againRes.APICalls), "nochange-calls")
				b.ReportMetric(ms(f.again.plan), "nochange-plan-ms")
				b.ReportMetric(float64(f.again.planCPU.Milliseconds()), "nochange-plan-cpu-ms")
				b.ReportMetric(float64(f.listCPU.Milliseconds()), "list-target-cpu-ms")
			})
		}
		b.Run(fmt.Sprintf("users=%s/sequential-sdk", sizeLabel(o.users)), func(b *testing.B) {
			token := "00" + rand.Text()
			info := startSyncSim(b, o.users, o.groups, token, nil)
			floor := syncBenchFloor(info, 0)
			var calls, again, members int
			var wall time.Duration
			var rss int64
			for b.Loop() {
				resetPeakRSS(b)
				start := time.Now()
				calls, members = sequentialSDKRead(b, info, token)
				wall, rss = time.Since(start), peakRSS(b)
				// A loop without delta reads reads everything again when
				// nothing changed; measured where both reads fit in the
				// token's per-minute share, so no 429 is counted.
				if 2*floor.calls <= int(groupsBucketPerMin*groupsBucketShare)*3/4 {
					again, _ = sequentialSDKRead(b, info, token)
				}
			}
			if members == 0 {
				b.Fatal("the sequential loop read no members")
			}
			b.ReportMetric(float64(calls), "calls")
			b.ReportMetric(float64(floor.calls), "floor-calls")
			if again > 0 {
				b.ReportMetric(float64(again), "nochange-calls")
			}
			b.ReportMetric(ms(wall), "read-ms")
			b.ReportMetric(float64(wall)/float64(floor.time), "read/floor")
			b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
			if clientRead > 0 {
				b.ReportMetric(float64(wall)/float64(clientRead), "client-speedup")
			}
		})
	}
}
