package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

func lookup(conns []Connection, name string) (int, error) {
	for i, c := range conns {
		if c.Slug == name {
			return i, nil
		}
	}
	for i, c := range conns {
		if strings.EqualFold(strings.TrimSpace(name), c.Name) {
			return i, nil
		}
	}
	if len(conns) == 0 {
		return 0, fmt.Errorf("no connection named %q: there is none yet; add one with `rolesync connections add NAME`", name)
	}
	return 0, fmt.Errorf("no connection named %q; the connections are: %s", name, nameList(conns))
}

func findName(conns []Connection, name string) (Connection, bool) {
	for _, c := range conns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Connection{}, false
}

func nameList(conns []Connection) string {
	names := make([]string, len(conns))
	for i, c := range conns {
		names[i] = fmt.Sprintf("%q", c.Name)
	}
	return strings.Join(names, ", ")
}

// checkName trims a connection's name and refuses an empty, overlong or
// unprintable one.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errors.New("a connection needs a name, such as \"Contoso → ThreatLocker EU1\"")
	case utf8.RuneCountInString(name) > MaxConnectionName:
		return "", fmt.Errorf("a connection's name has at most %d characters", MaxConnectionName)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errors.New("a connection's name must be printable text on one line")
	}
	return name, nil
}

// Slug makes a directory and keyring name from a connection's name:
// lower-case letters and digits of the ASCII range, other runs as one dash.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" {
		s = "connection"
	}
	return s
}

// freeSlug is name's slug, numbered when a connection or a directory has it.
func freeSlug(root string, conns []Connection, name string) string {
	base := Slug(name)
	for n := 1; ; n++ {
		s := base
		if n > 1 {
			s = fmt.Sprintf("%s-%d", base, n)
		}
		taken := slices.ContainsFunc(conns, func(c Connection) bool { return c.Slug == s })
		if _, err := os.Lstat(ConnectionDir(root, s)); !taken && errors.Is(err, fs.ErrNotExist) {
			return s
		}
	}
}

// freePath is path, or path-2, path-3… when it exists.
func freePath(path string) string {
	p := path
	for n := 2; ; n++ {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
		p = fmt.Sprintf("%s-%d", path, n)
	}
}
