package bleveindex_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/settlenet/settlenet/search"
)

// The permission and the broad filters check the text's hits apart from
// the conjunction (at the gate, gate.go). Over an index of several segments and
// every kind of viewer and filter, a search must give exactly the hits,
// total and facets of the same search by staff with no filter, narrowed
// here by search.Access.Visible and the filters' own definitions.
func TestFiltersMatchTheReference(t *testing.T) {
	for _, mode := range []struct {
		name string
		open func(*testing.T) search.Index
	}{{"whole", open}, {"in parts", openSplit}} {
		t.Run(mode.name, func(t *testing.T) {
			idx := mode.open(t)
			ctx := context.Background()
			r := rand.New(rand.NewPCG(7, 8))
			words := []string{"housing", "webinar", "logement", "mentoring", "funding", "santé", "clinic", "rapport"}
			docs := map[string]search.Document{}
			// Several batches, so that the index has several segments.
			for b := range 6 {
				var batch []search.Document
				for i := range 150 {
					n := b*150 + i
					g := r.IntN(6)
					d := search.Document{
						Type: []string{search.TypeThread, search.TypePost, search.TypePost, search.TypeGroup}[r.IntN(4)], ID: fmt.Sprintf("d%04d", n),
						Body:     words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " and more",
						Language: []string{"en", "fr", "en"}[r.IntN(3)], GroupID: fmt.Sprintf("g%d", g),
						GroupVisibility: []string{"open", "request", "private"}[g%3], Kind: []string{"discussion", "event", "resource"}[r.IntN(3)],
						Tags: []string{[]string{"a", "b"}[r.IntN(2)]}, CreatedAt: time.Unix(int64(1e9+n*60), 0),
					}
					if d.Type == search.TypeGroup {
						d.Kind, d.Language = "", "bilingual"
					}
					docs[d.Key()] = d
					batch = append(batch, d)
				}
				if err := idx.Index(ctx, batch); err != nil {
					t.Fatal(err)
				}
			}
			all := func(q search.Query) []search.Hit {
				var hits []search.Hit
				q.Limit = search.MaxLimit
				for {
					res, err := idx.Search(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					hits = append(hits, res.Items...)
					if res.NextCursor == "" {
						return hits
					}
					q.Cursor = res.NextCursor
				}
			}
			viewers := []search.Access{{}, {Groups: []string{"g1"}}, {Groups: []string{"g2", "g5", "g0"}}, {All: true}}
			for _, text := range []string{"", "housing", "logement", "webinar funding", "santé"} {
				for _, f := range []search.Query{{}, {Language: "fr"}, {Kind: "event"}, {Types: []string{search.TypePost, search.TypeGroup}},
					{GroupID: "g2"}, {Tags: []string{"b"}}, {Language: "en", Kind: "resource", GroupID: "g4"}} {
					f.Text = text
					ref := f
					ref.Access, ref.Language, ref.Kind, ref.Types, ref.GroupID, ref.Tags = search.Access{All: true}, "", "", nil, "", nil
					refHits := all(ref)
					for _, a := range viewers {
						q := f
						q.Access = a
						var want []string
						facets := map[string]map[string]int{search.FacetType: {}, search.FacetLanguage: {}, search.FacetKind: {}}
						for _, h := range refHits {
							d := docs[search.Key(h.Type, h.ID)]
							if !a.Visible(d) || q.Language != "" && d.Language != q.Language || q.Kind != "" && d.Kind != q.Kind ||
								len(q.Types) > 0 && !slices.Contains(q.Types, d.Type) || q.GroupID != "" && d.GroupID != q.GroupID ||
								len(q.Tags) > 0 && !slices.Contains(d.Tags, q.Tags[0]) {
								continue
							}
							want = append(want, d.Key())
							facets[search.FacetType][d.Type]++
							facets[search.FacetLanguage][d.Language]++
							if d.Kind != "" {
								facets[search.FacetKind][d.Kind]++
							}
						}
						res, err := idx.Search(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						var got []string
						for _, h := range all(q) {
							got = append(got, search.Key(h.Type, h.ID))
						}
						slices.Sort(got)
						slices.Sort(want)
						name := fmt.Sprintf("text %q filters %+v access %+v", text, f, a)
						if !slices.Equal(got, want) || res.Total != len(want) {
							t.Fatalf("%s: %d hits (total %d), want %d", name, len(got), res.Total, len(want))
						}
						for _, fname := range slices.Collect(maps.Keys(facets)) {
							for v, n := range facets[fname] {
								if res.Facets[fname][v] != n {
									t.Fatalf("%s: facet %s=%s is %d, want %d", name, fname, v, res.Facets[fname][v], n)
								}
							}
							if len(res.Facets[fname]) != len(facets[fname]) {
								t.Fatalf("%s: facet %s is %v, want %v", name, fname, res.Facets[fname], facets[fname])
							}
						}
					}
				}
			}
		})
	}
}
