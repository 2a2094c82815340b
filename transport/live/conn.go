package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/settlenet/settlenet/projections"
)

// closeWait bounds the close frame a closing connection still tries to
// send: a suspended member's connection must end within seconds even if
// the client stopped reading.
const closeWait = time.Second

// maxTopicsPerMessage bounds one subscribe or unsubscribe message.
const maxTopicsPerMessage = 32

// maxIDLen bounds the id in a topic name (ids are short random strings).
const maxIDLen = 64

// conn is one client connection. Its reader goroutine handles client
// messages; data frames are written straight to the socket by the hub's
// fan-out (see socket.go) or, when they cannot be at once, by its writer
// goroutine, which also sends the close frame.
type conn struct {
	h       *Hub
	ws      *websocket.Conn
	sock    *socket
	member  string
	session string
	// expires is when the session ends (zero: not known); the hub's ping
	// round closes the connection then.
	expires time.Time
	viewer  atomic.Pointer[viewerState]
	// done is closed when the connection is to end; code and text (set
	// before) are the close frame the writer sends, code 0 for none.
	done chan struct{}
	// readDone is closed when the reader goroutine has ended.
	readDone chan struct{}
	once     sync.Once
	code     int
	text     string
	// wake tells the writer goroutine it has frames to write.
	wake chan struct{}
	mu   sync.Mutex // guards the fields below
	// queue holds the frames waiting for the writer goroutine, at most
	// SendQueue; nil while there are none (idle connections hold none).
	queue [][]byte
	// writing is set while the writer goroutine has frames to write (the
	// queue, or the end of a half-written one): later frames queue behind.
	writing bool
	closed  bool
	// topics are the connection's subscriptions (a short list: a slice
	// costs less than a map on every idle connection), guarded by h.mu.
	topics []string
	seq    uint64 // guarded by h.pubMu
	slot   int    // which of the hub's ping rounds pings it; set by h.add
}

func (c *conn) setViewer(v projections.Viewer) {
	c.viewer.Store(&viewerState{v: v, class: classOf(v)})
}

// deliver sends a frame without ever blocking. With d (the fan-out's
// writes) and nothing waiting before it, the frame is written straight to
// the socket, and what the socket does not take at once is left to the
// writer goroutine; otherwise the frame is queued for the writer. A full
// queue means the client is not reading: it is dropped rather than slowing
// the sender. It answers whether the frame was sent or queued.
func (c *conn) deliver(f []byte, d *direct) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	direct := !c.writing && d != nil && c.sock.rc != nil && c.sock.mu.TryLock()
	if direct && c.sock.rest != nil {
		c.sock.mu.Unlock() // the writer has yet to finish a frame
		direct = false
	}
	if !direct {
		ok := c.queueLocked(f)
		c.mu.Unlock()
		if !ok {
			c.drop()
		}
		return ok
	}
	c.mu.Unlock()
	rest, err := c.sock.tryLocked(d, f)
	if rest {
		c.mu.Lock()
		c.wakeLocked()
		c.mu.Unlock()
	}
	c.sock.mu.Unlock()
	if err != nil {
		c.abort()
		return false
	}
	return true
}

// queueLocked queues a frame for the writer; false if the queue is full.
func (c *conn) queueLocked(f []byte) bool {
	if len(c.queue) >= c.h.o.SendQueue {
		return false
	}
	c.queue = append(c.queue, f)
	c.wakeLocked()
	return true
}

