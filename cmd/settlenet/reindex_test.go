package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
	"github.com/settlenet/settlenet/transport/auth"
)

// TestSearchReindex: `settlenet search reindex` empties the index and
// rebuilds it from the log, printing its progress: afterwards the index
// holds the documents the live indexer had made of the demo community, and
// finds what it found before.
func TestSearchReindex(t *testing.T) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	cfg, err := parseConfig("seed", []string{"--data-dir", dir})
	if err != nil {
		t.Fatal(err)
	}
	cheap := auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	if err := seedDemo(ctx, logger, cfg, cheap); err != nil {
		t.Fatal(err)
	}
	everything := search.Query{Text: "sante mentale", Access: search.Access{All: true}, Limit: 100}
	keys := func(r search.Result) []string {
		var out []string
		for _, h := range r.Items {
			out = append(out, h.Type+":"+h.ID)
		}
		slices.Sort(out)
		return out
	}

	// The live indexer's index of the demo.
	store, err := openStore(cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(cfg, logger, store, prometheus.NewRegistry(), appOptions{argon2: cheap})
	if err != nil {
		t.Fatal(err)
	}
	a.start()
	for deadline := time.Now().Add(20 * time.Second); !a.indexer.Status().CaughtUp; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the indexer did not catch up: %+v", a.indexer.Status())
		}
	}
	live, err := a.index.Search(ctx, everything)
	if err != nil {
		t.Fatal(err)
	}
	liveCount, err := a.index.(*bleveindex.Index).DocCount()
	if err != nil {
		t.Fatal(err)
	}
	a.stop(ctx)
	store.Close()
	if len(live.Items) == 0 || liveCount == 0 {
		t.Fatalf("the demo's index is empty: %d documents, %+v", liveCount, live)
	}

	var out bytes.Buffer
	if err := searchCommand(ctx, logger, &out, []string{"reindex", "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "records read, at ") || !strings.Contains(out.String(), "reindex: done in ") {
		t.Fatalf("no progress line: %q", out.String())
	}

	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.Open(filepath.Join(dir, "search"), g)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	n, err := idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	again, err := idx.Search(ctx, everything)
	if err != nil {
		t.Fatal(err)
	}
	if n != liveCount || !slices.Equal(keys(again), keys(live)) || again.Total != live.Total {
		t.Fatalf("after reindex: %d documents, hits %v (total %d); the live indexer had %d, %v (total %d)",
			n, keys(again), again.Total, liveCount, keys(live), live.Total)
	}
}
