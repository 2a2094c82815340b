package meilitest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/settlenet/settlenet/search"
)

// node is a parsed filter expression.
type node interface{ eval(doc map[string]any) bool }

type (
	orNode  []node
	andNode []node
	notNode struct{ n node }
	cmpNode struct {
		attr   string
		values []string
		negate bool
	}
)

func (o orNode) eval(d map[string]any) bool {
	return slices.ContainsFunc(o, func(n node) bool { return n.eval(d) })
}
func (a andNode) eval(d map[string]any) bool {
	return !slices.ContainsFunc(a, func(n node) bool { return !n.eval(d) })
}
func (n notNode) eval(d map[string]any) bool { return !n.n.eval(d) }

// eval compares as Meilisearch does for strings: case-insensitively (and
// accent-insensitively, through the same folding).
func (c cmpNode) eval(d map[string]any) bool {
	have := values(d[c.attr])
	hit := slices.ContainsFunc(have, func(h string) bool {
		return slices.ContainsFunc(c.values, func(v string) bool { return search.Fold(h) == search.Fold(v) })
	})
	return hit != c.negate
}

type parser struct {
	toks       []string
	pos        int
	filterable []string
}

func parseFilter(s string, filterable []string) (node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, filterable: filterable}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at token %d", p.toks[p.pos], p.pos)
	}
	return n, nil
}

func lex(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case strings.ContainsRune("()[],=", rune(c)):
			toks = append(toks, string(c))
			i++
		case c == '!' && i+1 < len(s) && s[i+1] == '=':
			toks = append(toks, "!=")
			i += 2
		case c == '"' || c == '\'':
			var b strings.Builder
			b.WriteByte('"')
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, b.String())
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()[],=!\"'", rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q at %d", c, i)
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) next() string { t := p.peek(); p.pos++; return t }

func (p *parser) or() (node, error) {
	var alts orNode
	for {
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		alts = append(alts, n)
		if p.peek() != "OR" {
			break
		}
		p.pos++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

func (p *parser) and() (node, error) {
	var all andNode
	for {
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		all = append(all, n)
		if p.peek() != "AND" {
			break
		}
		p.pos++
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil
}

func (p *parser) not() (node, error) {
	if p.peek() == "NOT" {
		p.pos++
		n, err := p.not()
		return notNode{n}, err
	}
	if p.peek() == "(" {
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return n, nil
	}
	attr := p.next()
	if attr == "" || strings.HasPrefix(attr, `"`) {
		return nil, fmt.Errorf("expected an attribute, got %q", attr)
	}
	if !slices.Contains(p.filterable, attr) {
		//lint:ignore ST1005 Meilisearch's own message, word for word
		return nil, fmt.Errorf("Attribute `%s` is not filterable. Available filterable attributes are: `%s`.", attr, strings.Join(p.filterable, ", "))
	}
	switch op := p.next(); op {
	case "=", "!=":
		v, err := p.value()
		return cmpNode{attr: attr, values: []string{v}, negate: op == "!="}, err
	case "IN":
		if p.next() != "[" {
			return nil, fmt.Errorf("expected [ after IN")
		}
		var vs []string
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
			t := p.next()
			if t == "]" {
				break
			}
			if t != "," {
				return nil, fmt.Errorf("expected , or ] in IN list")
			}
		}
		return cmpNode{attr: attr, values: vs}, nil
	default:
		return nil, fmt.Errorf("unsupported operator %q (the test server knows =, !=, IN)", op)
	}
}

func (p *parser) value() (string, error) {
	t := p.next()
	switch {
	case t == "" || strings.ContainsAny(t, "()[],=") || t == "!=":
		return "", fmt.Errorf("expected a value, got %q", t)
	case strings.HasPrefix(t, `"`):
		return t[1:], nil
	}
	return t, nil
}
