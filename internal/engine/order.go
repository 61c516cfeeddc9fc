package engine

import (
	"cmp"
	"slices"
	"strings"
)

// order sorts the changes by user and action; on a first run the admins
// who lose access come first, then every other revocation.
func order(p *Plan) {
	// A plan is built user by user: sort the users' runs of changes, not
	// every change, and keep each run in its order (a stable sort).
	runs := changeRuns(p)
	sorted := true
	for i := 1; i < len(runs) && sorted; i++ {
		sorted = compareRuns(&runs[i-1], &runs[i]) <= 0
	}
	if sorted {
		return
	}
	// Sort compact keys: the rank and the login's first 16 bytes decide
	// almost every comparison without following the strings.
	keys := make([]runKey, len(runs))
	for i := range runs {
		u := runs[i].user
		keys[i] = runKey{hi: prefix8(u), lo: prefix8(u[min(8, len(u)):]), rank: int32(runs[i].rank), idx: int32(i)}
	}
	slices.SortFunc(keys, func(a, b runKey) int {
		switch {
		case a.rank != b.rank:
			return cmp.Compare(a.rank, b.rank)
		case a.hi != b.hi:
			return cmp.Compare(a.hi, b.hi)
		case a.lo != b.lo:
			return cmp.Compare(a.lo, b.lo)
		}
		return cmp.Or(compareRuns(&runs[a.idx], &runs[b.idx]), cmp.Compare(a.idx, b.idx))
	})
	out := make([]PlannedChange, 0, len(p.Changes))
	for _, k := range keys {
		r := &runs[k.idx]
		out = append(out, p.Changes[r.start:r.end]...)
	}
	p.Changes = out
}

// changeRun is one user's run of changes of one rank,
// Plan.Changes[start:end].
type changeRun struct {
	user, oktaID string
	rank, start  int
	end          int
}

// changeRuns splits p's changes into runs of one user and rank.
func changeRuns(p *Plan) []changeRun {
	runs := make([]changeRun, 0, len(p.Changes)/2+1)
	for i := 0; i < len(p.Changes); {
		c := &p.Changes[i]
		r := p.rank(c)
		j := i + 1
		for j < len(p.Changes) && sameUser(c, &p.Changes[j]) && p.rank(&p.Changes[j]) == r {
			j++
		}
		runs = append(runs, changeRun{c.User, c.OktaID, r, i, j})
		i = j
	}
	return runs
}

// rank orders c among the plan's changes: on a first run the admins who
// lose access come first (0), then every other revocation (1), then the
// rest (2); otherwise every change ranks 0.
func (p *Plan) rank(c *PlannedChange) int {
	if !p.FirstRun {
		return 0
	}
	switch {
	case c.isRevocation() && c.Admin:
		return 0
	case c.isRevocation():
		return 1
	}
	return 2
}

// compareRuns orders runs by rank, login and Okta id.
func compareRuns(a, b *changeRun) int {
	return cmp.Or(a.rank-b.rank, strings.Compare(a.user, b.user), strings.Compare(a.oktaID, b.oktaID))
}

// runKey is the sort key of one user's run of changes in order.
type runKey struct {
	hi, lo uint64 // the login's first 16 bytes, big-endian, zero-padded
	rank   int32
	idx    int32
}

// prefix8 packs the first 8 bytes of s so that comparing the numbers
// compares the prefixes as strings.Compare does.
func prefix8(s string) uint64 {
	var v uint64
	for i := range 8 {
		v <<= 8
		if i < len(s) {
			v |= uint64(s[i])
		}
	}
	return v
}

// sameUser reports whether a and b have the same login and Okta id, the
// keys the plan is ordered by.
func sameUser(a, b *PlannedChange) bool { return a.User == b.User && a.OktaID == b.OktaID }
