// Package transporttest is the engine assembled over an embedded store (or a
// store the caller opened) the way serve assembles it: command service,
// projections runner, catalog, error mapper, hasher, engagement tally,
// sessions, JSON API and router, and on request the HTML pages, the live
// hub and feed, and search (a Bleve index fed by the indexer). It is for
// the tests of transport and its packages and for the benchmark servers,
// which must not each wire the engine by hand; cmd/settlenet keeps its own
// wiring (flags, checks, production defaults).
//
// Start builds and starts an engine and answers it with a Close that stops
// everything it started, in order; New does the same for a test, failing
// it on error and closing the engine in its cleanup.
package transporttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	fastjson "github.com/goccy/go-json"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
	"github.com/settlenet/settlenet/transport"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/engagement"
	"github.com/settlenet/settlenet/transport/httperr"
	"github.com/settlenet/settlenet/transport/i18n"
	"github.com/settlenet/settlenet/transport/live"
	"github.com/settlenet/settlenet/transport/web"
)

// CheapArgon2 keeps logins fast in tests and benchmarks; the production
// cost is a deployment knob.
var CheapArgon2 = auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// TallyNode is the node name of the engagement tally's roll-ups.
const TallyNode = "test"

// feedStart bounds the wait for the live feed's subscription.
const feedStart = 10 * time.Second

// Options are the variations callers need. The zero value is the JSON API
// over a fresh embedded store, with no rate limits.
type Options struct {
	// Store is the event store; the caller keeps it (Close leaves it
	// open). Nil opens an embedded store in Dir/events, which Close closes.
	Store eventstore.Store
	// Dir holds what the engine opens itself (the embedded store, the
	// search index). New defaults it to a fresh temporary directory.
	Dir string
	// Logger defaults to one that discards.
	Logger *slog.Logger
	// Argon2 is the password hashing cost; zero means CheapArgon2.
	Argon2 auth.Argon2Params
	// Limits are the API's and the pages' rates; zero specs disable a limit.
	Limits api.Limits
	// Now is the clock of the API and the pages (default time.Now); the
	// domain keeps the real one.
	Now func() time.Time
	// BaseURL is the site's public URL (origin checks, links); with Listen
	// it defaults to the listener's.
	BaseURL     string
	AdminEmails []string
	// Search wires GET /api/v1/search to a Bleve index in Dir/search fed by
	// the indexer.
	Search bool
	// Live serves GET /api/v1/live: the hub, and the feed that follows the
	// log into it. Start returns once the feed is subscribed.
	Live bool
	// Hub tunes the hub; Logger, Errors and BaseURL default to the engine's.
	Hub live.Options
	// FeedRetry is the feed's pause before resubscribing (live.FeedOptions.Retry).
	FeedRetry time.Duration
	// Pages serves the HTML pages (transport/web).
	Pages bool
	// NoMetrics leaves out the request metrics (and GET /metrics), and
	// NoTally the engagement tally (page views, sessions): what the
	// benchmark servers measure without.
	NoMetrics, NoTally bool
	// Listen serves the handler on a loopback port (URL); Close shuts that
	// server first.
	Listen bool
}

// Engine is an assembled, running engine. Fields are nil for what its
// options left out. The tally counts but is not flushed on a timer (serve
// flushes it every minute): a caller that wants the roll-up calls
// Tally.Flush.
type Engine struct {
	Store    eventstore.Store
	Service  *domain.Service
	Runner   *projections.Runner
	Catalog  *i18n.Catalog
	Errors   *httperr.Mapper
	Hasher   *auth.Hasher
	Tally    *engagement.Tally
	Sessions *auth.Sessions
	Registry *prometheus.Registry
	API      *api.Server
	Pages    *web.Server
	Hub      *live.Hub
	Feed     *live.Feed
	Index    search.Index
	Indexer  *search.Indexer
	Handler  http.Handler
	// URL is the listener's ("http://127.0.0.1:port") with Listen.
	URL string

	logger   *slog.Logger
	ownStore bool // Close closes Store
	// The listener and its server (Listen); serveResult is what Serve
	// returned.
	ln          net.Listener
	srv         *http.Server
	serveResult chan error
	// cancel ends the goroutines wg waits for; stopIndex ends the
	// indexer's alone.
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	stopIndex func()
	closeOnce sync.Once
	closeErr  error
}