// wakeLocked hands the writing to the writer goroutine.
func (c *conn) wakeLocked() {
	if !c.writing {
		c.writing = true
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// drop ends a connection whose client does not read.
func (c *conn) drop() {
	c.h.dropped.Add(1)
	c.abort()
}

// close asks the writer to send a close frame and end the connection. A
// write the writer is blocked in (a client that does not read) is cut
// short to closeWait, so that a suspended member's connection ends within
// seconds, not after WriteWait.
func (c *conn) close(code int, text string) {
	c.once.Do(func() {
		c.mu.Lock()
		c.code, c.text, c.closed = code, text, true
		c.mu.Unlock()
		if c.sock != nil {
			_ = c.sock.Conn.SetWriteDeadline(time.Now().Add(closeWait))
		}
		close(c.done)
	})
}

// abort ends the connection at once, without a close frame: the client is
// not reading, so a frame would only wait for the write deadline. Closing
// the socket also unblocks a writer stuck in a write.
func (c *conn) abort() {
	c.close(0, "")
	_ = c.sock.Close()
}

func (c *conn) writeLoop() {
	defer c.h.wg.Done()
	for {
		select {
		case <-c.done:
			if c.code != 0 {
				// After the end of a half-written frame, if any.
				_ = c.sock.writeFrames(time.Now().Add(closeWait), closeFrame(c.code, c.text))
				// The closing handshake: the client answers with a close
				// frame, which ends the reader. Closing the socket before
				// would reset it while the client's last messages are
				// unread, and a reset can lose the close frame (and its
				// reason) on the client's side.
				select {
				case <-c.readDone:
				case <-time.After(closeWait):
				}
			}
			_ = c.ws.Close()
			return
		case <-c.wake:
			if err := c.flush(); err != nil {
				c.abort()
				return
			}
		}
	}
}

// flush writes the queued frames (and the end of a half-written one) until
// none is left, each batch within WriteWait.
func (c *conn) flush() error {
	for {
		c.mu.Lock()
		if c.closed {
			// Only the close frame is still to go (writeLoop).
			c.mu.Unlock()
			return nil
		}
		q := c.queue
		c.queue = nil
		c.mu.Unlock()
		if err := c.sock.writeFrames(time.Now().Add(c.h.o.WriteWait), q...); err != nil {
			return err
		}
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.writing = false
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
	}
}

func (c *conn) readLoop() {
	defer c.h.wg.Done()
	defer close(c.readDone)
	defer c.h.remove(c)
	// However the reader ends (client gone, read limit, dead peer), the
	// writer must end too.
	defer c.close(0, "")
	c.ws.SetReadLimit(ReadLimit)
	wait := c.h.o.PongWait
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(wait)) })
	// A client's ping is answered through the connection's queue, behind
	// the frames before it, by the writer and under its deadline. Gorilla's
	// own answer is written with a one-second deadline, which could expire
	// while it first finishes a large frame the hub had half written to a
	// slowly reading client: the cut frame then closed the connection.
	// (Gorilla checks a ping's payload, at most 125 bytes, before this.)
	// A client's close frame is answered by the writer, in turn with the
	// frames before it (gorilla's own answer would be written beside
	// them); the reader then ends with the close error.
	c.ws.SetCloseHandler(func(int, string) error {
		c.close(websocket.CloseNormalClosure, "")
		return nil
	})
	c.ws.SetPingHandler(func(data string) error {
		c.deliver(frame(opPong, []byte(data)), nil)
		return nil
	})
	// A page subscribes once and a client rarely changes its topics; every
	// message takes the hub's lock, so a client that keeps sending them is
	// closed rather than served.
	messages := rate.NewLimiter(rate.Every(time.Second/clientMessagesPerSecond), clientMessageBurst)
	for {
		typ, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(wait))
		if !messages.Allow() {
			c.close(websocket.ClosePolicyViolation, "too many messages")
			c.drain()
			return
		}
		if typ != websocket.TextMessage {
			c.reply(errorReply("bad_message", "messages are JSON text"))
			continue
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return // read limit (gorilla has sent 1009) or a broken connection
		}
		c.reply(c.handleApart(data))
	}
}

// handleApart handles a client message on a goroutine of its own and
// waits for it. A goroutine's stack grows to fit the deepest call it has
// made and stays that size while it idles; the reader idles for most of
// a connection's life, and the message handling (decoding, the hub's
// checks) is its deepest call by far.
func (c *conn) handleApart(data []byte) Reply {
	var r Reply
	done := make(chan struct{})
	go func() {
		defer close(done)
		r = c.handle(data)
	}()
	<-done
	return r
}

