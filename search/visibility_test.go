package search_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/search"
)

// TestIndexerVisibilityChanged: a change of a group's visibility re-grants
// every document of the group (the group's, its threads', their posts'),
// with hits, totals and facets following; the grant holds for threads and
// replies written after it, after a restart from the checkpoint (when the
// indexer has to find the group's threads in the log again) and after a
// rebuild from zero.
func TestIndexerVisibilityChanged(t *testing.T) {
	l := newLog(t)
	dir := filepath.Join(t.TempDir(), "index")
	idx := openIndex(t, dir)
	defer func() { _ = idx.Close() }()
	x, stop := run(t, l, idx, search.IndexerOptions{})
	l.append("member-m1", domain.MemberRegistered{MemberID: "m1", Email: "m1@example.org", PasswordHash: "h", DisplayName: "Amina", Language: "fr"})
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Harbour pilots", Description: "Harbour work.", Visibility: "open",
		Language: "en", OwnerID: "m1"})
	l.append("group-g2", domain.GroupCreated{GroupID: "g2", Name: "Rail crews", Description: "Harbour trains.", Visibility: "open",
		Language: "en", OwnerID: "m1"})
	l.append("thread-t1",
		domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", AuthorID: "m1", Title: "Harbour budget", Body: "Opening.", Language: "en", Kind: "discussion"},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", AuthorID: "m1", Body: "A harbour reply.", Language: "fr"})
	l.append("thread-t2", domain.ThreadStarted{ThreadID: "t2", GroupID: "g1", PostID: "t2.a", AuthorID: "m1", Title: "Harbour events", Body: "Soon.", Language: "en", Kind: "event"})
	l.append("thread-t3", domain.ThreadStarted{ThreadID: "t3", GroupID: "g2", PostID: "t3.a", AuthorID: "m1", Title: "Harbour line", Body: "Trains.", Language: "en", Kind: "discussion"})
	waitFor(t, x, l.last)

	outsider, member := search.Access{}, search.Access{Groups: []string{"g1"}}
	g1Docs := []string{"group:g1", "post:t1.b", "thread:t1", "thread:t2"}
	g2Docs := []string{"group:g2", "thread:t3"}
	found := func(a search.Access) []string {
		t.Helper()
		got := hits(t, idx, search.Query{Text: "harbour", Access: a, Limit: 50})
		slices.Sort(got)
		return got
	}
	sorted := func(xs ...[]string) []string {
		out := slices.Concat(xs...)
		slices.Sort(out)
		return out
	}
	check := func(when string, outsiderWant []string) {
		t.Helper()
		if got := found(outsider); !slices.Equal(got, outsiderWant) {
			t.Errorf("%s: outsider finds %v, want %v", when, got, outsiderWant)
		}
		if got, want := found(member), sorted(g1Docs, g2Docs); !slices.Equal(got, want) {
			t.Errorf("%s: member finds %v, want %v", when, got, want)
		}
		r, err := idx.Search(context.Background(), search.Query{Text: "harbour", Access: outsider, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != len(outsiderWant) || r.Facets["type"]["post"] != countPrefix(outsiderWant, "post:") ||
			r.Facets["type"]["thread"] != countPrefix(outsiderWant, "thread:") || r.Facets["type"]["group"] != countPrefix(outsiderWant, "group:") ||
			r.Facets["language"]["fr"] != countPrefix(outsiderWant, "post:t1.b") {
			t.Errorf("%s: outsider's total %d and facets %v, want %d hits", when, r.Total, r.Facets, len(outsiderWant))
		}
	}
	check("open", sorted(g1Docs, g2Docs))

	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "open", To: "private", By: "m1"})
	waitFor(t, x, l.last)
	check("open to private", g2Docs)

	// Written after the change: private from the start.
	l.append("thread-t4", domain.ThreadStarted{ThreadID: "t4", GroupID: "g1", PostID: "t4.a", AuthorID: "m1", Title: "Harbour fees", Body: "Later.", Language: "en", Kind: "discussion"})
	l.append("thread-t1", domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", AuthorID: "m1", Body: "Another harbour reply.", Language: "en"})
	waitFor(t, x, l.last)
	g1Docs = sorted(g1Docs, []string{"thread:t4", "post:t1.c"})
	check("written while private", g2Docs)

	// A restart from the checkpoint: the new indexer knows neither the
	// group's visibility nor its threads, and finds both in the log.
	if err := stop(); err != nil && err != context.Canceled {
		t.Fatal(err)
	}
	l.append("thread-t2", domain.ReplyPosted{ThreadID: "t2", GroupID: "g1", PostID: "t2.b", AuthorID: "m1", Body: "A harbour question.", Language: "en"})
	x, stop = run(t, l, idx, search.IndexerOptions{})
	waitFor(t, x, l.last)
	g1Docs = sorted(g1Docs, []string{"post:t2.b"})
	check("a reply after a restart", g2Docs)
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "private", To: "request", By: "m1"})
	waitFor(t, x, l.last)
	check("private to request", sorted(g2Docs, []string{"group:g1"})) // request: the card only
	if err := stop(); err != nil && err != context.Canceled {
		t.Fatal(err)
	}
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "request", To: "open", By: "m1"})
	x, stop = run(t, l, idx, search.IndexerOptions{})
	waitFor(t, x, l.last)
	check("request to open after a restart", sorted(g1Docs, g2Docs))

	// A rebuild from zero gives the same documents.
	before := keys(t, idx)
	if err := stop(); err != nil && err != context.Canceled {
		t.Fatal(err)
	}
	l.append("group-g1", domain.GroupVisibilityChanged{GroupID: "g1", From: "open", To: "private", By: "m1"})
	if _, err := search.NewIndexer(l.store, idx, search.IndexerOptions{}).Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, idx); !slices.Equal(got, before) {
		t.Errorf("rebuild: keys %v, want %v", got, before)
	}
	check("rebuilt after open to private", g2Docs)
}

func countPrefix(xs []string, prefix string) int {
	n := 0
	for _, s := range xs {
		if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}
