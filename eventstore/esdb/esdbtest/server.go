// Package esdbtest is a test fixture: an in-process gRPC server that speaks
// the part of EventStoreDB's client protocol that the eventstore/esdb adapter
// uses, built from the generated service definitions that
// github.com/EventStore/EventStore-Client-Go/v4 ships under protos/, and
// storing into the embedded event store.
//
// It exists so that the adapter's use of the protocol is proven through the
// real client in `make test`, without a server binary. It is NOT a
// replacement for EventStoreDB and must never be deployed as one:
//
//   - Streams: Append, Read (stream reads forwards and backwards, $all reads
//     forwards and backwards, catch-up subscriptions to $all with stream or
//     event-type filters, prefix or regex, and checkpoints). Delete,
//     Tombstone, BatchAppend and stream subscriptions answer Unimplemented.
//   - ServerFeatures: GetSupportedMethods, so the client's connect sequence
//     runs as it does against a real node. No gossip: a single-node
//     connection string (esdb://host:port?tls=false) never asks for it.
//   - No TLS, no authentication, no ACLs, no stream metadata, no system
//     streams, no projections, no persistent subscriptions, no cluster.
//   - Positions are the embedded store's: dense integers, with the commit and
//     the prepare position equal. Real positions are byte offsets in the
//     transaction log; the adapter must not (and does not) assume either.
//   - The content type is not stored: every event reads back as
//     application/json, which is all the adapter ever writes.
//
// Stop and Restart (same address, same data) let fault tests drop every
// connection the way a server restart does; Stall makes requests hang, for
// timeout and cancellation tests; OnConflict runs a test's code between a
// conflict and its reply.
package esdbtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
)

// Server is one test server. Its methods are safe for concurrent use.
type Server struct {
	dir  string
	addr string

	mu         sync.Mutex
	inst       *instance // nil while stopped
	stall      chan struct{}
	onConflict func(stream string)
	// maxAppend is the largest append, in bytes of event data and
	// metadata, as EventStoreDB's MaxAppendSize (1 MiB by default).
	maxAppend int
}

// DefaultMaxAppendSize is EventStoreDB's default MaxAppendSize.
const DefaultMaxAppendSize = 1 << 20

// SetMaxAppendSize sets the largest append the server takes, in bytes of
// event data and metadata; past it an append fails as EventStoreDB's does,
// with InvalidArgument. 0 restores the default.
func (s *Server) SetMaxAppendSize(n int) {
	s.mu.Lock()
	s.maxAppend = n
	s.mu.Unlock()
}

func (s *Server) maxAppendSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxAppend <= 0 {
		return DefaultMaxAppendSize
	}
	return s.maxAppend
}

// instance is one run of the server between Start/Restart and Stop: its own
// listener, gRPC server and open store, so that handlers of a stopped run
// never touch the store of the next.
type instance struct {
	srv   *Server
	grpc  *grpc.Server
	store *embedded.Store
	done  chan struct{} // closed when Serve has returned

	// last is the highest position written, for backward reads from the end.
	last atomic.Uint64

	notifyMu sync.Mutex
	notify   chan struct{} // closed and replaced after every append
}

