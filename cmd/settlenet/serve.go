package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/settlenet/settlenet/cmd/internal/tune"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/esdb"
)

// shutdownGrace is how long in-flight requests get to finish on SIGTERM.
const shutdownGrace = 15 * time.Second

func serve(ctx context.Context, logger *slog.Logger, args []string) error {
	cfg, err := parseConfig("serve", args)
	if err != nil {
		return err
	}
	if cfg.Store == "embedded" {
		tune.SpareProc(logger)
	}
	store, err := openStore(cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("closing the event store", "err", err)
		}
	}()
	return serveOn(ctx, logger, cfg, store)
}

// failingStore is what a store may add to the port: a signal that it
// failed and takes no more appends until it is reopened (the embedded
// store's Failed and Ping).
type failingStore interface {
	Failed() <-chan struct{}
	Ping(ctx context.Context) error
}

// serveOn runs the engine on store until ctx ends (a graceful stop, nil),
// or the HTTP server, a projection or the store fails (an error, after
// the requests under way have drained): serve then exits non-zero, and
// its supervisor (Docker's restart policy, systemd) starts it again,
// which reopens the store.
func serveOn(ctx context.Context, logger *slog.Logger, cfg config, store eventstore.Store) error {
	var storeFailed <-chan struct{} // nil: never
	if f, ok := store.(failingStore); ok {
		storeFailed = f.Failed()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// store -> domain service -> projections runner -> router (app.go).
	a, err := newApp(cfg, logger, store, reg, appOptions{})
	if err != nil {
		return err
	}
	a.start()
	// Runs after the server has drained (below) and before the store closes.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		a.stop(sctx)
	}()
	handler := a.handler

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("SettleNet is running", "open", cfg.BaseURL+"/", "store", cfg.Store, "data_dir", cfg.DataDir)
	fmt.Printf("\n  SettleNet is running: open %s/ in your browser (Ctrl-C to stop)\n\n", cfg.BaseURL)

	var failure error
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case err := <-a.failed():
		_ = srv.Close()
		return fmt.Errorf("projections: %w", err)
	case <-storeFailed:
		failure = store.(failingStore).Ping(context.Background())
		if failure == nil { // cannot happen: Ping reports the failure
			failure = errors.New("event store failed")
		}
		logger.Error("the event store failed; stopping so that a restart reopens it", "err", failure)
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(failure, fmt.Errorf("shutdown: %w", err))
	}
	return failure
}

func openStore(cfg config, logger *slog.Logger) (eventstore.Store, error) {
	switch cfg.Store {
	case "embedded":
		return embedded.Open(filepath.Join(cfg.DataDir, "events"), embedded.WithLogger(logger),
			embedded.WithTableWriteRate(cfg.StoreTableRate*(1<<20)))
	case "esdb":
		return esdb.Open(cfg.ESDBURL, esdb.WithLogger(logger))
	}
	return nil, fmt.Errorf("event store %q is not available in this build yet", cfg.Store)
}
