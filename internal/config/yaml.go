package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Default returns the configuration a new installation starts from: the
// recommended scoped_dpop authentication, the seed's 15-minute interval, the
// local target and the default safety gates (10 revocations, 20%).
func Default() Config {
	return Config{
		Okta:   Okta{Auth: AuthScopedDPoP},
		Sync:   Sync{Interval: DefaultInterval},
		Target: Target{Kind: TargetLocal},
		Safety: Safety{MaxRevocations: DefaultMaxRevocations, MaxRevocationPercent: DefaultMaxRevocationPercent},
	}
}

// Default safety gates.
const (
	DefaultMaxRevocations       = 10
	DefaultMaxRevocationPercent = 20
)

// Parse reads a YAML configuration strictly: fields left out keep their
// Default value, and unknown fields are errors naming the field and its
// line. Parse checks syntax only; call Validate for the meaning.
func Parse(data []byte) (Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Config{}, errors.New("parse config: the document is empty; start from `rolesync config export`")
	}
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, errors.New("parse config: the document holds only comments; start from `rolesync config export`")
		}
		return Config{}, fmt.Errorf("parse config: %w", explainYAML(err))
	}
	if err := onlyDocument(dec); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	return cfg, nil
}

// onlyDocument refuses a second YAML document after the one Parse read:
// its settings would otherwise be dropped without a word. An empty
// document (a trailing `---` alone or with comments) is allowed.
func onlyDocument(dec *yaml.Decoder) error {
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("the file holds more than one YAML document, and a later one cannot be read (%w); keep one document and remove every `---` line after the first", err)
		}
		if len(doc.Content) == 1 && doc.Content[0].Tag == "!!null" && doc.Content[0].Value == "" {
			continue
		}
		return fmt.Errorf("line %d: the file holds more than one YAML document: a second one starts at the `---` there; rolesync reads a single document, so merge the settings into the first and remove that `---` line", doc.Line)
	}
}

// Load reads and parses the configuration file at path.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Marshal writes the configuration as YAML that Parse reads back unchanged.
func (c Config) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	return buf.Bytes(), nil
}

// FormatInterval writes an interval the way the YAML and the GUI show it:
// "15m", "1h".
func FormatInterval(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// intervalList is the seed's intervals as "5m 15m 30m 1h ...".
func intervalList() string {
	s := make([]string, len(Intervals))
	for i, d := range Intervals {
		s[i] = FormatInterval(d)
	}
	return strings.Join(s, " ")
}

// MarshalYAML writes the interval as a duration string.
func (s Sync) MarshalYAML() (any, error) {
	return struct {
		Interval string `yaml:"interval"`
	}{FormatInterval(s.Interval)}, nil
}

// UnmarshalYAML reads the sync section; the interval is a Go duration
// string such as "15m" or "1h".
func (s *Sync) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: sync must be a mapping such as `interval: 15m`", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "interval" {
			return fmt.Errorf("line %d: unknown field %q in sync (known: interval)", k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode || v.Value == "" {
			return fmt.Errorf("line %d: sync.interval must be a duration such as 15m; use one of %s", v.Line, intervalList())
		}
		d, err := time.ParseDuration(v.Value)
		if err != nil {
			if _, nerr := strconv.Atoi(v.Value); nerr == nil {
				return fmt.Errorf("line %d: sync.interval %s has no unit; write it as a duration such as %sm, one of %s", v.Line, v.Value, v.Value, intervalList())
			}
			return fmt.Errorf("line %d: sync.interval %q is not a duration; use one of %s", v.Line, v.Value, intervalList())
		}
		if !slices.Contains(Intervals, d) {
			return fmt.Errorf("line %d: sync.interval %s is not an interval rolesync offers; use one of %s", v.Line, v.Value, intervalList())
		}
		s.Interval = d
	}
	return nil
}

// MarshalYAML writes the overlap as a duration string such as "15m".
func (o Overlap) MarshalYAML() (any, error) { return FormatInterval(time.Duration(o)), nil }

// UnmarshalYAML reads okta.search_overlap, a Go duration string such as
// "15m"; Validate checks its range.
func (o *Overlap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		return fmt.Errorf("line %d: okta.search_overlap must be a duration such as 15m, from 1m to 24h", n.Line)
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		if _, nerr := strconv.Atoi(n.Value); nerr == nil {
			return fmt.Errorf("line %d: okta.search_overlap %s has no unit; write it as a duration such as %sm", n.Line, n.Value, n.Value)
		}
		return fmt.Errorf("line %d: okta.search_overlap %q is not a duration; write one such as 15m, from 1m to 24h", n.Line, n.Value)
	}
	*o = Overlap(d)
	return nil
}

var notFoundRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type config\.(\w+)`)

// sections names the YAML section each configuration type is read from.
var sections = map[string]reflect.Type{
	"Config":  reflect.TypeFor[Config](),
	"Okta":    reflect.TypeFor[Okta](),
	"Target":  reflect.TypeFor[Target](),
	"Mapping": reflect.TypeFor[Mapping](),
	"Safety":  reflect.TypeFor[Safety](),
}

var sectionNames = map[string]string{
	"Config": "the top level", "Okta": "okta", "Target": "target", "Mapping": "a mapping", "Safety": "safety",
}

// explainYAML rewrites yaml.v3's unknown-field messages into ones that list
// the known fields.
func explainYAML(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if msg := err.Error(); msg != singleLine(msg) {
			return errors.New(singleLine(msg))
		}
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		sm := notFoundRE.FindStringSubmatch(m)
		if sm == nil {
			msgs[i] = singleLine(m)
			continue
		}
		msgs[i] = fmt.Sprintf("line %s: unknown field %q in %s (known: %s)", sm[1], sm[2], sectionNames[sm[3]],
			strings.Join(yamlFields(sections[sm[3]]), ", "))
		if looksSecret(sm[2]) {
			msgs[i] += "; secrets never go in the configuration: store them with `rolesync secrets set NAME` or `rolesync keys import`"
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// singleLine keeps a yaml.v3 message on one line of valid UTF-8: it quotes
// the value it could not read as written, line breaks included, and cuts a
// long one after seven bytes, which may split a character.
func singleLine(msg string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(strings.ToValidUTF8(msg, "\uFFFD"))
}

// yamlFields lists the YAML names of a struct type's fields.
func yamlFields(t reflect.Type) []string {
	if t == nil {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// looksSecret reports whether a field name suggests a secret value.
func looksSecret(field string) bool {
	f := strings.ToLower(field)
	for _, w := range []string{"token", "secret", "password", "passphrase", "private"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}
