package oktasim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Fixture is a hand-written org, loaded from YAML:
//
//	users:
//	  - login: alice@example.com      # required, unique
//	    email: alice@example.com      # default: the login
//	    first_name: Alice
//	    last_name: Admin
//	    status: ACTIVE                # default ACTIVE; any Okta user status
//	groups:
//	  - name: Engineering             # required, unique
//	    description: Builders
//	    type: OKTA_GROUP              # default OKTA_GROUP; or APP_GROUP
//	    members: [alice@example.com]  # logins of users above
//
// The BUILT_IN group Everyone, holding every user, is added unless the
// fixture names it.
type Fixture struct {
	Users  []FixtureUser  `yaml:"users"`
	Groups []FixtureGroup `yaml:"groups"`
}

// FixtureUser is one user of a Fixture.
type FixtureUser struct {
	Login     string `yaml:"login"`
	Email     string `yaml:"email"`
	FirstName string `yaml:"first_name"`
	LastName  string `yaml:"last_name"`
	Status    string `yaml:"status"`
}

// FixtureGroup is one group of a Fixture.
type FixtureGroup struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Type        string   `yaml:"type"`
	Members     []string `yaml:"members"`
}

// LoadFixture reads a YAML fixture file and builds its org; seed fixes the ids.
func LoadFixture(path string, seed int64) (*Org, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("oktasim: read fixture: %w", err)
	}
	var f Fixture
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("oktasim: fixture %s: %w (expected top-level keys users and groups)", path, err)
	}
	o, err := f.Build(seed)
	if err != nil {
		return nil, fmt.Errorf("oktasim: fixture %s: %w", path, err)
	}
	return o, nil
}

var validStatuses = []string{StatusActive, StatusPasswordExpired, StatusLockedOut, StatusRecovery,
	StatusSuspended, StatusDeprovisioned, StatusStaged, StatusProvisioned}

// Build makes the org the fixture describes.
func (f *Fixture) Build(seed int64) (*Org, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x66697874))
	newID := func(prefix string) string {
		b := make([]byte, 17)
		for i := range b {
			b[i] = idAlphabet[rng.IntN(len(idAlphabet))]
		}
		return prefix + string(b)
	}
	o := newOrg(nil)
	o.last = generatedEpoch
	created := generatedEpoch.Add(-30 * 24 * time.Hour)
	var all []*user
	for i, fu := range f.Users {
		u, err := fixtureUser(i, fu, newID("00u"), created)
		if err != nil {
			return nil, err
		}
		if err := o.addUser(u); err != nil {
			return nil, fmt.Errorf("users[%d]: %w; logins must be unique", i, err)
		}
		all = append(all, u)
	}
	slices.SortFunc(all, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	o.sortUsers()
	hasEveryone := false
	for i, fg := range f.Groups {
		g, err := o.fixtureGroup(i, fg, newID, created)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(fg.Name, "Everyone") {
			hasEveryone = true
		}
		if err := o.addGroup(g); err != nil {
			return nil, fmt.Errorf("groups[%d]: %w; group names must be unique", i, err)
		}
	}
	if !hasEveryone {
		g := &group{id: newID("00g"), name: "Everyone", typ: GroupTypeBuiltIn, description: "All users in your organization",
			created: created, lastUpdated: created, lastMembershipUpdated: created, members: all}
		if err := o.addGroup(g); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// fixtureUser makes the user fu, number i of the fixture, with id.
func fixtureUser(i int, fu FixtureUser, id string, created time.Time) (*user, error) {
	if strings.TrimSpace(fu.Login) == "" {
		return nil, fmt.Errorf("users[%d]: login is empty; give every user a login such as alice@example.com", i)
	}
	status := strings.ToUpper(fu.Status)
	if status == "" {
		status = StatusActive
	}
	if !slices.Contains(validStatuses, status) {
		return nil, fmt.Errorf("users[%d] (%s): status %q is not an Okta user status; use one of %s",
			i, fu.Login, fu.Status, strings.Join(validStatuses, ", "))
	}
	email := fu.Email
	if email == "" {
		email = fu.Login
	}
	u := &user{id: id, status: status, login: fu.Login, email: email,
		firstName: fu.FirstName, lastName: fu.LastName, created: created, lastUpdated: created}
	if status != StatusStaged && status != StatusProvisioned {
		u.activated, u.passwordChanged = created, created
	}
	if status != StatusStaged {
		u.statusChanged = created
	}
	return u, nil
}

// fixtureGroup makes the group fg, number i of the fixture, with its
// members among the org's users.
func (o *Org) fixtureGroup(i int, fg FixtureGroup, newID func(string) string, created time.Time) (*group, error) {
	if strings.TrimSpace(fg.Name) == "" {
		return nil, fmt.Errorf("groups[%d]: name is empty; give every group a name", i)
	}
	typ := strings.ToUpper(fg.Type)
	if typ == "" {
		typ = GroupTypeOkta
	}
	if typ != GroupTypeOkta && typ != GroupTypeApp && typ != GroupTypeBuiltIn {
		return nil, fmt.Errorf("groups[%d] (%s): type %q is not a group type; use OKTA_GROUP or APP_GROUP", i, fg.Name, fg.Type)
	}
	g := &group{id: newID("00g"), name: fg.Name, typ: typ, description: fg.Description,
		descriptionNull: fg.Description == "", created: created, lastUpdated: created, lastMembershipUpdated: created}
	for _, login := range fg.Members {
		u := o.byLogin[strings.ToLower(login)]
		if u == nil {
			return nil, fmt.Errorf("groups[%d] (%s): member %q is not a user of the fixture; add it under users or fix the login", i, fg.Name, login)
		}
		if i, found := memberIndex(g.members, u.id); !found {
			g.members = slices.Insert(g.members, i, u)
		}
	}
	return g, nil
}