// Start opens the embedded store in dir and serves on addr ("127.0.0.1:0"
// picks a free port; Addr tells which).
func Start(dir, addr string) (*Server, error) {
	s := &Server{dir: dir, addr: addr}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the connection string for a single insecure node.
func (s *Server) URL() string { return "esdb://" + s.Addr() + "?tls=false" }

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inst != nil {
		return errors.New("esdbtest: already running")
	}
	store, err := embedded.Open(s.dir)
	if err != nil {
		return fmt.Errorf("esdbtest: open store: %w", err)
	}
	lis, err := net.Listen("tcp", s.addr)
	if err != nil {
		store.Close()
		return fmt.Errorf("esdbtest: listen on %s: %w", s.addr, err)
	}
	s.addr = lis.Addr().String() // keep the chosen port for Restart
	inst := &instance{
		srv:    s,
		store:  store,
		done:   make(chan struct{}),
		notify: make(chan struct{}),
		// WaitForHandlers: Stop returns only once no handler can touch
		// the store any more, so closing it afterwards is safe.
		grpc: grpc.NewServer(
			grpc.WaitForHandlers(true),
			// The client pings every 10 s even when idle (its default
			// keepAliveInterval); a node accepts that, and so must this,
			// or gRPC's default policy answers with GOAWAY too_many_pings.
			grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		),
	}
	last, err := lastPosition(context.Background(), store)
	if err != nil {
		store.Close()
		lis.Close()
		return err
	}
	inst.last.Store(last)
	streams.RegisterStreamsServer(inst.grpc, &streamsService{inst: inst})
	serverfeatures.RegisterServerFeaturesServer(inst.grpc, featuresService{})
	go func() {
		defer close(inst.done)
		_ = inst.grpc.Serve(lis) // returns when Stop closes the listener
	}()
	s.inst = inst
	return nil
}

// Stop drops every connection and RPC at once, as a crashed or restarted
// node does, and closes the store. Appends acknowledged before Stop are
// durable; one in flight may or may not have been written.
func (s *Server) Stop() error {
	s.mu.Lock()
	inst := s.inst
	s.inst = nil
	s.mu.Unlock()
	if inst == nil {
		return nil
	}
	inst.grpc.Stop()
	<-inst.done
	if err := inst.store.Close(); err != nil {
		return fmt.Errorf("esdbtest: close store: %w", err)
	}
	return nil
}

// Restart starts the server again on the same address with the same data.
func (s *Server) Restart() error { return s.start() }

// Stall makes every request that arrives from now on wait until release is
// called (or its own context ends).
func (s *Server) Stall() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.stall = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.stall == ch {
				s.stall = nil
			}
			s.mu.Unlock()
			close(ch)
		})
	}
}

// OnConflict has f run whenever an append fails its expected-revision check,
// after the check and before the reply, so that a test can move the stream
// between the conflict and the moment the client hears of it. nil removes it.
func (s *Server) OnConflict(f func(stream string)) {
	s.mu.Lock()
	s.onConflict = f
	s.mu.Unlock()
}

func (s *Server) conflicted(stream string) {
	s.mu.Lock()
	f := s.onConflict
	s.mu.Unlock()
	if f != nil {
		f(stream)
	}
}

func (s *Server) wait(ctx context.Context) error {
	s.mu.Lock()
	ch := s.stall
	s.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (i *instance) published() <-chan struct{} {
	i.notifyMu.Lock()
	defer i.notifyMu.Unlock()
	return i.notify
}

func (i *instance) publish(pos uint64) {
	for {
		cur := i.last.Load()
		if pos <= cur || i.last.CompareAndSwap(cur, pos) {
			break
		}
	}
	i.notifyMu.Lock()
	close(i.notify)
	i.notify = make(chan struct{})
	i.notifyMu.Unlock()
}

// lastPosition finds the store's last position by bisection over ReadAll:
// the embedded store's positions are dense, so this takes O(log n) reads.
func lastPosition(ctx context.Context, store *embedded.Store) (uint64, error) {
	has := func(after uint64) (bool, error) {
		recs, err := store.ReadAll(ctx, eventstore.Position{Commit: after, Prepare: after}, 1)
		return len(recs) > 0, err
	}
	hi := uint64(1)
	for {
		ok, err := has(hi)
		if err != nil {
			return 0, fmt.Errorf("esdbtest: find last position: %w", err)
		}
		if !ok {
			break
		}
		hi *= 2
	}
	// The last position is the smallest x with nothing after it, in [0, hi].
	lo := uint64(0)
	for lo < hi {
		mid := lo + (hi-lo)/2
		ok, err := has(mid)
		if err != nil {
			return 0, fmt.Errorf("esdbtest: find last position: %w", err)
		}
		if ok {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}
