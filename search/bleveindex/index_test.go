package bleveindex_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
	"github.com/settlenet/settlenet/search/searchtest"
)

func open(t *testing.T) search.Index {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.Open(filepath.Join(t.TempDir(), "index"), g)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	return idx
}

// openSplit opens an index whose every search runs in parts, as a large
// index's do (three, whatever the machine's cores).
func openSplit(t *testing.T) search.Index {
	idx := open(t)
	bleveindex.SetSplitMin(idx.(*bleveindex.Index), 0)
	bleveindex.SetCores(idx.(*bleveindex.Index), 3)
	return idx
}

func TestConformance(t *testing.T) {
	t.Run("whole", func(t *testing.T) { searchtest.Run(t, open) })
	t.Run("in parts", func(t *testing.T) { searchtest.Run(t, openSplit) })
}

// A large batch is written in concurrent parts: it must still behave as
// one batch (deletes before upserts, hidden documents left out) and store
// its checkpoint.
func TestLargeBatchInParts(t *testing.T) {
	idx := open(t)
	bleveindex.SetCores(idx.(*bleveindex.Index), 3) // three parts, whatever the machine's cores
	ctx := context.Background()
	var docs []search.Document
	for i := range 3000 {
		docs = append(docs, search.Document{Type: search.TypePost, ID: fmt.Sprintf("p%04d", i), Body: "Bulk text.",
			Language: "en", GroupID: "g", GroupVisibility: "open", Hidden: i%10 == 0})
	}
	if err := idx.Index(ctx, docs[:100]); err != nil {
		t.Fatal(err)
	}
	pos := eventstore.Position{Commit: 7, Prepare: 7}
	// p0001 is deleted and upserted in the same batch: the upsert wins.
	// p0002 was indexed before and is only deleted.
	err := idx.Apply(ctx, search.Batch{Upserts: append(docs[3:], docs[1]), Deletes: []string{docs[1].Key(), docs[2].Key()}, Checkpoint: pos})
	if err != nil {
		t.Fatal(err)
	}
	n, err := idx.(*bleveindex.Index).DocCount()
	if err != nil || n != 2700-1 {
		t.Fatalf("%d documents (%v), want %d", n, err, 2700-1)
	}
	got, err := idx.Checkpoint(ctx)
	if err != nil || got != pos {
		t.Fatalf("checkpoint %v (%v), want %v", got, err, pos)
	}
	r, err := idx.Search(ctx, search.Query{Text: "bulk", Limit: 1})
	if err != nil || r.Total != 2699 || r.Facets[search.FacetType][search.TypePost] != 2699 {
		t.Fatalf("search: total %d facets %v (%v)", r.Total, r.Facets, err)
	}
}

