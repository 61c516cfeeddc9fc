package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
)

// benchOrg makes an org of n users in 10 mapped groups with skew (a few
// large groups, users in several groups), and a target a previous sync
// filled, with 1% of users since gone, 1% new and 1% moved between groups.
func benchOrg(b *testing.B, n int) (*org, *memTarget, []Mapping) {
	b.Helper()
	o, r, mappings, roles := benchOktaOrg(n)
	t := newMemTarget(roles...)
	ctx := context.Background()
	m := newMemEnv(b, o, nil)
	m.tgt = t
	m.eng.opts.Target = t
	m.cfg.Mappings = mappings
	if _, err := m.eng.Run(ctx, RunOptions{}); err != nil {
		b.Fatal(err)
	}
	// Drift: 1% gone from Okta (still in the target), 1% new in Okta,
	// 1% moved to another group.
	for i := range n / 100 {
		_, _ = t.CreateUser(ctx, target.User{ExternalID: fmt.Sprintf("00ugone%05d", i), Login: fmt.Sprintf("gone%05d@example.com", i), Roles: []string{"Read Only"}})
		o.user(fmt.Sprintf("00unew%05d", i), StatusActive, "G01")
		g := o.groups[fmt.Sprintf("G%02d", 5+i%5)]
		g.MemberIDs = append(g.MemberIDs, fmt.Sprintf("00u%07d", r.IntN(n)))
	}
	return o, t, mappings
}

// benchOktaOrg makes the org of benchOrg: n users in 10 mapped groups, and
// the roles of the mappings.
func benchOktaOrg(n int) (*org, *rand.Rand, []Mapping, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	o := &org{users: make(map[string]*User, n), groups: map[string]*Group{}}
	var mappings []Mapping
	roles := []string{"Administrator", "Read Only", "Auditor", "Helpdesk", "Approver"}
	for g := range 10 {
		name := fmt.Sprintf("G%02d", g)
		o.group(name)
		mappings = append(mappings, Mapping{Group: name, Roles: []string{roles[g%len(roles)]}})
	}
	for i := range n {
		id := fmt.Sprintf("00u%07d", i)
		var groups []string
		groups = append(groups, fmt.Sprintf("G%02d", min(9, int(r.ExpFloat64()*2)))) // skewed to the first groups
		if r.IntN(3) == 0 {
			groups = append(groups, fmt.Sprintf("G%02d", r.IntN(10)))
		}
		status := StatusActive
		if r.IntN(50) == 0 {
			status = StatusSuspended
		}
		o.user(id, status, groups...)
	}
	return o, r, mappings, roles
}

// BenchmarkPlan100k measures one plan (read from an in-memory source, list
// the target, desired state, matching, gates) at 100,000 users.
func BenchmarkPlan100k(b *testing.B) { benchPlan(b, 100_000) }

// BenchmarkPlan10k is the same at 10,000 users.
func BenchmarkPlan10k(b *testing.B) { benchPlan(b, 10_000) }

// BenchmarkPlanFirstRun100k measures the plan of a first run at 100,000
// users: an empty target, so every member is created with its roles.
func BenchmarkPlanFirstRun100k(b *testing.B) {
	o, _, mappings, roles := benchOktaOrg(100_000)
	runPlanBench(b, o, newMemTarget(roles...), mappings)
}

func benchPlan(b *testing.B, n int) {
	o, t, mappings := benchOrg(b, n)
	runPlanBench(b, o, t, mappings)
}

func runPlanBench(b *testing.B, o *org, t *memTarget, mappings []Mapping) {
	m := newMemEnv(b, o, nil)
	m.tgt = t
	m.eng.opts.Target = t
	m.cfg.Mappings = mappings
	m.cfg.Safety = Safety{AdminRoles: []string{"Administrator"}, ProtectedAccounts: []string{"00u0000001@example.com"}}
	// A fixed snapshot: building it is the source's work, not the plan's.
	refs := make([]string, len(mappings))
	for i, mp := range mappings {
		refs[i] = mp.Group
	}
	m.src.org, m.src.snap = nil, o.snap(refs...)
	ctx := context.Background()
	var p *Plan
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		var err error
		if p, err = m.eng.Plan(ctx); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time per plan: on a shared machine, wall time also counts the
	// time other processes had the CPU.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(p.Changes)+len(p.Held)), "changes")
}
