package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
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

type jsonScanner struct {
	b     []byte
	i     int
	depth int // arrays and objects open around d.i
}

// maxNesting bounds how deep arrays and objects may nest, as encoding/json
// bounds it: skip recurses once per level, and a page of 64 MiB of brackets
// would otherwise overflow the stack, which no recover() catches.
const maxNesting = 10000

var (
	errUnexpectedEnd = errors.New("unexpected end of JSON")
	errTooDeep       = fmt.Errorf("arrays and objects nested deeper than %d levels", maxNesting)
)

// open counts one more level of nesting, refusing one past maxNesting; the
// caller consumes the opening bracket and calls close after the closing one.
func (d *jsonScanner) open(c byte) error {
	if err := d.expect(c); err != nil {
		return err
	}
	if d.depth++; d.depth > maxNesting {
		return errTooDeep
	}
	return nil
}

func (d *jsonScanner) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and returns the next byte without consuming it.
func (d *jsonScanner) next() (byte, error) {
	d.ws()
	if d.i >= len(d.b) {
		return 0, errUnexpectedEnd
	}
	return d.b[d.i], nil
}

func (d *jsonScanner) expect(c byte) error {
	got, err := d.next()
	if err != nil {
		return err
	}
	if got != c {
		return fmt.Errorf("found %q, want %q", got, c)
	}
	d.i++
	return nil
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

// end checks that only white space follows the value read.
func (d *jsonScanner) end() error {
	if d.ws(); d.i != len(d.b) {
		return errors.New("data after the array")
	}
	return nil
}

// array reads an array, calling elem with the decoder at each element;
// elem consumes it.
func (d *jsonScanner) array(elem func() error) error {
	if err := d.open('['); err != nil {
		return err
	}
	c, err := d.next()
	if err != nil {
		return err
	}
	if c == ']' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		if c, err = d.next(); err != nil {
			return err
		}
		d.i++
		switch c {
		case ']':
			d.depth--
			return nil
		case ',':
		default:
			return fmt.Errorf("found %q in an array, want ',' or ']'", c)
		}
	}
}

// object reads an object, calling field for each key with the decoder at
// its value; field consumes the value.
func (d *jsonScanner) object(field func(key []byte) error) error {
	if err := d.open('{'); err != nil {
		return err
	}
	c, err := d.next()
	if err != nil {
		return err
	}
	if c == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		if c, err = d.next(); err != nil {
			return err
		}
		d.i++
		switch c {
		case '}':
			d.depth--
			return nil
		case ',':
		default:
			return fmt.Errorf("found %q in an object, want ',' or '}'", c)
		}
	}
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

// rawString reads a key; keys that quoted says differ from their bytes are
// decoded.
func (d *jsonScanner) rawString() ([]byte, error) {
	q, unquote, err := d.quoted()
	if err != nil {
		return nil, err
	}
	if !unquote {
		return q[1 : len(q)-1], nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// quotedOrNull reads a string as quoted does, or a null (q is nil then);
// want names the expected value in the error for anything else.
func (d *jsonScanner) quotedOrNull(want string) (q []byte, unquote bool, err error) {
	c, err := d.next()
	if err != nil {
		return nil, false, err
	}
	if c == 'n' {
		return nil, false, d.literal("null")
	}
	if c != '"' {
		return nil, false, fmt.Errorf("found %q, want %s", c, want)
	}
	return d.quoted()
}

// str reads a string into s; null leaves it as it is.
func (d *jsonScanner) str(s *string) error {
	q, unquote, err := d.quotedOrNull("a string")
	switch {
	case err != nil:
		return err
	case q == nil:
		// null leaves s as it is, as encoding/json does.
	case unquote:
		return json.Unmarshal(q, s)
	default:
		*s = string(q[1 : len(q)-1])
	}
	return nil
}

// time reads an RFC 3339 time string into t; null leaves it as it is.
func (d *jsonScanner) time(t *time.Time) error {
	q, _, err := d.quotedOrNull("a time string")
	switch {
	case err != nil:
		return err
	case q == nil:
		return nil // t as it is, as encoding/json leaves it
	}
	return t.UnmarshalJSON(q)
}

// objectOrNull reads an object like object, or a null.
func (d *jsonScanner) objectOrNull(field func(key []byte) error) error {
	c, err := d.next()
	if err != nil {
		return err
	}
	if c == 'n' {
		return d.literal("null")
	}
	return d.object(field)
}

func (d *jsonScanner) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return fmt.Errorf("invalid literal, want %s", word)
	}
	d.i += len(word)
	return nil
}

// skip consumes one value of any type.
func (d *jsonScanner) skip() error {
	c, err := d.next()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, _, err := d.quoted()
		return err
	case c == '{':
		return d.object(func([]byte) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		start := d.i
		for d.i < len(d.b) && (d.b[d.i] >= '0' && d.b[d.i] <= '9' || d.b[d.i] == '-' || d.b[d.i] == '+' || d.b[d.i] == '.' || d.b[d.i] == 'e' || d.b[d.i] == 'E') {
			d.i++
		}
		if !json.Valid(d.b[start:d.i]) {
			return errors.New("invalid number")
		}
		return nil
	}
	return fmt.Errorf("found %q, want a value", c)
}
