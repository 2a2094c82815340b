package bleveindex

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"mentoring", "mentoring", true}, {"mentorng", "mentoring", true}, {"mentoring", "mentorinh", true},
		{"mentoring", "mentring", true}, {"mentoring", "mentor", false}, {"mentorng", "mentoirgn", false},
		{"santé", "sante", true}, {"", "a", true}, {"ab", "ba", false},
	} {
		if got := oneEdit([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestTimeTermsSortAsTimes(t *testing.T) {
	times := []time.Time{{}, time.UnixMilli(-1), time.UnixMilli(0), time.UnixMilli(1), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	for i, tm := range times {
		if got := decodeTime(encodeTime(tm)); !got.Equal(tm) {
			t.Errorf("%v comes back as %v", tm, got)
		}
		if i > 0 && encodeTime(times[i-1]) >= encodeTime(tm) {
			t.Errorf("%v does not sort before %v", times[i-1], tm)
		}
	}
}

// Documents and queries must split text into the same words.
func TestTokenizerSplitsAsQueries(t *testing.T) {
	for _, s := range []string{"", "L'établissement d'une santé-mentale (2026)!", "e\u0301tude naïve", "x\xffy", "fin"} {
		var got []string
		for _, tok := range (wordTokenizer{}).Tokenize([]byte(s)) {
			if s[tok.Start:tok.End] != string(tok.Term) {
				t.Errorf("%q: token %q at %d-%d", s, tok.Term, tok.Start, tok.End)
			}
			got = append(got, search.Fold(string(tok.Term)))
		}
		if want := search.Words(s); !slices.Equal(got, want) {
			t.Errorf("%q: tokens %q, query words %q", s, got, want)
		}
	}
}

// An index written with another field layout is dropped at open, so that
// the indexer, finding no checkpoint, rebuilds it from the log.
func TestOldLayoutDropped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = x.Apply(ctx, search.Batch{Upserts: []search.Document{{Type: search.TypeMember, ID: "m1", Title: "Ada"}},
		Checkpoint: eventstore.Position{Commit: 3, Prepare: 3}})
	if err == nil {
		err = x.idx.SetInternal(layoutKey, []byte("1"))
	}
	if err := errors.Join(err, x.Close()); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	n, err := x.DocCount()
	if err != nil || n != 0 {
		t.Fatalf("%d documents (%v) after a layout change", n, err)
	}
	if pos, err := x.Checkpoint(ctx); err != nil || pos != eventstore.Start {
		t.Fatalf("checkpoint %v (%v) after a layout change", pos, err)
	}
}

// Facets and grants come from tables kept per segment (tables.go). While
// batches add segments, replace documents under new facets and grants and
// merges retire segments, every search's total and facets must count
// exactly the documents its viewer may see, and the tables of retired
// segments must be let go.
func TestTablesFollowSegments(t *testing.T) {
	x := openIndex(t)
	ctx := context.Background()
	kinds := []string{"discussion", "event", "resource"}
	vis := []string{"open", "private", "request"}
	docs := map[string]search.Document{}
	viewers := []search.Access{{}, {Groups: []string{"g1"}}, {Groups: []string{"g0", "g2"}}, {All: true}}
	for b := range 40 {
		var batch []search.Document
		for i := range 50 {
			// Later batches replace earlier documents under new facets
			// and in other groups.
			n := (b*50 + i) % 1200
			gr := (b + i) % 3
			d := search.Document{
				Type: search.TypePost, ID: fmt.Sprintf("p%d", n), Body: "housing clinic", Language: []string{"en", "fr"}[(b+i)%2],
				Kind: kinds[(b+n)%3], GroupID: fmt.Sprintf("g%d", gr), GroupVisibility: vis[gr], CreatedAt: time.Unix(int64(n), 0),
			}
			batch = append(batch, d)
			docs[d.Key()] = d
		}
		if err := x.Index(ctx, batch); err != nil {
			t.Fatal(err)
		}
		for _, a := range viewers {
			res, err := x.Search(ctx, search.Query{Text: "housing", Access: a})
			if err != nil {
				t.Fatal(err)
			}
			want, wantFR := 0, 0
			for _, d := range docs {
				if a.Visible(d) {
					want++
					if d.Language == "fr" {
						wantFR++
					}
				}
			}
			sum := 0
			for _, n := range res.Facets[search.FacetLanguage] {
				sum += n
			}
			if res.Total != want || res.Facets[search.FacetType][search.TypePost] != want || sum != want || res.Facets[search.FacetLanguage]["fr"] != wantFR {
				t.Fatalf("batch %d, viewer %+v: total %d, facets %v; want %d (%d in French)", b, a, res.Total, res.Facets, want, wantFR)
			}
		}
	}
	snap, _ := snapshot(t, x)
	// A view of the current snapshot lets go of the tables of segments
	// merged away since the searches above.
	segs := snap.(*scorch.IndexSnapshot).Segments()
	for _, tt := range []*termTables{x.facets, x.grants} {
		if _, err := tt.view(segs); err != nil {
			t.Fatal(err)
		}
		tt.mu.Lock()
		tables := len(tt.tables)
		tt.mu.Unlock()
		if tables > 2*len(segs)+8 {
			t.Fatalf("%s: %d tables kept for %d segments", tt.field, tables, len(segs))
		}
	}
}

// snapshot opens a reader of x's current snapshot for the test.
func snapshot(t *testing.T, x *Index) (bindex.IndexReader, mapping.IndexMapping) {
	t.Helper()
	idx, done, err := x.index()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(done)
	bi, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	snap, err := bi.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snap.Close() })
	return snap, idx.Mapping()
}

// openIndex opens an empty index, closed when the test ends.
func openIndex(t *testing.T) *Index {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	x, err := Open(filepath.Join(t.TempDir(), "index"), g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}
