package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// UnknownFieldError is a key that names no field of its section: a typo, or
// a secret that belongs in the keyring.
type UnknownFieldError struct {
	Line    int
	Field   string
	Section string   // "the top level", "okta", "target", "a mapping" or "safety"
	Known   []string // the section's fields, in the order Marshal writes them
}

// Error reads like `line 2: unknown field "domian" in okta (known: domain, auth, …)`.
func (e *UnknownFieldError) Error() string {
	msg := fmt.Sprintf("line %d: unknown field %q in %s (known: %s)", e.Line, e.Field, e.Section, strings.Join(e.Known, ", "))
	if looksSecret(e.Field) {
		msg += "; secrets never go in the configuration: store them with `rolesync secrets set NAME` or `rolesync keys import`"
	}
	return msg
}

// DuplicateFieldError is a field given twice in one section.
type DuplicateFieldError struct {
	Line, FirstLine int
	Field, Section  string
}

// Error reads like `line 4: field "domain" is set twice in okta (first at line 2); keep one`.
func (e *DuplicateFieldError) Error() string {
	return fmt.Sprintf("line %d: field %q is set twice in %s (first at line %d); keep one", e.Line, e.Field, e.Section, e.FirstLine)
}

// sectionNames names the YAML section each configuration struct is read from.
var sectionNames = map[reflect.Type]string{
	reflect.TypeFor[Config]():  "the top level",
	reflect.TypeFor[Okta]():    "okta",
	reflect.TypeFor[Target]():  "target",
	reflect.TypeFor[Mapping](): "a mapping",
	reflect.TypeFor[Safety]():  "safety",
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkNode walks n, the node a value of type t is decoded from, and
// returns in document order what the decoder would refuse: each key that
// names no field (*UnknownFieldError), each field given twice
// (*DuplicateFieldError) and each value that does not fit its field (the
// decoder's own message, on one line). Types that read themselves (Sync,
// Overlap) are left to their UnmarshalYAML.
func checkNode(n *yaml.Node, t reflect.Type) []error {
	if n == nil || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	switch {
	case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
		return checkNode(n.Content[0], t)
	case n.Kind == yaml.AliasNode:
		return checkNode(n.Alias, t)
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct && sectionNames[t] != "":
		return checkSection(n, t)
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		var errs []error
		for _, item := range n.Content {
			errs = append(errs, checkNode(item, t.Elem())...)
		}
		return errs
	}
	return decodeValue(n, t)
}

// checkSection checks the keys of one configuration section and the
// values of its fields.
func checkSection(n *yaml.Node, t reflect.Type) []error {
	section := sectionNames[t]
	fields := fieldsByName(t)
	seen := map[string]int{}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			errs = append(errs, checkMerge(v, t)...)
			continue
		}
		f, ok := fields[k.Value]
		switch {
		case !ok:
			errs = append(errs, &UnknownFieldError{Line: k.Line, Field: k.Value, Section: section, Known: yamlFields(t)})
			continue
		case seen[k.Value] != 0:
			errs = append(errs, &DuplicateFieldError{Line: k.Line, FirstLine: seen[k.Value], Field: k.Value, Section: section})
			continue
		}
		seen[k.Value] = k.Line
		errs = append(errs, checkNode(v, f.Type)...)
	}
	return errs
}

// checkMerge checks what a `<<` key merges into a section: a mapping, an
// alias of one, or a sequence of those.
func checkMerge(v *yaml.Node, t reflect.Type) []error {
	if v.Kind != yaml.SequenceNode {
		return checkNode(v, t)
	}
	var errs []error
	for _, item := range v.Content {
		errs = append(errs, checkNode(item, t)...)
	}
	return errs
}

// decodeValue decodes n into a fresh value of type t and returns the
// decoder's complaints, each on one line.
func decodeValue(n *yaml.Node, t reflect.Type) []error {
	err := n.Decode(reflect.New(t).Interface())
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if err != nil {
			return []error{errors.New(singleLine(err.Error()))}
		}
		return nil
	}
	errs := make([]error, len(te.Errors))
	for i, m := range te.Errors {
		errs[i] = errors.New(singleLine(m))
	}
	return errs
}

// fieldsByName maps the YAML names of a struct type's fields to the fields.
func fieldsByName(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

// yamlFields lists the YAML names of a struct type's fields.
func yamlFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// singleLine keeps a yaml message on one line of valid UTF-8: the decoder
// quotes the value it could not read as written, line breaks included, and
// cuts a long one after seven bytes, which may split a character.
func singleLine(msg string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(strings.ToValidUTF8(msg, "\uFFFD"))
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
