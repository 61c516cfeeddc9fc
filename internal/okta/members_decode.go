package okta

import (
	"fmt"
)

// decodeMembers decodes a JSON array of Okta users into the fields a
// snapshot keeps. It reads the page once, byte by byte, and skips every
// other field without building it: a page of 1000 members costs several
// times less CPU than encoding/json, which on a large read is most of the
// client's time. Keys match exactly (Okta's spelling); null leaves a field
// as it is (empty, unless a duplicate key set it), as encoding/json does;
// anything that is not well-formed JSON of the expected types is an error,
// as encoding/json would find it: strings are checked as it checks them
// (quoted), and arrays and objects nest at most maxNesting deep.
func decodeMembers(body []byte) ([]User, error) {
	d := &jsonScanner{b: body}
	out, err := d.page()
	if err != nil {
		return nil, fmt.Errorf("at byte %d: %w", d.i, err)
	}
	return out, nil
}

func (d *jsonScanner) page() ([]User, error) {
	// One slab for the page: a member takes at least 400 bytes of JSON.
	out := make([]User, 0, min(membersPageSize, len(d.b)/400+1))
	err := d.array(func() error {
		out = append(out, User{})
		return d.member(&out[len(out)-1])
	})
	if err != nil {
		return nil, err
	}
	return out, d.end()
}

func (d *jsonScanner) member(m *User) error {
	return d.object(func(key []byte) error {
		switch string(key) {
		case "id":
			return d.str(&m.ID)
		case "status":
			return d.str(&m.Status)
		case "lastUpdated":
			return d.time(&m.LastUpdated)
		case "profile":
			return d.objectOrNull(func(key []byte) error {
				switch string(key) {
				case "login":
					return d.str(&m.Login)
				case "email":
					return d.str(&m.Email)
				case "firstName":
					return d.str(&m.FirstName)
				case "lastName":
					return d.str(&m.LastName)
				}
				return d.skip()
			})
		}
		return d.skip()
	})
}
