package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	fastjson "github.com/goccy/go-json"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/engagement"
	"github.com/settlenet/settlenet/transport/i18n"
	"github.com/settlenet/settlenet/transport/live"
	"github.com/settlenet/settlenet/transport/web"
)

// engagementFlush is how often page views and sessions are rolled up.
const engagementFlush = time.Minute

// app is the engine assembled over a store: command service, projections
// runner, engagement tally and HTTP handler. start runs its goroutines
// under an owner; stop ends them in order.
type app struct {
	logger  *slog.Logger
	service *domain.Service
	runner  *projections.Runner
	tally   *engagement.Tally
	handler http.Handler
	// hub and feed are GET /api/v1/live: the feed follows the log on its
	// own subscription and pushes to the hub's connections.
	hub  *live.Hub
	feed *live.Feed
	// index and indexer are search (search.go): the indexer follows the
	// log into the index; stop closes the index after the indexer ends.
	index   search.Index
	indexer *search.Indexer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	runErr chan error
}

// appOptions are the knobs tests turn.
type appOptions struct {
	argon2 auth.Argon2Params
	limits api.Limits
}

func newApp(cfg config, logger *slog.Logger, store eventstore.Store, reg *prometheus.Registry, o appOptions) (*app, error) {
	if o.argon2 == (auth.Argon2Params{}) {
		o.argon2 = auth.DefaultArgon2
	}
	if o.limits == (api.Limits{}) {
		o.limits = api.DefaultLimits
	}
	// One codec for every reader of the log. goccy/go-json decodes the
	// payloads 3.5-4x faster than encoding/json (projections' differential
	// fuzz test holds it to the same results); the service's loads, the
	// projections, the indexer, the live feed and session lookups all
	// decode every event they read.
	svc := domain.NewService(store, domain.Options{Codec: domain.NewCodec(domain.WithUnmarshaler(fastjson.Unmarshal))})
	runner := projections.New(store, projections.Options{Codec: svc.Codec(), Logger: logger})
	index, err := openSearch(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	indexer := search.NewIndexer(store, index, search.IndexerOptions{Codec: svc.Codec(), Logger: logger})
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	errs := api.NewErrors(cat, logger)
	hasher, err := auth.NewHasher(o.argon2)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	tally := engagement.New(svc, host+"/"+cfg.Addr, logger, nil)
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("--base-url: %w", err)
	}
	sessions := auth.NewSessions(auth.SessionOptions{
		Secure:   u.Scheme == "https",
		Lookups:  auth.ReadSideFirst(runner, store, svc.Codec()),
		Commands: svc,
		WaitFor:  runner.WaitWithin(5 * time.Second),
		OnStart:  tally.Session,
	})
	apiSrv, err := api.New(api.Deps{
		Commands: svc, Reads: runner, Sessions: sessions, Hasher: hasher, Catalog: cat, Errors: errs,
		Logger: logger, BaseURL: cfg.BaseURL, AdminEmails: api.ParseAdminEmails(cfg.AdminEmails), Limits: o.limits,
		Search: index, Indexed: indexer,
	})
	if err != nil {
		return nil, err
	}
	hub, err := live.NewHub(live.Options{Logger: logger, Errors: errs, BaseURL: cfg.BaseURL})
	if err != nil {
		return nil, err
	}
	feed := live.NewFeed(live.FeedOptions{Store: store, Reads: runner, Hub: hub, Codec: svc.Codec(), Logger: logger})
	pageKey, err := formKey(cfg, svc)
	if err != nil {
		return nil, err
	}
	pages, err := web.New(web.Deps{
		Commands: svc, Reads: runner, Sessions: sessions, Hasher: hasher, Catalog: cat, Errors: errs, Logger: logger,
		BaseURL: cfg.BaseURL, AdminEmails: api.ParseAdminEmails(cfg.AdminEmails), Limiters: apiSrv.Limiters(), Live: true,
		Search: pageSearch{api: apiSrv}, Marks: apiSrv, CSRFKey: pageKey,
	})
	if err != nil {
		return nil, err
	}
	handler, err := transport.NewRouter(transport.Options{
		Logger: logger, Registry: reg, API: apiSrv, Errors: errs, Tally: tally, Web: pages,
		TrustedProxies: strings.FieldsFunc(cfg.TrustedProxies, func(r rune) bool { return r == ',' || r == ' ' }),
		Live:           hub.Handlers(sessions.Middleware(func(c *gin.Context, err error) { errs.Abort(c, err) })),
		Checks: []transport.Check{
			{Name: "event_store", Fn: storeReady(store)},
			{Name: "projections", Fn: func(context.Context) error { return projectionsReady(runner) }},
			{Name: "search", Fn: searchReady(index, indexer)},
		},
	})
	if err != nil {
		return nil, err
	}
	return &app{logger: logger, service: svc, runner: runner, tally: tally, handler: handler, hub: hub, feed: feed, index: index, indexer: indexer}, nil
}

// storeReady is the store's Ping when it has one (the embedded store's
// reports a failed write, after which reads still work), else a read.
func storeReady(store eventstore.Store) func(context.Context) error {
	if p, ok := store.(interface{ Ping(context.Context) error }); ok {
		return p.Ping
	}
	return func(ctx context.Context) error {
		_, err := store.ReadAll(ctx, eventstore.Start, 1)
		return err
	}
}

// projectionsReady explains what is not ready.
func projectionsReady(r *projections.Runner) error {
	if r.Ready() {
		return nil
	}
	var parts []string
	for _, s := range r.Status() {
		switch {
		case s.Error != "":
			parts = append(parts, fmt.Sprintf("%s failed at %s: %s", s.Name, s.Position, s.Error))
		case !s.CaughtUp:
			parts = append(parts, s.Name+" catching up")
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "catching up")
	}
	return errors.New(strings.Join(parts, "; "))
}

// start runs the projections and the engagement flusher.
func (a *app) start() {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.runErr = make(chan error, 1)
	a.wg.Go(func() {
		if err := a.runner.Run(ctx); err != nil {
			a.logger.Error("projections stopped", "err", err)
			a.runErr <- err
		}
	})
	a.wg.Go(func() { a.tally.Run(ctx, engagementFlush) })
	a.wg.Go(func() { runIndexer(ctx, a.logger, a.indexer) })
	a.wg.Go(func() {
		if err := a.hub.Run(ctx); err != nil {
			a.logger.Error("live hub stopped", "err", err)
		}
	})
	a.wg.Go(func() {
		if err := a.feed.Run(ctx); err != nil && ctx.Err() == nil {
			a.logger.Error("live feed stopped", "err", err)
		}
	})
}

// failed reports a projections runner that stopped on a store failure.
func (a *app) failed() <-chan error { return a.runErr }

// stop flushes the last roll-up (after the HTTP server has drained), then
// stops the goroutines and waits for them.
func (a *app) stop(ctx context.Context) {
	if err := a.tally.Flush(ctx); err != nil {
		a.logger.Error("final engagement roll-up", "err", err)
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	if err := a.index.Close(); err != nil {
		a.logger.Error("closing the search index", "err", err)
	}
}

// formKey is the key of the pages' form tokens: the configured one, else
// the one every instance on this store shares, so that a form rendered by
// one instance may be posted to another and forms outlive restarts.
func formKey(cfg config, svc *domain.Service) ([]byte, error) {
	if cfg.FormKey != "" {
		return base64.StdEncoding.DecodeString(cfg.FormKey)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	k, err := svc.SiteKey(ctx, "forms")
	if err != nil {
		return nil, fmt.Errorf("form key: %w", err)
	}
	return k, nil
}
