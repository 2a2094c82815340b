package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/live"
)

// floorServer is the limit the hub's fan-out is measured against: no event
// store, no feed, no hub, no permission check, no queue and no deadline.
// It accepts WebSocket connections, acknowledges each one's subscription,
// keeps its socket, and writes each message as one text frame straight to
// every socket from one goroutine per core. The clients are the live
// step's client process, unchanged, so the two figures differ by exactly
// what the engine adds to a delivery; what is left is what this machine's
// loopback TCP and the clients' reading cost.
type floorServer struct {
	up    websocket.Upgrader
	mu    sync.Mutex
	conns []net.Conn
}

func (f *floorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := f.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	var m struct {
		Subscribe []string `json:"subscribe"`
	}
	if err := ws.ReadJSON(&m); err != nil {
		_ = ws.Close()
		return
	}
	// Kept before the answer: a client that has it counts as connected.
	f.mu.Lock()
	f.conns = append(f.conns, ws.NetConn())
	f.mu.Unlock()
	_ = ws.WriteJSON(live.Reply{Type: "subscribed", Topics: m.Subscribe})
}

func (f *floorServer) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.conns = nil
}

// writeAll writes one frame to every connection, the connections split
// evenly between one goroutine per core.
func (f *floorServer) writeAll(frame []byte) error {
	f.mu.Lock()
	conns := f.conns
	f.mu.Unlock()
	w := runtime.GOMAXPROCS(0)
	errs := make([]error, w)
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() {
			for i := k; i < len(conns); i += w {
				if _, err := conns[i].Write(frame); err != nil {
					errs[k] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// floorRun measures the fan-out floor with n clients and msgs messages,
// each a reply_posted message shaped as the hub's (same ids, actor and
// summary, so the same size), its "at" taken just before the first write.
func (s *liveServer) floorRun(ctx context.Context, n, msgs int) (delivery, error) {
	f := &floorServer{up: websocket.Upgrader{ReadBufferSize: 256, WriteBufferSize: 1024, CheckOrigin: func(*http.Request) bool { return true }}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return delivery{}, err
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer f.close()
	defer srv.Close()

	ready := func() error {
		f.mu.Lock()
		got := len(f.conns)
		f.mu.Unlock()
		if got < n {
			return fmt.Errorf("floor: %d connections open, want %d", got, n)
		}
		return nil
	}
	send := func(i int) error {
		payload, err := json.Marshal(live.Message{Type: live.TypeReplyPosted, At: time.Now().UTC(), GroupID: s.group, ThreadID: s.thread,
			PostID: s.thread, Actor: projections.MemberRef{ID: s.author, DisplayName: "Bench Author"},
			Summary: fmt.Sprintf("Live bench: reply %d", i)})
		if err != nil {
			return err
		}
		if err := f.writeAll(live.TextFrame(payload)); err != nil {
			return fmt.Errorf("floor: write: %w", err)
		}
		return nil
	}
	return clientRun(ctx, "ws://"+ln.Addr().String()+"/", "", "group:"+s.group, n, msgs, ready, send)
}
