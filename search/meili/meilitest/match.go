package meilitest

import (
	"slices"
	"unicode"

	"github.com/settlenet/settlenet/search"
)

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// matcher is the simplified query semantics described in the package doc.
type matcher struct {
	segments       [][][]string // segment -> alternatives -> words
	last           int          // index of the segment holding the last typed word
	searchable     []string
	oneTypo, twoTy int
	typos          bool
}

func newMatcher(ix *index, q string) *matcher {
	m := &matcher{searchable: ix.strings("searchableAttributes"), oneTypo: 5, twoTy: 9, typos: true}
	var tt struct {
		Enabled             *bool `json:"enabled"`
		MinWordSizeForTypos struct {
			OneTypo  int `json:"oneTypo"`
			TwoTypos int `json:"twoTypos"`
		} `json:"minWordSizeForTypos"`
	}
	ix.setting("typoTolerance", &tt)
	if tt.Enabled != nil {
		m.typos = *tt.Enabled
	}
	if tt.MinWordSizeForTypos.OneTypo > 0 {
		m.oneTypo = tt.MinWordSizeForTypos.OneTypo
	}
	if tt.MinWordSizeForTypos.TwoTypos > 0 {
		m.twoTy = tt.MinWordSizeForTypos.TwoTypos
	}
	var syn map[string][]string
	ix.setting("synonyms", &syn)
	byFirst := map[string][][2][][]string{}
	for k, vs := range syn {
		kw := search.Words(k)
		if len(kw) == 0 {
			continue
		}
		var alts [][]string
		for _, v := range vs {
			if w := search.Words(v); len(w) > 0 {
				alts = append(alts, w)
			}
		}
		byFirst[kw[0]] = append(byFirst[kw[0]], [2][][]string{{kw}, alts})
	}
	words := search.Words(q)
	for i := 0; i < len(words); {
		best := -1
		var alts [][]string
		for _, e := range byFirst[words[i]] {
			kw := e[0][0]
			if len(kw) > best && i+len(kw) <= len(words) && slices.Equal(words[i:i+len(kw)], kw) {
				best, alts = len(kw), e[1]
			}
		}
		if best < 0 {
			m.segments = append(m.segments, [][]string{{words[i]}})
			i++
			continue
		}
		m.segments = append(m.segments, append([][]string{words[i : i+best]}, alts...))
		i += best
	}
	m.last = len(m.segments) - 1
	return m
}

// match reports whether every segment matches the document, with a score
// and the document words that matched (for highlighting).
func (m *matcher) match(d map[string]any) (int, map[string]bool, bool) {
	hits := map[string]bool{}
	if len(m.segments) == 0 {
		return 0, hits, true
	}
	// doc words with the rank of the best attribute they appear in
	rank := map[string]int{}
	attrs := m.searchable
	if len(attrs) == 0 || slices.Contains(attrs, "*") {
		attrs = nil
		for k := range d {
			attrs = append(attrs, k)
		}
		slices.Sort(attrs)
	}
	for i, a := range attrs {
		s, _ := d[a].(string)
		for _, w := range search.Words(s) {
			if r, ok := rank[w]; !ok || i < r {
				rank[w] = i
			}
		}
	}
	total := 0
	for si, seg := range m.segments {
		best := -1
		for ai, alt := range seg {
			score := 0
			ok := true
			var matched []string
			for wi, w := range alt {
				s, dws := m.word(w, rank, ai == 0, ai == 0 && si == m.last && wi == len(alt)-1)
				if s == 0 {
					ok = false
					break
				}
				score += s
				matched = append(matched, dws...)
			}
			if ok {
				for _, dw := range matched {
					hits[dw] = true
				}
				best = max(best, score)
			}
		}
		if best < 0 {
			return 0, nil, false
		}
		total += best
	}
	return total, hits, true
}

// word scores a query word against the document words: exact 3, prefix
// (last typed word) 2, within the typo budget (typed words) 1; plus one if
// the best match is in the first searchable attribute.
func (m *matcher) word(w string, rank map[string]int, typed, last bool) (int, []string) {
	best := 0
	var dws []string
	budget := 0
	if typed && m.typos {
		n := len([]rune(w))
		switch {
		case n >= m.twoTy:
			budget = 2
		case n >= m.oneTypo:
			budget = 1
		}
	}
	for dw, r := range rank {
		s := 0
		switch {
		case dw == w:
			s = 3
		case last && len(dw) > len(w) && dw[:len(w)] == w:
			s = 2
		case budget > 0 && distance(w, dw, budget) <= budget:
			s = 1
		}
		if s == 0 {
			continue
		}
		if r == 0 {
			s++
		}
		dws = append(dws, dw)
		best = max(best, s)
	}
	return best, dws
}

// distance is the optimal string alignment distance (a transposition is one
// edit, as in Meilisearch), capped: anything above limit returns limit+1.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}
