package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/meili/meilitest"
)

// --search meilisearch opens the adapter with --meili-max-payload: a batch
// over a server's payload limit is accepted when the flag is under it.
func TestMeiliFlags(t *testing.T) {
	srv := meilitest.New("k")
	defer srv.Close()
	ctx := context.Background()
	cfg, err := parseConfig("serve", []string{"--search", "meilisearch", "--meili-url", srv.URL, "--meili-key", "k", "--meili-max-payload", "1"})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := openSearch(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	srv.SetPayloadLimit(1_500_000) // after Open's settings
	var docs []search.Document
	for i := range 80 {
		docs = append(docs, search.Document{Type: search.TypePost, ID: fmt.Sprintf("t1.p%d", i), ThreadID: "t1", Language: "en",
			Body: strings.Repeat("Affordable housing in Moncton. ", 1000), GroupID: "g", GroupVisibility: "open"})
	}
	// ~5 MB in all: refused in one request, accepted in requests of 1 MB.
	if err := idx.Apply(ctx, search.Batch{Upserts: docs, Checkpoint: eventstore.Position{Commit: 5, Prepare: 5}}); err != nil {
		t.Fatal(err)
	}
	r, err := idx.Search(ctx, search.Query{Text: "moncton", Access: search.Access{All: true}, Limit: 1})
	if err != nil || r.Total != len(docs) {
		t.Fatalf("%d found (%v), want %d", r.Total, err, len(docs))
	}
}
