package search_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/search"
)

// TestIndexerThreadEdited: after an edit the thread's document and its
// posts' carry the new title, tags and details; the old title and details
// are found no more; a hidden reply stays out; a later edit of a reply
// keeps the new title.
func TestIndexerThreadEdited(t *testing.T) {
	l := newLog(t)
	idx := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	x, _ := run(t, l, idx, search.IndexerOptions{})

	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Library", Description: "Resources.", Visibility: "open", Language: "en", OwnerID: "m1"})
	l.append("thread-t1",
		domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", AuthorID: "m1", Title: "Harbour orientation guide",
			Body: "A guide for newcomers.", Language: "en", Kind: domain.KindResource, Tags: []string{"guides"},
			Resource: &domain.ResourceDetails{URL: "https://example.org/old", Format: "Spreadsheet"}},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", AuthorID: "m2", Body: "Thanks for sharing.", Language: "en"},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", AuthorID: "m2", Body: "Spam spam.", Language: "en"},
		domain.PostHidden{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", By: "m1", Reason: "spam"},
	)
	waitFor(t, x, l.last)
	all := search.Access{All: true}
	find := func(text string) []string { return hits(t, idx, search.Query{Text: text, Access: all}) }
	if got := find("harbour"); !slices.Contains(got, "thread:t1") {
		t.Fatalf("before the edit: %v", got)
	}

	l.append("thread-t1", domain.ThreadEdited{ThreadID: "t1", GroupID: "g1", Title: "Lighthouse orientation guide", Tags: []string{"wayfinding"},
		Resource: &domain.ResourceDetails{URL: "https://example.org/new", Format: "PDF"},
		Changed:  []string{domain.ChangedTitle, domain.ChangedTags, domain.ChangedResource}, EditorID: "m1", AuthorID: "m1"})
	waitFor(t, x, l.last)
	if got := find("harbour"); len(got) != 0 {
		t.Fatalf("the old title is still found: %v", got)
	}
	if got := find("spreadsheet"); len(got) != 0 {
		t.Fatalf("the old details are still found: %v", got)
	}
	if got := find("lighthouse"); !slices.Contains(got, "thread:t1") {
		t.Fatalf("the new title is not found: %v", got)
	}
	tagged := hits(t, idx, search.Query{Tags: []string{"wayfinding"}, Access: all})
	slices.Sort(tagged)
	if !slices.Equal(tagged, []string{"post:t1.b", "thread:t1"}) {
		t.Fatalf("documents with the new tag: %v (the hidden reply must stay out)", tagged)
	}
	if got := hits(t, idx, search.Query{Tags: []string{"guides"}, Access: all}); len(got) != 0 {
		t.Fatalf("documents with the old tag: %v", got)
	}
	r, err := idx.Search(t.Context(), search.Query{Text: "thanks sharing", Access: all})
	if err != nil || len(r.Items) != 1 || r.Items[0].Title != "Lighthouse orientation guide" {
		t.Fatalf("a reply names its thread by the old title: %+v %v", r.Items, err)
	}

	// A later edit of a reply rebuilds it from the stream: the new title stays.
	l.append("thread-t1", domain.PostEdited{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", Body: "Thanks for sharing this.", EditorID: "m2"})
	waitFor(t, x, l.last)
	if got := hits(t, idx, search.Query{Tags: []string{"wayfinding"}, Types: []string{search.TypePost}, Access: all}); !slices.Equal(got, []string{"post:t1.b"}) {
		t.Fatalf("an edited reply lost the thread's new tags: %v", got)
	}

	// Rebuilt from the log: the same.
	if _, err := x.Rebuild(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if got := find("harbour"); len(got) != 0 {
		t.Fatalf("after a rebuild the old title is found: %v", got)
	}
	if got := find("lighthouse"); !slices.Contains(got, "thread:t1") {
		t.Fatalf("after a rebuild the new title is not found: %v", got)
	}
}
