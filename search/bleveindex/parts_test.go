package bleveindex

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bsearch "github.com/blevesearch/bleve/v2/search"

	"github.com/settlenet/settlenet/search"
)

// A search run in parts (ranges of document numbers, collected at once)
// must answer exactly as the same search run whole over the same snapshot:
// the same hits in the same order, hits of equal score or date included,
// and the same totals and facets; and its pages must follow that order.
// (Across snapshots the order of equal hits may change, as merges
// renumber documents, so every run reads one snapshot.)
func TestPartsAnswerAsOneWhole(t *testing.T) {
	x := openIndex(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"housing", "logement", "mentoring", "clinic", "santé", "mentale", "refugee", "réfugiés", "employment", "emploi"}
	// Several batches make several segments; replaced documents leave
	// deleted ones inside the ranges.
	for b := range 8 {
		var batch []search.Document
		for i := range 200 {
			n := (b*200 + i) % 1300
			gr := r.IntN(5)
			batch = append(batch, search.Document{
				Type: []string{search.TypeThread, search.TypePost, search.TypePost}[r.IntN(3)], ID: fmt.Sprintf("d%04d", n),
				Title:    words[r.IntN(len(words))],
				Body:     words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " mentorng",
				Language: []string{"en", "fr"}[r.IntN(2)], GroupID: fmt.Sprintf("g%d", gr), GroupVisibility: []string{"open", "private"}[gr%2],
				Kind: []string{"discussion", "event"}[r.IntN(2)],
				// Few distinct dates, so that date sorts have many ties.
				CreatedAt: time.Unix(int64(1e9+r.IntN(20)*3600), 0),
			})
		}
		if err := x.Index(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	snap, m := snapshot(t, x)
	// all collects every hit of a query, whole or in parts.
	all := func(q search.Query, splitMin uint64) partResult {
		x.splitMin = splitMin
		q, _, err := q.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		p := x.plan(q)
		res, err := x.collect(ctx, snap, m, p.gate, p.sortBy, p.score, 5000, 0)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// pages reads the first pages of a query through searchIn.
	pages := func(q search.Query, splitMin uint64) []search.Hit {
		x.splitMin = splitMin
		var out []search.Hit
		for range 6 {
			nq, offset, err := q.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			res, err := x.searchIn(ctx, snap, m, nq, offset)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, res.Items...)
			if res.NextCursor == "" {
				break
			}
			q.Cursor = res.NextCursor
		}
		return out
	}
	// Parts' sums of clause scores may differ from the whole's in the last
	// bit (Bleve adds them in the order its searchers meet them), which
	// may swap hits whose scores are that close: scores are compared to
	// 12 digits, and each side's order is checked on its own.
	round := func(f float64) float64 { return math.Round(f*1e12) / 1e12 }
	ordered := func(name string, hits []*bsearch.DocumentMatch, byDate bool) {
		for i := 1; i < len(hits); i++ {
			a, b := hits[i-1], hits[i]
			var c int
			if byDate {
				c = strings.Compare(b.Sort[0], a.Sort[0])
			} else {
				c = cmp.Compare(b.Score, a.Score)
			}
			if c > 0 || c == 0 && a.IndexInternalID.Value() > b.IndexInternalID.Value() {
				t.Fatalf("%s: hit %d (%s) before hit %d (%s) out of order", name, i-1, a.ID, i, b.ID)
			}
		}
	}
	ids := func(hits []*bsearch.DocumentMatch, byDate bool) []string {
		sorted := slices.Clone(hits)
		if !byDate {
			slices.SortStableFunc(sorted, func(a, b *bsearch.DocumentMatch) int {
				return cmp.Or(cmp.Compare(round(b.Score), round(a.Score)), cmp.Compare(a.IndexInternalID.Value(), b.IndexInternalID.Value()))
			})
		}
		var out []string
		for _, h := range sorted {
			out = append(out, h.ID)
		}
		return out
	}
	hits, combos := 0, 0
	for _, text := range []string{"", "housing", "mental health", "réfugié", "mentorng", "clinic emploi"} {
		for _, f := range []search.Query{{}, {Sort: search.SortDate}, {Language: "fr"}, {GroupID: "g2"}, {Kind: "event", Types: []string{search.TypePost}}} {
			for _, a := range []search.Access{{}, {Groups: []string{"g1"}}, {All: true}} {
				q := f
				q.Text, q.Access, q.Limit = text, a, 7
				name := fmt.Sprintf("text %q filters %+v access %+v", text, f, a)
				byDate := text == "" || f.Sort == search.SortDate
				// 2, 3 and 4 parts in turn, whatever the machine's cores.
				x.cores = 2 + combos%3
				combos++
				whole, parts := all(q, 1<<62), all(q, 0)
				ordered(name+" whole", whole.hits, byDate)
				ordered(name+" parts", parts.hits, byDate)
				if whole.total != parts.total || !reflect.DeepEqual(whole.facets.result(), parts.facets.result()) ||
					!slices.Equal(ids(whole.hits, byDate), ids(parts.hits, byDate)) {
					t.Fatalf("%s: whole %d hits %v, parts %d hits %v", name, whole.total, whole.facets.result(), parts.total, parts.facets.result())
				}
				// Pages in parts are the parts' order, page after page.
				var want []string
				for _, h := range parts.hits[:min(42, len(parts.hits))] {
					want = append(want, h.ID)
				}
				var got []string
				for _, h := range pages(q, 0) {
					got = append(got, search.Key(h.Type, h.ID))
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s: pages in parts %v, want %v", name, got, want)
				}
				hits += int(whole.total)
			}
		}
	}
	if hits == 0 {
		t.Fatal("no search found anything")
	}
}

// Searches run at once must not share state: each answers as it does
// alone (under the race detector, shared sort or highlight state is also
// reported as a race).
func TestConcurrentSearchesAnswerAsAlone(t *testing.T) {
	x := openIndex(t)
	SetSplitMin(x, 0)
	x.cores = 3
	ctx := context.Background()
	var docs []search.Document
	for i := range 400 {
		docs = append(docs, search.Document{
			Type: search.TypePost, ID: fmt.Sprintf("p%d", i), Body: []string{"housing clinic", "logement santé", "mentoring housing"}[i%3],
			Language: []string{"en", "fr", "en"}[i%3], GroupID: "g", GroupVisibility: "open", Kind: "discussion",
			CreatedAt: time.Unix(int64(1e9+i*37%400), 0),
		})
	}
	if err := x.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	queries := []search.Query{
		{Text: "housing", Sort: search.SortDate}, {Text: "santé"}, {Sort: search.SortDate}, {Text: "mentorng"}, {Text: "housing clinic"},
	}
	want := make([]search.Result, len(queries))
	for i, q := range queries {
		q.Access.All = true
		res, err := x.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = res
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(queries)
				q := queries[i]
				q.Access.All = true
				res, err := x.Search(ctx, q)
				if err != nil || !reflect.DeepEqual(res, want[i]) {
					errs <- fmt.Sprintf("query %+v: %v, %+v; want %+v", queries[i], err, res, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
