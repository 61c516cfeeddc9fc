package oktasim

import (
	"fmt"
	"strings"
	"time"
)

// Okta filter and search expressions (SCIM-style): `attr op "value"` joined
// with and/or and grouped with parentheses, e.g.
//
//	id eq "00g1" or id eq "00g2"
//	type eq "OKTA_GROUP" and lastMembershipUpdated gt "2025-01-01T00:00:00.000Z"
//	profile.name sw "Eng"

// attrKind says how an attribute compares.
type attrKind int

const (
	kindString attrKind = iota
	kindTime
)

// attrSpec tells the parser which attributes and operators a route accepts.
// It returns the attribute's kind, or an error naming what is wrong.
type attrSpec func(attr, op string) (attrKind, error)

// attrValue is the value of an attribute of one resource.
type attrValue struct {
	s  string
	t  time.Time
	ok bool
}

type expr interface {
	eval(get func(attr string) attrValue) bool
}

type orExpr struct{ l, r expr }
type andExpr struct{ l, r expr }
type cmpExpr struct {
	attr, op string
	kind     attrKind
	s        string
	t        time.Time
}

func (e orExpr) eval(get func(string) attrValue) bool  { return e.l.eval(get) || e.r.eval(get) }
func (e andExpr) eval(get func(string) attrValue) bool { return e.l.eval(get) && e.r.eval(get) }

func (e cmpExpr) eval(get func(string) attrValue) bool {
	v := get(e.attr)
	switch {
	case e.op == "pr":
		return v.ok && (v.s != "" || !v.t.IsZero())
	case !v.ok:
		return false
	case e.kind == kindTime:
		return !v.t.IsZero() && compareTimes(e.op, v.t, e.t)
	}
	return compareStrings(e.op, strings.ToLower(v.s), strings.ToLower(e.s))
}

// compareTimes applies a time comparison operator: a op b.
func compareTimes(op string, a, b time.Time) bool {
	switch op {
	case "eq":
		return a.Equal(b)
	case "ne":
		return !a.Equal(b)
	case "gt":
		return a.After(b)
	case "ge":
		return !a.Before(b)
	case "lt":
		return a.Before(b)
	case "le":
		return !a.After(b)
	}
	return false
}

// compareStrings applies a string comparison operator: a op b.
func compareStrings(op, a, b string) bool {
	switch op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "sw":
		return strings.HasPrefix(a, b)
	case "co":
		return strings.Contains(a, b)
	case "gt":
		return a > b
	case "ge":
		return a >= b
	case "lt":
		return a < b
	case "le":
		return a <= b
	}
	return false
}

// parseExpr parses an expression, checking attributes and operators with spec.
func parseExpr(src string, spec attrSpec) (expr, error) {
	p := &exprParser{toks: nil}
	if err := p.lex(src); err != nil {
		return nil, err
	}
	p.spec = spec
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q after a complete expression", p.toks[p.pos].text)
	}
	return e, nil
}

type token struct {
	text   string
	quoted bool
}

type exprParser struct {
	toks []token
	pos  int
	spec attrSpec
}

func (p *exprParser) lex(src string) error {
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			p.toks = append(p.toks, token{text: string(c)})
			i++
		case c == '"':
			text, next, err := lexQuoted(src, i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{text: text, quoted: true})
			i = next
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n()\"", rune(src[j])) {
				j++
			}
			p.toks = append(p.toks, token{text: src[i:j]})
			i = j
		}
	}
	if len(p.toks) == 0 {
		return fmt.Errorf("the expression is empty")
	}
	return nil
}

// lexQuoted reads the quoted value that starts at src[i], a quote, with
// backslash escapes, and returns it with the index after its closing quote.
func lexQuoted(src string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for ; j < len(src) && src[j] != '"'; j++ {
		if src[j] == '\\' && j+1 < len(src) {
			j++
		}
		b.WriteByte(src[j])
	}
	if j >= len(src) {
		return "", 0, fmt.Errorf("unterminated quoted value starting at position %d", i)
	}
	return b.String(), j + 1, nil
}

func (p *exprParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *exprParser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.pos++
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *exprParser) parseAnd() (expr, error) {
	l, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.pos++
		r, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *exprParser) parseFactor() (expr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("the expression ends where a comparison was expected")
	}
	if p.peekWord("(") {
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, fmt.Errorf("missing closing parenthesis")
		}
		p.pos++
		return e, nil
	}
	attr := p.toks[p.pos]
	if attr.quoted {
		return nil, fmt.Errorf("expected an attribute name, found the value %q", attr.text)
	}
	p.pos++
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("attribute %s has no operator", attr.text)
	}
	op := strings.ToLower(p.toks[p.pos].text)
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le", "sw", "co", "pr":
	default:
		return nil, fmt.Errorf("unknown operator %q after %s; use eq, ne, gt, ge, lt, le, sw, co or pr", p.toks[p.pos].text, attr.text)
	}
	p.pos++
	kind, err := p.spec(attr.text, op)
	if err != nil {
		return nil, err
	}
	c := cmpExpr{attr: attr.text, op: op, kind: kind}
	if op == "pr" {
		return c, nil
	}
	if p.pos >= len(p.toks) || (!p.toks[p.pos].quoted && p.toks[p.pos].text == ")") {
		return nil, fmt.Errorf("%s %s has no value", attr.text, op)
	}
	c.s = p.toks[p.pos].text
	p.pos++
	if kind == kindTime {
		t, err := time.Parse(time.RFC3339Nano, c.s)
		if err != nil {
			return nil, fmt.Errorf("%s needs a timestamp such as \"2025-01-01T00:00:00.000Z\", not %q", attr.text, c.s)
		}
		c.t = t
	}
	return c, nil
}
