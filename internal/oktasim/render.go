package oktasim

import (
	"bytes"
	"time"
	"unicode/utf8"
)

// Users and groups are rendered by hand rather than through encoding/json:
// member pages are the hot path of a sync, and the field order here is the
// one real Okta uses (see the recordings).

const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

const userTypeID = "oty1simdefault000000"

// appendTime appends t as "2006-01-02T15:04:05.000Z", or null for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	if year < 0 || year > 9999 {
		b = append(b, '"')
		b = t.AppendFormat(b, timeLayout)
		return append(b, '"')
	}
	b = append(b, '"')
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, ms, 3)
	return append(b, 'Z', '"')
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	var d [4]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:width]...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendField(b []byte, name string) []byte {
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendHref(b []byte, name, href, method string) []byte {
	b = appendField(b, name)
	b = append(b, `{"href":`...)
	b = appendString(b, href)
	if method != "" {
		b = append(b, `,"method":`...)
		b = appendString(b, method)
	}
	return append(b, '}')
}

// appendUser renders u as Okta does. A user in a collection carries only its
// self link; a single user carries the lifecycle links its status allows.
func appendUser(b []byte, base string, u *user, single bool) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, u.id)
	b = append(b, `,"status":`...)
	b = appendString(b, u.status)
	b = append(b, `,"created":`...)
	b = appendTime(b, u.created)
	b = append(b, `,"activated":`...)
	b = appendTime(b, u.activated)
	b = append(b, `,"statusChanged":`...)
	b = appendTime(b, u.statusChanged)
	b = append(b, `,"lastLogin":`...)
	b = appendTime(b, u.lastLogin)
	b = append(b, `,"lastUpdated":`...)
	b = appendTime(b, u.lastUpdated)
	b = append(b, `,"passwordChanged":`...)
	b = appendTime(b, u.passwordChanged)
	b = append(b, `,"type":{"id":"`+userTypeID+`"},"profile":{"firstName":`...)
	b = appendString(b, u.firstName)
	b = append(b, `,"lastName":`...)
	b = appendString(b, u.lastName)
	b = append(b, `,"mobilePhone":null,"secondEmail":null,"login":`...)
	b = appendString(b, u.login)
	b = append(b, `,"email":`...)
	b = appendString(b, u.email)
	b = append(b, `},"credentials":{`...)
	if !u.passwordChanged.IsZero() {
		b = append(b, `"password":{},`...)
	}
	b = append(b, `"provider":{"type":"OKTA","name":"OKTA"}},"_links":{`...)
	self := base + "/api/v1/users/" + u.id
	if single {
		for _, op := range userLinks(u.status) {
			b = appendHref(b, op, self+"/lifecycle/"+lifecyclePath(op), "POST")
			b = append(b, ',')
		}
		b = appendHref(b, "schema", base+"/api/v1/meta/schemas/user/osc1simdefault000000", "")
		b = append(b, ',')
		b = appendHref(b, "type", base+"/api/v1/meta/types/user/"+userTypeID, "")
		b = append(b, ',')
	}
	b = appendHref(b, "self", self, "")
	return append(b, `}}`...)
}

// listedUser is a user's rendering in a collection and what it shows.
type listedUser struct {
	shown userShown
	base  string
	json  []byte
}

// userShown is every field of a user its rendering shows.
type userShown struct {
	id, status, login, email, firstName, lastName                              string
	created, activated, statusChanged, lastLogin, lastUpdated, passwordChanged time.Time
}

func (u *user) shown() userShown {
	return userShown{u.id, u.status, u.login, u.email, u.firstName, u.lastName,
		u.created, u.activated, u.statusChanged, u.lastLogin, u.lastUpdated, u.passwordChanged}
}

