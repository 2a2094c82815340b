package meili_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/meili"
	"github.com/settlenet/settlenet/search/meili/meilitest"
	"github.com/settlenet/settlenet/search/searchtest"
)

const key = "test-master-key"

func glossary(t *testing.T) *search.Glossary {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func openOn(t *testing.T, url, apiKey, uid string) *meili.Index {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	idx, err := meili.Open(ctx, meili.Config{URL: url, Key: apiKey, IndexUID: uid, Glossary: glossary(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	return idx
}

func TestConformanceTestServer(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		srv := meilitest.New(key)
		t.Cleanup(srv.Close)
		return openOn(t, srv.URL, key, "settlenet")
	})
}

var realSeq atomic.Int64

// TestConformanceReal runs the suite against a real Meilisearch, one fresh
// index per subtest, when SETTLENET_TEST_MEILI_URL (and, if the server has
// one, SETTLENET_TEST_MEILI_KEY) are set.
func TestConformanceReal(t *testing.T) {
	url := os.Getenv("SETTLENET_TEST_MEILI_URL")
	if url == "" {
		t.Skip("SETTLENET_TEST_MEILI_URL not set: the suite ran against the test server only")
	}
	apiKey := os.Getenv("SETTLENET_TEST_MEILI_KEY")
	run := time.Now().UnixNano()
	searchtest.Run(t, func(t *testing.T) search.Index {
		return openOn(t, url, apiKey, fmt.Sprintf("settlenet_test_%d_%d", run, realSeq.Add(1)))
	})
}

func TestSettingsApplied(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	openOn(t, srv.URL, key, "settlenet")
	// A second start finds the index and applies the settings again.
	openOn(t, srv.URL, key, "settlenet")
	s := srv.Settings("settlenet")
	var filterable, sortable, searchable []string
	_ = json.Unmarshal(s["filterableAttributes"], &filterable)
	_ = json.Unmarshal(s["sortableAttributes"], &sortable)
	_ = json.Unmarshal(s["searchableAttributes"], &searchable)
	for _, a := range []string{"type", "gvis", "group_id", "hidden", "language", "kind", "tags"} {
		if !slices.Contains(filterable, a) {
			t.Errorf("%s not filterable: %v", a, filterable)
		}
	}
	if !slices.Equal(sortable, []string{"created_at"}) || len(searchable) != 4 {
		t.Errorf("sortable %v searchable %v", sortable, searchable)
	}
	var loc []struct {
		Locales           []string `json:"locales"`
		AttributePatterns []string `json:"attributePatterns"`
	}
	_ = json.Unmarshal(s["localizedAttributes"], &loc)
	if len(loc) != 2 || loc[0].Locales[0] != "fra" || loc[1].Locales[0] != "eng" {
		t.Errorf("localized attributes %s", s["localizedAttributes"])
	}
	var syn map[string][]string
	_ = json.Unmarshal(s["synonyms"], &syn)
	if !slices.Contains(syn["mental health"], "santé mentale") || !slices.Contains(syn["santé mentale"], "mental health") {
		t.Errorf("glossary synonyms missing: %v", syn["mental health"])
	}
	var typo struct {
		Enabled             bool                  `json:"enabled"`
		MinWordSizeForTypos struct{ OneTypo int } `json:"minWordSizeForTypos"`
	}
	_ = json.Unmarshal(s["typoTolerance"], &typo)
	if !typo.Enabled || typo.MinWordSizeForTypos.OneTypo != 5 {
		t.Errorf("typo tolerance %s", s["typoTolerance"])
	}
}

// A failed task (WaitForTask reports it without an error) must fail Apply,
// and the checkpoint must not move.
func TestFailedTaskKeepsCheckpoint(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	idx := openOn(t, srv.URL, key, "settlenet")
	ctx := context.Background()
	p1 := eventstore.Position{Commit: 10, Prepare: 10}
	if err := idx.Apply(ctx, search.Batch{Checkpoint: p1}); err != nil {
		t.Fatal(err)
	}
	srv.FailNextTask("internal")
	d := search.Document{Type: search.TypeThread, ID: "t1", Title: "Lost", Language: "en", GroupVisibility: "open", GroupID: "g"}
	err := idx.Apply(ctx, search.Batch{Upserts: []search.Document{d}, Checkpoint: eventstore.Position{Commit: 20, Prepare: 20}})
	var te *meili.TaskError
	if !errors.As(err, &te) || te.Code != "internal" {
		t.Fatalf("Apply after a failed task: %v", err)
	}
	if p, err := idx.Checkpoint(ctx); err != nil || p != p1 {
		t.Fatalf("checkpoint %v, %v; want %v", p, err, p1)
	}
	// A failed deletion stops the batch before its documents and checkpoint.
	srv.FailNextTask("internal")
	if err := idx.Apply(ctx, search.Batch{Deletes: []string{"x"}, Upserts: []search.Document{d}, Checkpoint: eventstore.Position{Commit: 30, Prepare: 30}}); err == nil {
		t.Fatal("Apply with a failed deletion: no error")
	}
	if p, _ := idx.Checkpoint(ctx); p != p1 {
		t.Fatalf("checkpoint moved to %v", p)
	}
}

// An index whose checkpoint was written with another document layout (here
// none, as before layouts) is emptied at Open, so that the indexer rebuilds
// it from the log; one with the current layout is kept.
func TestOldLayoutDropped(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx := context.Background()
	d := search.Document{Type: search.TypeThread, ID: "t1", Title: "Kept", Language: "en", GroupVisibility: "open", GroupID: "g"}
	p1 := eventstore.Position{Commit: 10, Prepare: 10}
	count := func(idx *meili.Index) int {
		t.Helper()
		r, err := idx.Search(ctx, search.Query{Access: search.Access{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	if err := openOn(t, srv.URL, key, "settlenet").Apply(ctx, search.Batch{Upserts: []search.Document{d}, Checkpoint: p1}); err != nil {
		t.Fatal(err)
	}
	idx := openOn(t, srv.URL, key, "settlenet")
	if p, err := idx.Checkpoint(ctx); err != nil || p != p1 || count(idx) != 1 {
		t.Fatalf("same layout: checkpoint %v (%v), %d documents", p, err, count(idx))
	}

	// The checkpoint document as the adapter wrote it before layouts.
	client := meilisearch.New(srv.URL, meilisearch.WithAPIKey(key))
	pk := "key"
	info, err := client.Index("settlenet").AddDocumentsWithContext(ctx, []map[string]any{
		{"key": "settlenet_checkpoint", "type": "checkpoint", "hidden": true, "created_at": 0, "position": search.FormatPosition(p1)},
	}, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		t.Fatal(err)
	}
	if task, err := client.WaitForTaskWithContext(ctx, info.TaskUID, time.Millisecond); err != nil || task.Status != meilisearch.TaskStatusSucceeded {
		t.Fatalf("old checkpoint: %+v %v", task, err)
	}
	idx = openOn(t, srv.URL, key, "settlenet")
	if p, err := idx.Checkpoint(ctx); err != nil || p != eventstore.Start || count(idx) != 0 {
		t.Fatalf("old layout: checkpoint %v (%v), %d documents; want an empty index", p, err, count(idx))
	}
}

func TestWrongKey(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := meili.Open(ctx, meili.Config{URL: srv.URL, Key: "nope", Glossary: glossary(t)}); err == nil {
		t.Fatal("Open with a wrong key: no error")
	}
}

func TestFilterExpression(t *testing.T) {
	got := meili.Filter(search.Query{Access: search.Access{Groups: []string{`g"1`}}, Tags: []string{"Santé"}})
	want := `(type = "member" OR (type = "group" AND gvis IN ["open", "request"]) OR (type IN ["thread", "post"] AND gvis = "open") OR (type IN ["group", "thread", "post"] AND group_id IN ["g\"1"])) AND hidden = false AND tags = "sante"`
	if got != want {
		t.Fatalf("filter\n got %s\nwant %s", got, want)
	}
}
