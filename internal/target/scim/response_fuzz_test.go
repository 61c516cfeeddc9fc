package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rolesync/rolesync/internal/target"
)

// FuzzSCIMResponse feeds a provider's answer to what reads it: a User or a
// Group resource, and an error answer with the fuzzed status. A refusal is
// ErrMalformed on one line; an accepted resource has its id (and a group
// its displayName), roles sorted without duplicates; and what the client
// keeps of it to PUT back (raw) reads back as the same user or group,
// unless the resource names a member twice (case aside: SCIM attribute
// names are case-insensitive), which leaves it ambiguous. An error answer
// reads as one line that names the status, whatever the body holds.
func FuzzSCIMResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte, status uint16) {
		u, err := decodeUser(http.MethodGet, "/Users", body)
		if err != nil {
			checkMalformed(t, err)
		} else {
			if u.id == "" || u.user.ID != u.id {
				t.Fatalf("accepted a User without an id: %+v", u)
			}
			if !slices.IsSorted(u.idRoles) || len(slices.Compact(slices.Clone(u.idRoles))) != len(u.idRoles) || slices.Contains(u.idRoles, "") {
				t.Fatalf("roles %q are not sorted, unique and non-empty", u.idRoles)
			}
			if !ambiguous(body) {
				again, err := decodeUser(http.MethodPut, "/Users/"+u.id, mustJSON(t, u.object()))
				if err != nil || !reflect.DeepEqual(again.user, u.user) || again.active != u.active || again.etag != u.etag || !reflect.DeepEqual(again.idRoles, u.idRoles) {
					t.Fatalf("the User as kept for a PUT reads back as %+v (err %v), want %+v", again, err, u)
				}
			}
		}
		g, err := decodeGroup(http.MethodGet, "/Groups", body)
		if err != nil {
			checkMalformed(t, err)
		} else {
			if g.id == "" || g.name == "" {
				t.Fatalf("accepted a Group without an id or displayName: %+v", g)
			}
			if !ambiguous(body) {
				again, err := decodeGroup(http.MethodPut, "/Groups/"+g.id, mustJSON(t, g.raw))
				if err != nil || again.id != g.id || again.name != g.name || again.etag != g.etag || !reflect.DeepEqual(again.members, g.members) {
					t.Fatalf("the Group as kept for a PUT reads back as %+v (err %v), want %+v", again, err, g)
				}
			}
		}
		code := 300 + int(status)%300
		herr := decodeError(http.MethodPatch, "/Users/2819c223", code, body)
		msg := herr.Error()
		if strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) || len(msg) > 1000 {
			t.Fatalf("HTTP %d: the error is not one short line of text: %q", code, msg)
		}
		if !strings.Contains(msg, "HTTP "+strconv.Itoa(code)) {
			t.Fatalf("HTTP %d: the error %q does not name the status", code, msg)
		}
		if errors.Is(herr, target.ErrNotFound) != (code == http.StatusNotFound) {
			t.Fatalf("HTTP %d: errors.Is(ErrNotFound) = %v", code, errors.Is(herr, target.ErrNotFound))
		}
	})
}

// FuzzSCIMRetryAfter checks the wait a 429 or 503 asks for: never negative,
// never past the cap, and a number of seconds within the cap taken as
// written.
func FuzzSCIMRetryAfter(f *testing.F) {
	f.Fuzz(func(t *testing.T, h string, attempt uint8) {
		c := &Client{maxWait: 30 * time.Second, now: time.Now}
		a := int(attempt % 4)
		wait := c.retryAfter(h, a)
		if wait < 0 || wait > c.maxWait {
			t.Fatalf("retryAfter(%q, %d) = %v, want 0 to %v", h, a, wait, c.maxWait)
		}
		if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && secs >= 0 && secs <= 30 && wait != time.Duration(secs)*time.Second {
			t.Fatalf("retryAfter(%q) = %v, want %ds", h, wait, secs)
		}
	})
}

func checkMalformed(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !errors.Is(err, ErrMalformed) || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("refusal is not ErrMalformed on one line: %q", msg)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode the kept resource: %v", err)
	}
	return b
}

// ambiguous reports whether some object in the JSON document names a
// member twice, comparing names without case, as SCIM does.
func ambiguous(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.key {
			k := foldKey(s)
			if top.keys[k] {
				return true
			}
			top.keys[k], top.key = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended
		}
	}
}

// foldKey maps every rune to the least rune of its case-folding orbit, so
// two names that encoding/json matches without case map to the same key.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
