package search

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// glossaryJSON is the sector's bilingual glossary. It is embedded (read-only
// data, the one package-level variable here) so that both adapters and every
// binary use the same file.
//
//go:embed glossary.json
var glossaryJSON []byte

// GlossaryEntry is one concept: its English and French terms (spellings,
// plurals, acronyms).
type GlossaryEntry struct {
	EN []string `json:"en"`
	FR []string `json:"fr"`
}

// Terms lists every term of the entry, English first.
func (e GlossaryEntry) Terms() []string { return append(slices.Clone(e.EN), e.FR...) }

// Glossary finds the sector's terms in a query and offers their
// equivalents in both languages.
type Glossary struct {
	entries []GlossaryEntry
	// byFirst maps a term's first folded word to the entries' terms
	// starting with it, longest first, for a greedy longest match.
	byFirst map[string][]glossaryTerm
}

type glossaryTerm struct {
	words []string
	entry int
}

// LoadGlossary parses the embedded glossary.
func LoadGlossary() (*Glossary, error) {
	var entries []GlossaryEntry
	if err := json.Unmarshal(glossaryJSON, &entries); err != nil {
		return nil, fmt.Errorf("search: glossary: %w", err)
	}
	return NewGlossary(entries)
}

// NewGlossary builds a glossary from entries (tests use small ones).
func NewGlossary(entries []GlossaryEntry) (*Glossary, error) {
	g := &Glossary{entries: entries, byFirst: map[string][]glossaryTerm{}}
	for i, e := range entries {
		if len(e.EN) == 0 || len(e.FR) == 0 {
			return nil, fmt.Errorf("search: glossary entry %d needs both languages", i)
		}
		for _, t := range e.Terms() {
			w := Words(t)
			if len(w) == 0 {
				return nil, fmt.Errorf("search: glossary entry %d: empty term %q", i, t)
			}
			g.byFirst[w[0]] = append(g.byFirst[w[0]], glossaryTerm{words: w, entry: i})
		}
	}
	for _, ts := range g.byFirst {
		slices.SortStableFunc(ts, func(a, b glossaryTerm) int { return len(b.words) - len(a.words) })
	}
	return g, nil
}

// Entries returns the glossary's entries.
func (g *Glossary) Entries() []GlossaryEntry { return g.entries }

// Segment is a part of a query: a single word, or a glossary term found in
// the query with every equivalent (Alternatives, folded word sequences; the
// words as typed come first).
type Segment struct {
	Alternatives [][]string
}

// Expand splits folded query words into segments, matching the longest
// glossary term at each place.
func (g *Glossary) Expand(words []string) []Segment {
	var out []Segment
	for i := 0; i < len(words); {
		matched := false
		for _, t := range g.byFirst[words[i]] {
			if i+len(t.words) > len(words) || !slices.Equal(words[i:i+len(t.words)], t.words) {
				continue
			}
			seg := Segment{Alternatives: [][]string{t.words}}
			for _, other := range g.entries[t.entry].Terms() {
				w := Words(other)
				if !slices.ContainsFunc(seg.Alternatives, func(a []string) bool { return slices.Equal(a, w) }) {
					seg.Alternatives = append(seg.Alternatives, w)
				}
			}
			out = append(out, seg)
			i += len(t.words)
			matched = true
			break
		}
		if !matched {
			out = append(out, Segment{Alternatives: [][]string{{words[i]}}})
			i++
		}
	}
	return out
}

// Synonyms is the glossary as Meilisearch's synonyms setting: every term
// (lower-cased) maps to all the other terms of its entry.
func (g *Glossary) Synonyms() map[string][]string {
	out := map[string][]string{}
	for _, e := range g.entries {
		terms := e.Terms()
		for _, t := range terms {
			key := strings.ToLower(t)
			for _, o := range terms {
				o = strings.ToLower(o)
				if o != key && !slices.Contains(out[key], o) {
					out[key] = append(out[key], o)
				}
			}
		}
	}
	return out
}
