package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
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
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Config{}, errors.New("parse config: the document holds only comments; start from `rolesync config export`")
		}
		return Config{}, fmt.Errorf("parse config: %s", singleLine(err.Error()))
	}
	cfg, err := decodeConfig(&doc)
	if err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	if err := onlyDocument(dec); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	return cfg, nil
}

// decodeConfig decodes the document over Default. A section that reads
// itself (sync, okta.search_overlap) and fails stops the decoding with its
// own error; otherwise every unknown field and misfit value is reported,
// in document order.
func decodeConfig(doc *yaml.Node) (Config, error) {
	cfg := Default()
	err := doc.Decode(&cfg)
	var te *yaml.TypeError
	if err != nil && !errors.As(err, &te) {
		return Config{}, errors.New(singleLine(err.Error()))
	}
	if errs := checkNode(doc, reflect.TypeFor[Config]()); len(errs) > 0 {
		return Config{}, joinErrors(errs)
	}
	if te != nil {
		return Config{}, errors.New(singleLine(strings.Join(te.Errors, "; ")))
	}
	return cfg, nil
}

// joinErrors puts several problems on one line, separated by semicolons;
// errors.As still finds each of them.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return semicolonJoin(errs)
}

type semicolonJoin []error

func (e semicolonJoin) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e semicolonJoin) Unwrap() []error { return e }

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