// A typed word is matched with one edit, except where the index holds it
// as typed in many documents (see typo): then it is taken as meant.
func TestTypoToleranceSparesCommonWords(t *testing.T) {
	idx := open(t)
	ctx := context.Background()
	var docs []search.Document
	add := func(id, body string) {
		docs = append(docs, search.Document{Type: search.TypePost, ID: id, Body: body, Language: "en", GroupID: "g", GroupVisibility: "open", Kind: "discussion"})
	}
	for i := range 25 {
		add(fmt.Sprintf("housing%d", i), "Housing for newcomers")
	}
	add("hosing", "Hosing down the yard")
	add("both", "Housing, not hosing")
	add("clinic1", "A clinic downtown")
	add("clinic2", "The clinic opens Monday")
	add("clinik", "A clinik on Main Street")
	if err := idx.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	snippets := map[string]string{}
	hits := func(text string) map[string]bool {
		res, err := idx.Search(ctx, search.Query{Text: text, Limit: search.MaxLimit, Access: search.Access{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, h := range res.Items {
			out[h.ID] = true
			snippets[h.ID] = h.Snippet
		}
		return out
	}
	if h := hits("housing"); len(h) != 26 || h["hosing"] {
		t.Errorf("housing (in 26 documents) matched %d, hosing %v: want the 26 and not its one-edit neighbour", len(h), h["hosing"])
	}
	// Highlights follow what was searched: the word, not its neighbour.
	if s := snippets["both"]; s != "<mark>Housing</mark>, not hosing" {
		t.Errorf("housing: snippet %q", s)
	}
	if h := hits("clinic"); !h["clinic1"] || !h["clinic2"] || !h["clinik"] {
		t.Errorf("clinic (in 2 documents) matched %v: want its misspelling too", h)
	}
	if s := snippets["clinik"]; s != "A <mark>clinik</mark> on Main Street" {
		t.Errorf("clinic: snippet of the misspelling %q", s)
	}
	if h := hits("housng"); len(h) != 26 {
		t.Errorf("housng (a typo) matched %d documents, want 26", len(h))
	}
	if s := snippets["both"]; s != "<mark>Housing</mark>, not hosing" {
		t.Errorf("housng: snippet %q", s) // hosing is two edits from housng
	}
}

// Titles are searched with the body, in one text field per language, and
// weigh more: a word found only in a title finds the document, and ranks
// it above a document of the same length that has the word once in its
// body; snippets still come from the body alone.
func TestTitlesAreSearchedAndWeighMore(t *testing.T) {
	idx := open(t)
	ctx := context.Background()
	thread := func(id, lang, title, body string) search.Document {
		return search.Document{Type: search.TypeThread, ID: id, Title: title, Body: body, Language: lang, GroupID: "g", GroupVisibility: "open", Kind: "discussion"}
	}
	docs := []search.Document{
		thread("in-body", "en", "Weekly notes", "Notes on the orientation session for newcomer families this week."),
		thread("in-title", "en", "Orientation session", "Notes on the weekly meeting for newcomer families this week."),
		thread("fr-title", "fr", "Séance d'orientation", "Notes sur la réunion hebdomadaire des familles."),
		thread("other", "en", "Weekly notes", "Notes on the weekly meeting for newcomer families this week."),
	}
	if err := idx.Index(ctx, docs); err != nil {
		t.Fatal(err)
	}
	res, err := idx.Search(ctx, search.Query{Text: "orientation", Limit: 10, Access: search.Access{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Items {
		got = append(got, h.ID)
	}
	if len(got) != 3 || got[2] != "in-body" || !slices.Contains(got, "in-title") || !slices.Contains(got, "fr-title") {
		t.Fatalf("orientation: %v; want the two title matches, then in-body", got)
	}
	for _, h := range res.Items {
		if h.ID == "in-title" && strings.Contains(h.Snippet, "<mark>") {
			t.Errorf("in-title: snippet %q highlights the body, where the word is not", h.Snippet)
		}
	}
}

// Stemming finds inflections that typo tolerance cannot: two edits or
// more away, in words too short for two typos. (The shared suite's French
// case, "réfugiés" for "réfugié", is one edit away, which a typo-tolerant
// engine with no stemmer passes too.)
func TestStemmingBeyondTypos(t *testing.T) {
	idx := open(t)
	ctx := context.Background()
	doc := func(id, lang, body string) search.Document {
		return search.Document{Type: search.TypePost, ID: id, ThreadID: "t", Body: body, Language: lang, GroupID: "g", GroupVisibility: "open"}
	}
	if err := idx.Index(ctx, []search.Document{
		doc("fr1", "fr", "Les organismes locaux et les services sociaux de la région."),
		doc("fr2", "fr", "Un partenariat national."),
		doc("en1", "en", "Small communities in the North."),
		doc("en2", "en", "Nothing about it here."),
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ q, want string }{
		{"local", "fr1"}, {"social", "fr1"}, {"nationaux", "fr2"}, {"community", "en1"},
	} {
		r, err := idx.Search(ctx, search.Query{Text: c.q, Access: search.Access{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) != 1 || r.Items[0].ID != c.want {
			t.Errorf("%q found %+v, want %s alone", c.q, r.Items, c.want)
		}
	}
}
