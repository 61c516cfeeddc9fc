package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// jsonScanner is the JSON reader under the client's hand-written page
// decoders (decodeMembers, decodeGroups): it walks a body once, byte by
// byte, hands each object key to the decoder's field function, reads the
// strings and times the decoder keeps, and skips every other value without
// building it. It accepts and refuses what encoding/json does; strings are
// checked in jsonscan_strings.go.
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
		return d.number()
	}
	return fmt.Errorf("found %q, want a value", c)
}

// number consumes a number, checked as encoding/json checks it.
func (d *jsonScanner) number() error {
	start := d.i
	for d.i < len(d.b) && numberByte(d.b[d.i]) {
		d.i++
	}
	if !json.Valid(d.b[start:d.i]) {
		return errors.New("invalid number")
	}
	return nil
}

// numberByte reports whether c may appear in a JSON number.
func numberByte(c byte) bool {
	switch c {
	case '-', '+', '.', 'e', 'E':
		return true
	}
	return c >= '0' && c <= '9'
}
