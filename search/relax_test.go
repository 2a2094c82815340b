package search

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// wordIndex is a stand-in index for Relax: documents as word lists, and a
// query finds those that hold every word of its text.
type wordIndex struct {
	docs    [][]string
	queries []Query
}

func (x *wordIndex) run(q Query) (Result, error) {
	x.queries = append(x.queries, q)
	n := 0
	for _, d := range x.docs {
		if !slices.ContainsFunc(Words(q.Text), func(w string) bool { return !slices.Contains(d, w) }) {
			n++
		}
	}
	return Result{Total: n}, nil
}

func TestRelax(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		docs       []string
		relaxed    string // "" and total 0: nothing found
		total      int
		searches   int
	}{
		{name: "every word found", text: "emploi jeunes", docs: []string{"emploi jeunes", "emploi"}, total: 1, searches: 1},
		{name: "the last word dropped", text: "emploi jeunes", docs: []string{"emploi", "emploi aines", "jeunes"}, relaxed: "emploi", total: 2, searches: 2},
		{name: "the longest part that finds something", text: "emploi jeunes Moncton", docs: []string{"emploi jeunes", "emploi"}, relaxed: "emploi jeunes", total: 1, searches: 3},
		{name: "as typed", text: "  Santé, mentale!  xyzzy ", docs: []string{"sante mentale"}, relaxed: "Santé, mentale", total: 1, searches: 3},
		{name: "the first word finds nothing", text: "xyzzy emploi", docs: []string{"emploi"}, searches: 2},
		{name: "one word", text: "xyzzy", docs: []string{"emploi"}, searches: 1},
		{name: "no text", text: "", docs: []string{"emploi"}, total: 1, searches: 1},
		{name: "stop words alone are never searched", text: "the de la xyzzy", docs: []string{"the de la"}, searches: 1},
		{name: "stop words before a word are kept", text: "the employment xyzzy", docs: []string{"the employment"}, relaxed: "the employment", total: 1, searches: 2},
		{name: "no part ends in a stop word", text: "emploi de la xyzzy", docs: []string{"emploi de la"}, relaxed: "emploi", total: 1, searches: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := &wordIndex{}
			for _, d := range tc.docs {
				x.docs = append(x.docs, Words(d))
			}
			q := Query{Text: tc.text, Types: []string{TypePost}, Cursor: EncodeCursor(20), Access: Access{Groups: []string{"g"}}}
			res, err := Relax(q, x.run)
			if err != nil {
				t.Fatal(err)
			}
			if res.Relaxed != tc.relaxed || res.Total != tc.total {
				t.Errorf("relaxed %q, total %d; want %q, %d", res.Relaxed, res.Total, tc.relaxed, tc.total)
			}
			if len(x.queries) != tc.searches {
				t.Errorf("%d searches, want %d: %v", len(x.queries), tc.searches, x.queries)
			}
			for _, got := range x.queries {
				got.Text = q.Text
				if !slices.Equal(got.Types, q.Types) || got.Cursor != q.Cursor || !slices.Equal(got.Access.Groups, q.Access.Groups) {
					t.Errorf("query %+v lost the filters, access or cursor of %+v", got, q)
				}
			}
		})
	}
}

// A long query costs a logarithmic number of searches, and bisection finds
// the longest part that finds something wherever it is.
func TestRelaxBisects(t *testing.T) {
	words := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa")
	for keep := 1; keep < len(words); keep++ {
		x := &wordIndex{docs: [][]string{words[:keep]}}
		res, err := Relax(Query{Text: strings.Join(words, " ")}, x.run)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(words[:keep], " "); res.Relaxed != want || res.Total != 1 {
			t.Errorf("keep %d: relaxed %q, total %d", keep, res.Relaxed, res.Total)
		}
		if limit := 1 + int(math.Ceil(math.Log2(float64(len(words))))); len(x.queries) > limit {
			t.Errorf("keep %d: %d searches, more than %d", keep, len(x.queries), limit)
		}
	}
}

func TestRelaxStopsAtAnError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	_, err := Relax(Query{Text: "a b c d"}, func(Query) (Result, error) {
		calls++
		if calls == 2 {
			return Result{}, boom
		}
		return Result{}, nil
	})
	if !errors.Is(err, boom) || calls != 2 {
		t.Fatalf("err %v after %d searches; want boom after 2", err, calls)
	}
	if _, err := Relax(Query{Text: "a b"}, func(Query) (Result, error) { return Result{}, ErrBadQuery }); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("err %v, want the first search's", err)
	}
}