// drain reads and drops what the client still sends after the server's
// close frame, until its own close frame (or closeWait), so that the
// socket is not closed on unread messages (see writeLoop).
func (c *conn) drain() {
	_ = c.ws.SetReadDeadline(time.Now().Add(closeWait))
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// A client may send clientMessageBurst messages at once, then
// clientMessagesPerSecond.
const (
	clientMessageBurst      = 20
	clientMessagesPerSecond = 5
)

// reply queues an answer to a client message.
func (c *conn) reply(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.deliver(TextFrame(b), nil)
}

// clientMessage is what a client may send: exactly one of the two.
type clientMessage struct {
	Subscribe   []string `json:"subscribe"`
	Unsubscribe []string `json:"unsubscribe"`
}

// Reply is the server's answer to a client message.
type Reply struct {
	Type    string   `json:"type"` // subscribed, unsubscribed, error
	Topics  []string `json:"topics,omitempty"`
	Code    string   `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
}

func errorReply(code, msg string) Reply { return Reply{Type: "error", Code: code, Message: msg} }

// handle answers one client message. Malformed input gets an error reply;
// nothing here may panic on what a client sends.
func (c *conn) handle(data []byte) Reply {
	m, err := parseClientMessage(data)
	if err != nil {
		return errorReply("bad_message", err.Error())
	}
	names := m.Subscribe
	if m.Unsubscribe != nil {
		names = m.Unsubscribe
	}
	internal := make([]string, len(names))
	for i, n := range names {
		t, err := c.internalTopic(n)
		if err != nil {
			return errorReply("bad_topic", err.Error())
		}
		internal[i] = t
	}
	if m.Unsubscribe != nil {
		c.h.unsubscribe(c, internal)
		return Reply{Type: "unsubscribed", Topics: names}
	}
	if refused := c.h.subscribe(c, internal); len(refused) > 0 {
		return errorReply("too_many_topics", fmt.Sprintf("at most %d topics per connection", c.h.o.MaxTopics))
	}
	return Reply{Type: "subscribed", Topics: names}
}

// parseClientMessage reads {"subscribe": [...]} or {"unsubscribe": [...]}
// strictly: unknown fields, both or neither, trailing data and oversized
// lists are errors.
func parseClientMessage(data []byte) (clientMessage, error) {
	var m clientMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("not a subscribe or unsubscribe message: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return m, errors.New("trailing data after the message")
	}
	switch {
	case m.Subscribe != nil && m.Unsubscribe != nil:
		return m, errors.New("subscribe and unsubscribe in one message")
	case m.Subscribe == nil && m.Unsubscribe == nil:
		return m, errors.New(`expected {"subscribe": [...]} or {"unsubscribe": [...]}`)
	case len(m.Subscribe)+len(m.Unsubscribe) > maxTopicsPerMessage:
		return m, fmt.Errorf("at most %d topics per message", maxTopicsPerMessage)
	}
	return m, nil
}

// internalTopic validates a topic name and maps "me" to the member's own.
func (c *conn) internalTopic(name string) (string, error) {
	if err := validTopic(name); err != nil {
		return "", err
	}
	if name == TopicMe {
		return MeTopic(c.member), nil
	}
	return name, nil
}

func validTopic(name string) error {
	switch name {
	case TopicSite, TopicMe:
		return nil
	}
	id, ok := strings.CutPrefix(name, groupPrefix)
	if !ok {
		id, ok = strings.CutPrefix(name, threadPrefix)
	}
	if !ok {
		return fmt.Errorf("unknown topic %.40q", name)
	}
	if id == "" || len(id) > maxIDLen {
		return fmt.Errorf("topic %.40q: bad id", name)
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return fmt.Errorf("topic %.40q: bad id", name)
		}
	}
	return nil
}
