package live

import (
	"bufio"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// A fan-out is one write system call per subscriber; on loopback that call
// does both sides' TCP work and is most of a delivery's cost. What the hub
// added around it (a channel send, a goroutine wake-up, gorilla's write
// lock and a deadline timer per frame) made a delivery cost half as much
// again (13 µs of server CPU against 9 for bare writes, at 10,000
// connections), so messages are written straight to the sockets by a
// goroutine per core, each a single non-blocking write of the frame the hub
// built once. A socket that does not take the whole frame at once (its
// client reads slowly) gets the rest, and whatever follows, from its
// connection's writer goroutine, which waits with a deadline; that one's
// queue bounds how far a client may fall behind.

// socket is a connection's TCP socket as gorilla sees it. Every write to it,
// gorilla's own (handshake, pongs, close replies, 1009) and the hub's, holds
// mu for whole frames and first finishes the frame a direct write left
// half-written, so frames never interleave. The socket has no write
// deadline but during a blocking write: a direct write must not find an
// expired one.
type socket struct {
	net.Conn
	rc   syscall.RawConn // nil if the socket offers none: no direct writes
	mu   sync.Mutex
	rest []byte // the unwritten end of a frame a direct write began; guarded by mu
	// deadline is the one gorilla set for its next write (gorilla
	// serialises its writes, and sets it just before each).
	deadline time.Time
}

func newSocket(c net.Conn) *socket {
	s := &socket{Conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc = rc
		}
	}
	return s
}

// SetWriteDeadline keeps gorilla's deadline for its next write.
func (s *socket) SetWriteDeadline(t time.Time) error {
	s.deadline = t
	return nil
}

// SetDeadline sets the read deadline and keeps the write one (see
// SetWriteDeadline).
func (s *socket) SetDeadline(t time.Time) error {
	s.deadline = t
	return s.Conn.SetReadDeadline(t)
}

// Write is gorilla's: one frame, under gorilla's deadline.
func (s *socket) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.writeLocked(s.deadline, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeFrames writes frames, after any half-written one, waiting at most
// until deadline.
func (s *socket) writeFrames(deadline time.Time, frames ...[]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeLocked(deadline, frames...)
}

// writeLocked writes the frames after the end of a half-written one. A
// write that fails having written nothing (gorilla's deadline passed while
// it waited for mu) leaves the stream whole; one that cut a frame closes
// the socket, since nothing may follow.
func (s *socket) writeLocked(deadline time.Time, frames ...[]byte) error {
	bufs := make(net.Buffers, 0, len(frames)+1)
	if s.rest != nil {
		bufs = append(bufs, s.rest)
	}
	bufs = append(bufs, frames...)
	if len(bufs) == 0 {
		return nil
	}
	if err := s.Conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	n, err := bufs.WriteTo(s.Conn)
	if derr := s.Conn.SetWriteDeadline(time.Time{}); err == nil {
		err = derr
	}
	if n > 0 {
		s.rest = nil
		if err != nil {
			_ = s.Conn.Close()
		}
	}
	return err
}

// direct is one fan-out goroutine's raw write; its callback is bound once,
// so a write allocates nothing.
type direct struct {
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func newDirect() *direct {
	d := &direct{}
	d.fn = d.write
	return d
}

// write is one write system call; a full socket buffer is not an error
// (n is then 0).
func (d *direct) write(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), d.b)
		if err == syscall.EINTR {
			continue
		}
		d.n, d.err = max(n, 0), err
		if err == syscall.EAGAIN {
			d.err = nil
		}
		return true
	}
}

// tryLocked writes what the socket takes of b now, without waiting, and
// keeps the rest for the next write; it answers whether a rest is left.
// The caller holds mu, and no rest is pending.
func (s *socket) tryLocked(d *direct, b []byte) (rest bool, err error) {
	d.b = b
	if err := s.rc.Write(d.fn); err != nil {
		return false, err
	}
	d.b = nil
	if d.err != nil {
		return false, d.err
	}
	if d.n < len(b) {
		s.rest = b[d.n:]
		return true, nil
	}
	return false, nil
}

// hijacker hands gorilla the hijacked connection wrapped in a socket.
type hijacker struct {
	http.ResponseWriter
	sock *socket
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("live: the response cannot be hijacked")
	}
	c, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.sock = newSocket(c)
	return h.sock, brw, nil
}

// Frame encoding (RFC 6455 5.2): a server's frames are unmasked, and the
// hub's are never fragmented.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

// TextFrame is the bytes of a server's text frame carrying payload: what
// the hub writes to each subscriber's socket.
func TextFrame(payload []byte) []byte { return frame(opText, payload) }

func frame(op byte, payload []byte) []byte {
	f := make([]byte, 0, len(payload)+10)
	f = append(f, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n < 1<<16:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}

var pingFrame = frame(opPing, nil)

// closeFrame says why the server ends a connection; a control frame's
// payload is at most 125 bytes.
func closeFrame(code int, text string) []byte {
	if len(text) > 123 {
		text = text[:123]
	}
	return frame(opClose, websocket.FormatCloseMessage(code, text))
}
