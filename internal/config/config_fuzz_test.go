package config

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzConfigParse feeds arbitrary documents to Parse and the validator.
// Every refusal is one line that names the problem; every document Parse
// accepts exports (Marshal) to a document that parses back to the same
// configuration, with the same problems, and exports again byte for byte;
// so a configuration that validates still validates after an export and an
// import. The CA files are not read (Problems(false)): a fuzzed path could
// name a device.
func FuzzConfigParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte) {
		cfg, err := Parse(doc)
		if err != nil {
			oneLine(t, "Parse", err.Error())
			if !strings.HasPrefix(err.Error(), "parse config: ") {
				t.Errorf("Parse error %q does not say it is about the config", err)
			}
			return
		}
		problems := cfg.Problems(false)
		for _, p := range problems {
			if p.Field == "" || p.Problem == "" {
				t.Errorf("a problem without a field or a description: %#v", p)
			}
			oneLine(t, "Problems", p.Error())
		}
		if len(problems) > 0 {
			oneLine(t, "Validate", (&ValidationError{Errors: problems}).Error())
		}
		out, err := cfg.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed configuration: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("the export does not parse back: %v\n%s", err, out)
		}
		if a, b := normalized(cfg), normalized(back); !reflect.DeepEqual(a, b) {
			t.Fatalf("export and import changed the configuration:\nparsed   %#v\nimported %#v\nexport:\n%s", a, b, out)
		}
		if got := back.Problems(false); !reflect.DeepEqual(got, problems) {
			t.Fatalf("export and import changed the problems:\nbefore %v\nafter  %v", problems, got)
		}
		again, err := back.Marshal()
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("the export is not stable (err %v):\nfirst:\n%s\nsecond:\n%s", err, out, again)
		}
	})
}

// oneLine fails the test unless msg is a non-empty single line of text.
func oneLine(t *testing.T, what, msg string) {
	t.Helper()
	switch {
	case strings.TrimSpace(msg) == "":
		t.Errorf("%s: empty error message", what)
	case strings.ContainsAny(msg, "\n\r"):
		t.Errorf("%s: error message spans lines: %q", what, msg)
	case !utf8.ValidString(msg):
		t.Errorf("%s: error message is not valid UTF-8: %q", what, msg)
	}
}

// normalized treats an empty list as no list: a list left empty in YAML
// (`scopes: []`) and one left out mean the same.
func normalized(c Config) Config {
	nilIfEmpty := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	c.Okta.Scopes = nilIfEmpty(c.Okta.Scopes)
	c.Safety.ProtectedAccounts = nilIfEmpty(c.Safety.ProtectedAccounts)
	c.Safety.AdminRoles = nilIfEmpty(c.Safety.AdminRoles)
	if len(c.Mappings) == 0 {
		c.Mappings = nil
	} else {
		ms := make([]Mapping, len(c.Mappings))
		for i, m := range c.Mappings {
			m.Roles = nilIfEmpty(m.Roles)
			ms[i] = m
		}
		c.Mappings = ms
	}
	return c
}
