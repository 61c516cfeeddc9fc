package okta

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// quoted reads a string and returns it as written, quotes and escapes
// included; d.i ends after the closing quote. It refuses what encoding/json
// refuses: control characters (below U+0020) and escapes other than \" \\
// \/ \b \f \n \r \t and \u with four hex digits. unquote reports that the
// value differs from the bytes written, through escapes or through invalid
// UTF-8 (encoding/json reads each bad byte as U+FFFD): the caller then
// decodes it with encoding/json.
func (d *jsonScanner) quoted() (q []byte, unquote bool, err error) {
	if err := d.expect('"'); err != nil {
		return nil, false, err
	}
	start := d.i - 1
	// Fast path: printable ASCII without a backslash up to the closing quote.
	if end := bytes.IndexByte(d.b[d.i:], '"'); end >= 0 && plainASCII(d.b[d.i:d.i+end]) {
		d.i += end + 1
		return d.b[start:d.i], false, nil
	}
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			return d.b[start:d.i], unquote, nil
		case c == '\\':
			if err := d.escape(); err != nil {
				return nil, false, err
			}
			unquote = true
		case c < 0x20:
			return nil, false, fmt.Errorf("invalid character %q in a string", c)
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRune(d.b[d.i:])
			if r == utf8.RuneError && size == 1 {
				unquote = true
			}
			d.i += size
		}
	}
	return nil, false, errUnexpectedEnd
}

// escape consumes the escape sequence at d.i, a backslash.
func (d *jsonScanner) escape() error {
	if d.i+1 >= len(d.b) {
		return errUnexpectedEnd
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return nil
	case 'u':
		for j := d.i + 2; j < d.i+6; j++ {
			if j >= len(d.b) {
				return errUnexpectedEnd
			}
			if c := d.b[j]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return fmt.Errorf("invalid character %q in a \\u escape, want four hex digits", c)
			}
		}
		d.i += 6
		return nil
	}
	return fmt.Errorf("invalid escape: backslash before %q in a string", d.b[d.i+1])
}

// plainASCII reports whether s holds only ASCII from U+0020 up, without a
// backslash: a string that reads as written. It tests eight bytes at a
// time: with no byte of w at 0x80 or above, w-0x20… sets a byte's top bit
// only where some byte is under 0x20, and x-0x01… only where some byte of
// x (w with each backslash turned to zero) is zero.
func plainASCII(s []byte) bool {
	if len(s) < 8 {
		for _, c := range s {
			if c < 0x20 || c >= utf8.RuneSelf || c == '\\' {
				return false
			}
		}
		return true
	}
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	plain := func(w uint64) bool {
		x := w ^ (ones * '\\')
		return (w|(w-ones*0x20)|(x-ones))&tops == 0
	}
	// The last word, read first, overlaps the words before it.
	if !plain(binary.LittleEndian.Uint64(s[len(s)-8:])) {
		return false
	}
	for ; len(s) > 8; s = s[8:] {
		if !plain(binary.LittleEndian.Uint64(s)) {
			return false
		}
	}
	return true
}
