package engine

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// TestOrderIsAStableSort checks order against a stable sort of every
// change by rank, login and Okta id, on random plans where a user's changes
// may be split and logins repeat.
func TestOrderIsAStableSort(t *testing.T) {
	actions := []string{store.ActionCreate, store.ActionGrant, store.ActionRevoke, store.ActionRevokeAll, store.ActionUpdate, store.ActionEnable}
	for _, firstRun := range []bool{false, true} {
		for seed := range uint64(50) {
			t.Run(fmt.Sprintf("first_run=%v/seed=%d", firstRun, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 3))
				p := &Plan{FirstRun: firstRun}
				// Logins that differ only past the sort key's 16 bytes, or
				// in its zero padding, or not at all in case.
				logins := []string{"", "a", "a\x00", "ab", "Ab", "ab\x00\x00", "verylongprefix.0001@example.com", "verylongprefix.0002@example.com",
					"verylongprefix.0@example.com", "verylongprefix", "verylongprefix.", "z\xffz", "zz", "u07@example.com", "u10@example.com"}
				for i := range r.IntN(200) {
					u := r.IntN(len(logins))
					c := PlannedChange{User: logins[u], OktaID: fmt.Sprintf("00u%d", u%4+r.IntN(2)),
						Action: actions[r.IntN(len(actions))], Role: fmt.Sprint(i), Admin: r.IntN(3) == 0}
					if c.isRevocation() {
						c.UserID = fmt.Sprint(u)
					}
					p.Changes = append(p.Changes, c)
				}
				rank := func(c PlannedChange) int {
					switch {
					case !firstRun:
						return 0
					case c.isRevocation() && c.Admin:
						return 0
					case c.isRevocation():
						return 1
					}
					return 2
				}
				want := slices.Clone(p.Changes)
				slices.SortStableFunc(want, func(a, b PlannedChange) int {
					return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.User, b.User), cmp.Compare(a.OktaID, b.OktaID))
				})
				order(p)
				if !slices.Equal(p.Changes, want) {
					t.Fatalf("order gave\n%v\nwant\n%v", describe(p.Changes), describe(want))
				}
			})
		}
	}
}
