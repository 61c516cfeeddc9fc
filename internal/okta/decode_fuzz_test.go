package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeMembers checks the hand-written member-page decoder against
// encoding/json on the same bytes: the same accept/reject decision and the
// same members. The reference (refMembers) differs from a plain
// json.Unmarshal into []memberJSON only where decodeMembers documents it:
// keys match exactly, and the page must be an array of objects (a page or
// a member that is null is refused, not read as empty).
func FuzzDecodeMembers(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeMembers(body)
		want, werr := refMembers(body)
		if (err == nil) != (werr == nil) {
			t.Fatalf("decodeMembers error = %v, encoding/json error = %v", err, werr)
		}
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if len(got) != len(want) {
			t.Fatalf("decodeMembers read %d members, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			if g, w := comparableUser(got[i]), comparableUser(want[i]); g != w {
				t.Fatalf("member %d:\ndecodeMembers %+v\nencoding/json %+v", i, g, w)
			}
		}
	})
}

// FuzzDecodeGroups does the same for the group listings: decodeGroups
// against encoding/json, where usersCount must be a whole number of
// members or null.
func FuzzDecodeGroups(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeGroups(body)
		want, werr := refGroups(body)
		if (err == nil) != (werr == nil) {
			t.Fatalf("decodeGroups error = %v, encoding/json error = %v", err, werr)
		}
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		if len(got) != len(want) {
			t.Fatalf("decodeGroups read %d groups, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			gt, wt := g.LastMembershipUpdated, w.LastMembershipUpdated
			g.LastMembershipUpdated, w.LastMembershipUpdated = time.Time{}, time.Time{}
			if g != w || gt.Format(time.RFC3339Nano) != wt.Format(time.RFC3339Nano) {
				t.Fatalf("group %d:\ndecodeGroups  %+v (%v)\nencoding/json %+v (%v)", i, g, gt, w, wt)
			}
		}
	})
}

// checkDecodeError checks that a refusal says where, on one line.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "at byte ") || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("decode error is not one line that names the byte: %q", msg)
	}
}

// userText is a User with its time as text, so that == compares the
// instant and the offset.
type userText struct {
	ID, Status, Login, Email, FirstName, LastName, LastUpdated string
}

func comparableUser(u User) userText {
	return userText{u.ID, u.Status, u.Login, u.Email, u.FirstName, u.LastName, u.LastUpdated.Format(time.RFC3339Nano)}
}

// refArray splits a page into its elements with encoding/json, refusing
// anything but an array of objects.
func refArray(body []byte) ([]json.RawMessage, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return nil, err
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || b[0] != '[' {
		return nil, errors.New("the page is not an array")
	}
	return elems, nil
}

// refObject reads an object with encoding/json's decoder, handing each
// key, exactly as written after unquoting, and its value to field in
// order; duplicate keys come one after the other, as encoding/json reads
// them. null, or anything that is not an object, is refused; refObjectOrNull
// accepts null as nothing.
func refObject(raw json.RawMessage, field func(key string, v json.RawMessage) error) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("%.20s is not an object", raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := field(tok.(string), v); err != nil {
			return err
		}
	}
	return nil
}

func refObjectOrNull(raw json.RawMessage, field func(key string, v json.RawMessage) error) error {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	return refObject(raw, field)
}

func refMembers(body []byte) ([]User, error) {
	elems, err := refArray(body)
	if err != nil {
		return nil, err
	}
	out := make([]User, len(elems))
	for i, raw := range elems {
		u := &out[i]
		err := refObject(raw, func(key string, v json.RawMessage) error {
			switch key {
			case "id":
				return json.Unmarshal(v, &u.ID)
			case "status":
				return json.Unmarshal(v, &u.Status)
			case "lastUpdated":
				return json.Unmarshal(v, &u.LastUpdated)
			case "profile":
				return refObjectOrNull(v, func(key string, v json.RawMessage) error {
					switch key {
					case "login":
						return json.Unmarshal(v, &u.Login)
					case "email":
						return json.Unmarshal(v, &u.Email)
					case "firstName":
						return json.Unmarshal(v, &u.FirstName)
					case "lastName":
						return json.Unmarshal(v, &u.LastName)
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func refGroups(body []byte) ([]groupJSON, error) {
	elems, err := refArray(body)
	if err != nil {
		return nil, err
	}
	out := make([]groupJSON, len(elems))
	for i, raw := range elems {
		g := &out[i]
		err := refObject(raw, func(key string, v json.RawMessage) error {
			switch key {
			case "id":
				return json.Unmarshal(v, &g.ID)
			case "type":
				return json.Unmarshal(v, &g.Type)
			case "lastMembershipUpdated":
				return json.Unmarshal(v, &g.LastMembershipUpdated)
			case "profile":
				return refObjectOrNull(v, func(key string, v json.RawMessage) error {
					if key == "name" {
						return json.Unmarshal(v, &g.Name)
					}
					return nil
				})
			case "_embedded":
				return refObjectOrNull(v, func(key string, v json.RawMessage) error {
					if key != "stats" {
						return nil
					}
					return refObjectOrNull(v, func(key string, v json.RawMessage) error {
						if key != "usersCount" || string(v) == "null" {
							return nil
						}
						var n float64
						if err := json.Unmarshal(v, &n); err != nil {
							return err
						}
						if n < 0 || n != float64(int(n)) {
							return fmt.Errorf("usersCount %s is not a member count", v)
						}
						g.UsersCount, g.HasCount = int(n), true
						return nil
					})
				})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