// appendListed renders u as a collection does, reusing its last rendering
// while every field it shows is unchanged: a member page of a large org
// then costs the simulator copies, not formatting, as Okta's own rendering
// costs the client nothing. The caller holds the org's read lock.
func appendListed(b []byte, base string, u *user) []byte {
	if c := u.listed.Load(); c != nil && c.base == base && c.shows(u) {
		return append(b, c.json...)
	}
	start := len(b)
	b = appendUser(b, base, u, false)
	u.listed.Store(&listedUser{shown: u.shown(), base: base, json: bytes.Clone(b[start:])})
	return b
}

// warmListings renders every user as collections served at base show it,
// before the first request: Okta's rendering is not on its clients' CPU,
// and the simulator shares the machine with the client it serves.
func (o *Org) warmListings(base string) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	for _, u := range o.users {
		appendListed(nil, base, u)
	}
}

// shows reports whether c was rendered from u's current fields.
func (c *listedUser) shows(u *user) bool {
	s := &c.shown
	return s.id == u.id && s.status == u.status && s.login == u.login && s.email == u.email &&
		s.firstName == u.firstName && s.lastName == u.lastName && s.created == u.created &&
		s.activated == u.activated && s.statusChanged == u.statusChanged && s.lastLogin == u.lastLogin &&
		s.lastUpdated == u.lastUpdated && s.passwordChanged == u.passwordChanged
}

// userLinks names the lifecycle links a user in this status gets.
func userLinks(status string) []string {
	switch status {
	case StatusActive, StatusPasswordExpired, StatusLockedOut, StatusRecovery:
		return []string{"suspend", "resetPassword", "expirePassword", "deactivate"}
	case StatusSuspended:
		return []string{"unsuspend", "deactivate"}
	case StatusDeprovisioned:
		return []string{"activate"}
	case StatusStaged, StatusProvisioned:
		return []string{"activate", "deactivate"}
	}
	return nil
}

func lifecyclePath(op string) string {
	switch op {
	case "resetPassword":
		return "reset_password"
	case "expirePassword":
		return "expire_password"
	}
	return op
}

const logoBase = "https://op1static.oktacdn.com/assets/img/logos/groups/"

// appendGroup renders g as Okta does.
func appendGroup(b []byte, base string, g *group) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, g.id)
	b = append(b, `,"created":`...)
	b = appendTime(b, g.created)
	b = append(b, `,"lastUpdated":`...)
	b = appendTime(b, g.lastUpdated)
	b = append(b, `,"lastMembershipUpdated":`...)
	b = appendTime(b, g.lastMembershipUpdated)
	logo := "okta"
	if g.typ == GroupTypeApp {
		b = append(b, `,"objectClass":["okta:windows_security_principal"]`...)
		logo = "active_directory"
	} else {
		b = append(b, `,"objectClass":["okta:user_group"]`...)
	}
	b = append(b, `,"type":`...)
	b = appendString(b, g.typ)
	b = append(b, `,"profile":{"name":`...)
	b = appendString(b, g.name)
	b = append(b, `,"description":`...)
	if g.descriptionNull {
		b = append(b, "null"...)
	} else {
		b = appendString(b, g.description)
	}
	if g.typ == GroupTypeApp {
		b = append(b, `,"samAccountName":`...)
		b = appendString(b, g.name)
		b = append(b, `,"windowsDomainQualifiedName":`...)
		b = appendString(b, `CORP\`+g.name)
		b = append(b, `,"externalId":`...)
		b = appendString(b, g.id)
	}
	b = append(b, `},"_links":{"logo":[{"name":"medium","href":"`+logoBase...)
	b = append(b, logo...)
	b = append(b, `-medium.png","type":"image/png"},{"name":"large","href":"`+logoBase...)
	b = append(b, logo...)
	b = append(b, `-large.png","type":"image/png"}],`...)
	if g.typ == GroupTypeApp {
		b = appendHref(b, "source", base+"/api/v1/apps/0oasimdirectory00000", "")
		b = append(b, ',')
	}
	self := base + "/api/v1/groups/" + g.id
	b = appendHref(b, "users", self+"/users", "")
	b = append(b, ',')
	b = appendHref(b, "apps", self+"/apps", "")
	return append(b, `}}`...)
}
