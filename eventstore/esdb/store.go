package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/settlenet/settlenet/eventstore"
)

// Store is the port on one EventStoreDB connection. It is safe for
// concurrent use.
type Store struct {
	client *esdb.Client
	log    *slog.Logger

	// life ends at Close; every call and subscription is bound to it.
	life context.Context
	end  context.CancelFunc

	mu       sync.Mutex
	closed   bool
	inflight int  // calls inside the client
	released bool // client closed
}

var _ eventstore.Store = (*Store)(nil)

// Option configures Open.
type Option func(*config)

type config struct {
	logger *slog.Logger
}

// WithLogger receives the adapter's and the client's log lines; the
// client's go out at debug level, since it logs every retry as an error.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Open connects to EventStoreDB with a connection string such as
// esdb://localhost:2113?tls=false, or esdb://user:pass@host:2113 (TLS;
// the client sends credentials only over TLS), or
// esdb+discover://host:2113 for a cluster. The client connects lazily:
// Open fails only on a malformed connection string.
func Open(connectionString string, opts ...Option) (*Store, error) {
	c := config{logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&c)
	}
	cfg, err := esdb.ParseConnectionString(connectionString)
	if err != nil {
		return nil, fmt.Errorf("esdb: parse connection string: %w", err)
	}
	log := c.logger.With("component", "esdb")
	cfg.Logger = func(level esdb.LogLevel, format string, args ...any) {
		log.Debug(fmt.Sprintf(format, args...), "client_level", level)
	}
	if !strings.Contains(strings.ToLower(connectionString), "maxdiscoverattempts=") {
		// See the package doc: a client that gives up discovery can strand
		// concurrent callers, so it keeps trying while the node is down.
		cfg.MaxDiscoverAttempts = math.MaxInt32
	}
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("esdb: new client: %w", err)
	}
	life, end := context.WithCancel(context.Background())
	return &Store{client: client, log: log, life: life, end: end}, nil
}

// Close ends every subscription and call in progress. The client itself is
// closed once no call is inside it (at once, unless one is waiting for a
// node that is down; it is then closed when that call comes back).
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.end()
	release := s.inflight == 0
	s.released = release
	s.mu.Unlock()
	if release {
		return s.client.Close()
	}
	return nil
}

func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.ErrClosed
	}
	s.inflight++
	return nil
}

func (s *Store) leave() {
	s.mu.Lock()
	s.inflight--
	release := s.closed && s.inflight == 0 && !s.released
	if release {
		s.released = true
	}
	s.mu.Unlock()
	if release {
		s.client.Close()
	}
}

// bind derives a context that also ends when the store closes.
func (s *Store) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.life, cancel)
	return ctx, func() { stop(); cancel() }
}

// call runs f, which uses the client with ctx, on its own goroutine, and
// returns when f does or when ctx ends, whichever is first: the client can
// block without looking at ctx while it rediscovers a node. A result that
// arrives after the caller gave up is handed to discard. The goroutine is
// counted in inflight, so the client is not closed under it.
func call[T any](s *Store, ctx context.Context, f func() (T, error), discard func(T)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if err := s.enter(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	out := make(chan result)
	gaveUp := make(chan struct{})
	go func() {
		defer s.leave()
		v, err := f()
		select {
		case out <- result{v, err}:
		case <-gaveUp:
			if err == nil && discard != nil {
				discard(v)
			}
		}
	}()
	select {
	case r := <-out:
		return r.v, r.err
	case <-ctx.Done():
		close(gaveUp)
		return zero, ctx.Err()
	}
}

// fail wraps an error from the client, preferring what the caller can act
// on: ErrClosed after Close, the context's error when it ended.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("esdb: %s: %w", op, ctx.Err())
	case s.life.Err() != nil:
		return fmt.Errorf("esdb: %s: %w", op, eventstore.ErrClosed)
	}
	// A deadline can be reported by the server (it gets the remaining time
	// with the call) a moment before the caller's context notices, or it
	// can be the client's own default deadline: either way the call timed
	// out, and callers test for that with context.DeadlineExceeded.
	var esErr *esdb.Error
	if status.Code(err) == codes.DeadlineExceeded || errors.As(err, &esErr) && esErr.Code() == esdb.ErrorCodeDeadlineExceeded {
		return fmt.Errorf("esdb: %s: %w: %w", op, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("esdb: %s: %w", op, err)
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := eventstore.ValidateEvents(events); err != nil {
		return eventstore.AppendResult{}, err
	}
	data := make([]esdb.EventData, len(events))
	for i, e := range events {
		data[i] = esdb.EventData{
			EventID:     uuid.UUID(e.ID),
			EventType:   e.Type,
			ContentType: esdb.ContentTypeJson,
			Data:        e.Data,
			Metadata:    e.Metadata,
		}
	}
	opts := esdb.AppendToStreamOptions{ExpectedRevision: toExpected(expected)}
	bctx, cancel := s.bind(ctx)
	defer cancel()
	res, err := call(s, bctx, func() (*esdb.WriteResult, error) {
		return s.client.AppendToStream(bctx, stream, opts, data...)
	}, nil)
	if err != nil {
		var esErr *esdb.Error
		if status.Code(err) == codes.InvalidArgument {
			// What the server refuses as such (an append over its
			// MaxAppendSize) fails the same way every time: not a
			// transient failure to retry.
			return eventstore.AppendResult{}, fmt.Errorf("esdb: append to %q: %w: %v", stream, eventstore.ErrInvalidEvent, err)
		}
		if errors.As(err, &esErr) && esErr.Code() == esdb.ErrorCodeWrongExpectedVersion {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
				Stream: stream, Expected: expected, Actual: s.actualRevision(ctx, stream, esErr),
			}
		}
		return eventstore.AppendResult{}, s.fail(ctx, "append to "+strconv.Quote(stream), err)
	}
	return eventstore.AppendResult{
		NextRevision: res.NextExpectedVersion,
		Position:     eventstore.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition},
	}, nil
}

func toExpected(e eventstore.ExpectedRevision) esdb.ExpectedRevision {
	switch {
	case e.IsNoStream():
		return esdb.NoStream{}
	case e.IsStreamExists():
		return esdb.StreamExists{}
	}
	if rev, ok := e.Exact(); ok {
		return esdb.Revision(rev)
	}
	return esdb.Any{}
}

// actualRevision is the stream version the server reported with a conflict.
// The v4 client keeps it only in the error text (see parseActualRevision); if
// that ever fails to parse, the stream's last event is read instead, which
// may be later than the conflict but is a revision the stream did reach.
func (s *Store) actualRevision(ctx context.Context, stream string, esErr *esdb.Error) int64 {
	if inner := esErr.Err(); inner != nil {
		if actual, ok := parseActualRevision(inner.Error()); ok {
			return actual
		}
	}
	s.log.Debug("wrong expected version without a readable actual revision; reading the stream's head", "stream", stream, "err", esErr)
	recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 1})
	if err != nil || len(recs) == 0 {
		return -1
	}
	return int64(recs[0].Revision)
}

// parseActualRevision reads the stream version out of the v4 client's text
// for a wrong-expected-version reply (esdb/client.go, AppendToStream):
//
//	wrong expected version: expecting '<expected>' but got '<current>'
//
// where <current> is a revision or no_stream (-1).
func parseActualRevision(msg string) (int64, bool) {
	const marker = "but got '"
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return 0, false
	}
	got, _, closed := strings.Cut(msg[i+len(marker):], "'")
	if !closed {
		return 0, false
	}
	if got == "no_stream" {
		return -1, true
	}
	n, err := strconv.ParseInt(got, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
