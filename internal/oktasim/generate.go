package oktasim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// WellKnownGroups are the groups every generated org has (as far as the
// requested group count allows, in this order), so that demos and tests can
// map them by name. Everyone is BUILT_IN and holds every user; the others are
// OKTA_GROUPs holding roughly the share of users given here.
var WellKnownGroups = []struct {
	Name  string
	Share float64
}{
	{"Everyone", 1},
	{"Engineering", 0.25},
	{"IT Admins", 0.005},
	{"Security", 0.02},
	{"Finance", 0.05},
	{"Support", 0.10},
}

// generatedEpoch is the time generated orgs are built around, so that the
// same seed yields the same org whenever it runs.
var generatedEpoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	firstNames = []string{"Ada", "Alan", "Amara", "Ben", "Carlos", "Chen", "Dana", "Diego", "Elena", "Farah",
		"Grace", "Hiro", "Ines", "Ivan", "Jamal", "Julia", "Kenji", "Lara", "Liam", "Maya", "Mei", "Nadia",
		"Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Sofia", "Tariq", "Uma", "Victor", "Wen",
		"Yara", "Zoe"}
	lastNames = []string{"Abe", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito",
		"Jensen", "Kowalski", "Lopez", "Meyer", "Nakamura", "Okafor", "Patel", "Quispe", "Rossi", "Silva",
		"Tanaka", "Ueda", "Varga", "Wang", "Xu", "Yilmaz", "Zhang"}
	teamWords = []string{"Payments", "Platform", "Mobile", "Data", "Growth", "Identity", "Billing", "Search",
		"Infra", "Sales", "Marketing", "Legal", "HR", "Design", "Research", "Ops", "Analytics", "Partners"}
	regionWords = []string{"EMEA", "APAC", "NA", "LATAM", "Berlin", "Austin", "Tokyo", "London", "Remote"}
)

// Generate builds an org of n users and m groups from seed. The same seed,
// n and m always give the same org: ids, names, statuses, timestamps and
// memberships. Group sizes are skewed: Everyone holds all users, a few
// generated groups are large and most are small, so users sit in several
// groups. About 2% of users are SUSPENDED, 1% DEPROVISIONED, and a few are
// PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, STAGED or PROVISIONED.
func Generate(seed int64, n, m int) (*Org, error) {
	if n < 0 || m < 0 {
		return nil, fmt.Errorf("oktasim: users (%d) and groups (%d) must not be negative", n, m)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f6b7461))
	o := newOrg(nil)
	o.last = generatedEpoch
	ids := map[string]bool{}
	newID := func(prefix string) string {
		for {
			b := make([]byte, 17)
			for i := range b {
				b[i] = idAlphabet[rng.IntN(len(idAlphabet))]
			}
			id := prefix + string(b)
			if !ids[id] {
				ids[id] = true
				return id
			}
		}
	}
	past := func(maxDays int) time.Time {
		return generatedEpoch.Add(-time.Duration(rng.Int64N(int64(maxDays) * 24 * int64(time.Hour)))).Truncate(time.Millisecond)
	}
	order := make([]*user, n)
	for i := range n {
		u := genUser(rng, i, newID, past)
		if err := o.addUser(u); err != nil {
			return nil, err
		}
		order[i] = u
	}
	o.sortUsers()
	for gi := range m {
		g := &group{id: newID("00g"), typ: GroupTypeOkta}
		g.created = past(1500)
		share := nameGroup(g, gi)
		g.lastUpdated = g.created
		g.members = pickMembers(rng, order, share)
		g.lastMembershipUpdated = past(90)
		if g.lastMembershipUpdated.Before(g.created) {
			g.lastMembershipUpdated = g.created
		}
		if err := o.addGroup(g); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func pickStatus(rng *rand.Rand) string {
	switch r := rng.IntN(1000); {
	case r < 20:
		return StatusSuspended
	case r < 30:
		return StatusDeprovisioned
	case r < 35:
		return StatusPasswordExpired
	case r < 38:
		return StatusLockedOut
	case r < 40:
		return StatusRecovery
	case r < 45:
		return StatusStaged
	case r < 47:
		return StatusProvisioned
	}
	return StatusActive
}

// pickMembers returns about share*len(users) users sorted by id, at least
// one when there are users.
func pickMembers(rng *rand.Rand, users []*user, share float64) []*user {
	n := len(users)
	if n == 0 {
		return nil
	}
	k := max(1, int(math.Round(share*float64(n))))
	var out []*user
	if k*4 >= n {
		for _, u := range users {
			if share >= 1 || rng.Float64() < share {
				out = append(out, u)
			}
		}
	} else {
		seen := make(map[int]bool, k)
		for len(seen) < k {
			seen[rng.IntN(n)] = true
		}
		out = make([]*user, 0, k)
		for i := range seen {
			out = append(out, users[i])
		}
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	return out
}

// genUser makes user number i of a generated org, drawing from rng in a
// fixed order so that a seed always gives the same user.
func genUser(rng *rand.Rand, i int, newID func(string) string, past func(int) time.Time) *user {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	login := fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), i+1)
	created := past(1500)
	u := &user{id: newID("00u"), status: pickStatus(rng), login: login, email: login,
		firstName: first, lastName: last, created: created}
	if u.status != StatusStaged && u.status != StatusProvisioned {
		u.activated = created.Add(time.Hour)
		u.passwordChanged = u.activated
		u.lastLogin = past(30)
	}
	if u.status != StatusStaged {
		u.statusChanged = created.Add(time.Hour)
	}
	u.lastUpdated = created.Add(2 * time.Hour)
	if u.status != StatusActive && u.status != StatusStaged {
		u.statusChanged = past(60)
		if u.statusChanged.Before(u.created) {
			u.statusChanged = created.Add(3 * time.Hour)
		}
		u.lastUpdated = u.statusChanged
	}
	return u
}

// nameGroup names, types and describes generated group number gi, and
// returns the share of the users it holds.
func nameGroup(g *group, gi int) (share float64) {
	if gi < len(WellKnownGroups) {
		g.name, share = WellKnownGroups[gi].Name, WellKnownGroups[gi].Share
		g.description = g.name + " team"
		if gi == 0 {
			g.typ, g.description = GroupTypeBuiltIn, "All users in your organization"
		}
	} else {
		k := gi - len(WellKnownGroups)
		g.name = fmt.Sprintf("%s %s %d", teamWords[k%len(teamWords)], regionWords[(k/len(teamWords))%len(regionWords)], k+1)
		// Zipf-like sizes: the first few generated groups are large.
		share = 0.3 / math.Pow(float64(k+1), 1.1)
		switch {
		case k%10 == 7:
			g.typ, g.name = GroupTypeApp, "AD "+g.name
		case k%3 == 1:
			g.descriptionNull = true
		default:
			g.description = "Generated group " + g.name
		}
	}
	return share
}