// New starts an engine for a test and closes it in the test's cleanup
// (after the cleanups registered later, such as a server in front of it).
func New(tb testing.TB, o Options) *Engine {
	tb.Helper()
	if o.Dir == "" {
		o.Dir = tb.TempDir()
	}
	e, err := Start(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("closing the engine: %v", err)
		}
	})
	return e
}

// Start assembles the engine and runs its goroutines (projections, and as
// asked the indexer, hub, feed and listener) until Close or the end of ctx.
func Start(ctx context.Context, o Options) (*Engine, error) {
	e := &Engine{logger: o.Logger, stopIndex: func() {}}
	if e.logger == nil {
		e.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := e.assemble(o); err != nil {
		return nil, errors.Join(err, e.Close())
	}
	if err := e.run(ctx, o); err != nil {
		return nil, errors.Join(err, e.Close())
	}
	return e, nil
}

func (e *Engine) assemble(o Options) error {
	if o.Argon2 == (auth.Argon2Params{}) {
		o.Argon2 = CheapArgon2
	}
	e.Store = o.Store
	if e.Store == nil {
		if o.Dir == "" {
			return errors.New("transporttest: no store and no Dir to open one in")
		}
		s, err := embedded.Open(filepath.Join(o.Dir, "events"))
		if err != nil {
			return err
		}
		e.Store, e.ownStore = s, true
	}
	if o.Listen {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		e.ln, e.URL = ln, "http://"+ln.Addr().String()
		if o.BaseURL == "" {
			o.BaseURL = e.URL
		}
	}
	logger := e.logger
	// The codec serve uses (goccy/go-json decoding; see cmd/settlenet/app.go).
	e.Service = domain.NewService(e.Store, domain.Options{Codec: domain.NewCodec(domain.WithUnmarshaler(fastjson.Unmarshal))})
	codec := e.Service.Codec()
	e.Runner = projections.New(e.Store, projections.Options{Codec: codec, Logger: logger})
	var err error
	if e.Catalog, err = i18n.New(); err != nil {
		return err
	}
	e.Errors = api.NewErrors(e.Catalog, logger)
	if e.Hasher, err = auth.NewHasher(o.Argon2); err != nil {
		return err
	}
	var onStart func()
	if !o.NoTally {
		e.Tally = engagement.New(e.Service, TallyNode, logger, nil)
		onStart = e.Tally.Session
	}
	e.Sessions = auth.NewSessions(auth.SessionOptions{
		Lookups:  auth.ReadSideFirst(e.Runner, e.Store, codec),
		Commands: e.Service, WaitFor: e.Runner.WaitWithin(5 * time.Second), OnStart: onStart,
	})
	deps := api.Deps{
		Commands: e.Service, Reads: e.Runner, Sessions: e.Sessions, Hasher: e.Hasher, Catalog: e.Catalog, Errors: e.Errors,
		Logger: logger, BaseURL: o.BaseURL, AdminEmails: o.AdminEmails, Limits: o.Limits, Now: o.Now,
	}
	if o.Search {
		if err := e.openSearch(o.Dir); err != nil {
			return err
		}
		deps.Search, deps.Indexed = e.Index, e.Indexer
	}
	if e.API, err = api.New(deps); err != nil {
		return err
	}
	ro := transport.Options{Logger: logger, API: e.API, Errors: e.Errors, Tally: e.Tally}
	if !o.NoMetrics {
		e.Registry = prometheus.NewRegistry()
		ro.Registry = e.Registry
	}
	if o.Live {
		ho := o.Hub
		if ho.Logger == nil {
			ho.Logger = logger
		}
		if ho.Errors == nil {
			ho.Errors = e.Errors
		}
		if ho.BaseURL == "" {
			ho.BaseURL = o.BaseURL
		}
		if e.Hub, err = live.NewHub(ho); err != nil {
			return err
		}
		e.Feed = live.NewFeed(live.FeedOptions{Store: e.Store, Reads: e.Runner, Hub: e.Hub, Codec: codec, Logger: logger,
			Retry: o.FeedRetry})
		ro.Live = e.Hub.Handlers(e.Sessions.Middleware(func(c *gin.Context, err error) { e.Errors.Abort(c, err) }))
	}
	if o.Pages {
		e.Pages, err = web.New(web.Deps{
			Commands: e.Service, Reads: e.Runner, Sessions: e.Sessions, Hasher: e.Hasher, Catalog: e.Catalog, Errors: e.Errors,
			Logger: logger, BaseURL: o.BaseURL, AdminEmails: o.AdminEmails, Limiters: e.API.Limiters(), Live: o.Live, Now: o.Now,
			Marks: e.API,
		})
		if err != nil {
			return err
		}
		ro.Web = e.Pages
	}
	e.Handler, err = transport.NewRouter(ro)
	return err
}

// openSearch opens the index in dir/search and the indexer that feeds it.
func (e *Engine) openSearch(dir string) error {
	if dir == "" {
		return errors.New("transporttest: search needs a Dir for its index")
	}
	g, err := search.LoadGlossary()
	if err != nil {
		return err
	}
	index, err := bleveindex.Open(filepath.Join(dir, "search"), g)
	if err != nil {
		return err
	}
	e.Index = index
	e.Indexer = search.NewIndexer(e.Store, index, search.IndexerOptions{Codec: e.Service.Codec(), Logger: e.logger})
	return nil
}

// run starts the goroutines, each under the engine's context, and waits
// for the live feed's subscription.
func (e *Engine) run(ctx context.Context, o Options) error {
	ctx, e.cancel = context.WithCancel(ctx)
	e.goRun(ctx, "projections", e.Runner.Run)
	if e.Indexer != nil {
		ictx, icancel := context.WithCancel(ctx)
		done := make(chan struct{})
		e.wg.Go(func() {
			defer close(done)
			e.report(ictx, "search indexer", e.Indexer.Run(ictx))
		})
		var once sync.Once
		e.stopIndex = func() { once.Do(func() { icancel(); <-done }) }
	}
	if e.Hub != nil {
		e.goRun(ctx, "live hub", e.Hub.Run)
		e.goRun(ctx, "live feed", e.Feed.Run)
	}
	if e.ln != nil {
		e.srv = &http.Server{Handler: e.Handler, ReadHeaderTimeout: 10 * time.Second}
		e.serveResult = make(chan error, 1)
		ln := e.ln
		e.wg.Go(func() { e.serveResult <- e.srv.Serve(ln) })
	}
	if e.Feed == nil {
		return nil
	}
	t := time.NewTimer(feedStart)
	defer t.Stop()
	select {
	case <-e.Feed.Started():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("the live feed did not start within %v", feedStart)
	}
}

func (e *Engine) goRun(ctx context.Context, name string, run func(context.Context) error) {
	e.wg.Go(func() { e.report(ctx, name, run(ctx)) })
}

// report logs a goroutine that stopped on its own, with an error.
func (e *Engine) report(ctx context.Context, name string, err error) {
	if err != nil && ctx.Err() == nil {
		e.logger.Error(name+" stopped", "err", err)
	}
}

// StopIndexer stops the search indexer and leaves the index as it is: a
// stale index, for tests that it cannot leak. Close calls it too.
func (e *Engine) StopIndexer() { e.stopIndex() }

// Close stops the engine, in order: the listener and its connections (not
// the hijacked live sockets: the hub closes those), then every goroutine,
// waiting for each; then it closes the search index and the store it
// opened. It may be called more than once.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		var errs []error
		if e.srv != nil {
			errs = append(errs, e.srv.Close())
		} else if e.ln != nil {
			errs = append(errs, e.ln.Close())
		}
		e.stopIndex()
		if e.cancel != nil {
			e.cancel()
		}
		e.wg.Wait()
		if e.serveResult != nil {
			if err := <-e.serveResult; !errors.Is(err, http.ErrServerClosed) {
				errs = append(errs, err)
			}
		}
		if e.Index != nil {
			errs = append(errs, e.Index.Close())
		}
		if e.ownStore && e.Store != nil {
			errs = append(errs, e.Store.Close())
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}
