package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
	"github.com/settlenet/settlenet/search/meili"
)

// openSearch opens the configured search backend: Bleve in
// <data-dir>/search, or Meilisearch at --meili-url (settings applied now).
func openSearch(ctx context.Context, cfg config) (search.Index, error) {
	g, err := search.LoadGlossary()
	if err != nil {
		return nil, err
	}
	switch cfg.Search {
	case "meilisearch":
		if cfg.MeiliURL == "" {
			return nil, fmt.Errorf("--search meilisearch needs --meili-url")
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return meili.Open(ctx, meili.Config{URL: cfg.MeiliURL, Key: cfg.MeiliKey, Glossary: g, MaxPayload: cfg.MeiliMaxPayload})
	default:
		return bleveindex.Open(filepath.Join(cfg.DataDir, "search"), g)
	}
}

// searchCommand: settlenet search reindex [serve's flags] empties the
// index and rebuilds it from the whole log, printing a progress line.
// Run it with the server stopped (the embedded index is opened here).
func searchCommand(ctx context.Context, logger *slog.Logger, out io.Writer, args []string) error {
	if len(args) == 0 || args[0] != "reindex" {
		return fmt.Errorf("usage: settlenet search reindex [--data-dir D --store S --search embedded|meilisearch --meili-url U --meili-key K --meili-max-payload MB]")
	}
	cfg, err := parseConfig("search reindex", args[1:])
	if err != nil {
		return err
	}
	store, err := openStore(cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	idx, err := openSearch(ctx, cfg)
	if err != nil {
		return err
	}
	defer idx.Close()
	x := search.NewIndexer(store, idx, search.IndexerOptions{Logger: logger})
	start := time.Now()
	last := time.Time{}
	pos, err := x.Rebuild(ctx, func(n int, pos eventstore.Position) {
		if time.Since(last) < 500*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(out, "\rreindex: %d records read, at %s, %.0f records/s   ", n, pos, float64(n)/time.Since(start).Seconds())
	})
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(out, "\rreindex: done in %s, up to %s%s\n", time.Since(start).Round(time.Millisecond), pos, "          ")
	return nil
}

// runIndexer runs the search indexer until ctx ends. A failure (a record it
// cannot decode) stops indexing only; /readyz reports it through
// searchReady, and the rest of the engine keeps serving.
func runIndexer(ctx context.Context, logger *slog.Logger, x *search.Indexer) {
	if err := x.Run(ctx); err != nil && ctx.Err() == nil {
		logger.Error("search indexer stopped", "err", err)
	}
}

// searchReady is the /readyz check: the backend answers, the indexer has
// caught up and has no pending failure.
func searchReady(idx search.Index, x *search.Indexer) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := idx.Ping(ctx); err != nil {
			return err
		}
		st := x.Status()
		switch {
		case st.Error != "":
			return fmt.Errorf("search indexer at %s: %s", st.Position, st.Error)
		case !st.CaughtUp:
			return fmt.Errorf("search indexer catching up (at %s)", st.Position)
		}
		return nil
	}
}
