package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

// Topics a client may subscribe to. "me" is kept internally as "me:<member
// id>", so that one member's notifications find only their connections.
const (
	TopicSite    = "site"
	TopicMe      = "me"
	groupPrefix  = "group:"
	threadPrefix = "thread:"
	mePrefix     = "me:"
)

// ReadLimit bounds a client message: subscriptions are short, and a larger
// frame is someone probing; gorilla closes the connection with 1009.
const ReadLimit = 4096

// Options configure a Hub. Zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// Errors answers refused handshakes in the API's error format; nil
	// answers plain status texts.
	Errors *httperr.Mapper
	// BaseURL is the site's public URL: its origin is accepted besides the
	// request's own host (a proxy may rewrite Host).
	BaseURL string
	// SendQueue is each connection's bound of messages waiting to be
	// written; a client that lets it fill is dropped. Default 32.
	SendQueue int
	// WriteWait bounds one write to a client. Default 10 s.
	WriteWait time.Duration
	// PingPeriod is how often every connection is pinged, and PongWait how
	// long a connection may stay silent (no pong, no message) before it is
	// taken for dead. Defaults 20 s and 40 s: a dead peer is noticed within
	// 60 s.
	PingPeriod, PongWait time.Duration
	// MaxTopics bounds one connection's subscriptions. Default 64.
	MaxTopics int
	// MaxPerMember bounds a member's concurrent connections (tabs).
	// Default 32; negative means no bound (load tests).
	MaxPerMember int
	// ReadBufferSize is each connection's read buffer. Default 256: client
	// messages are small and an idle connection should cost little.
	ReadBufferSize int
	// FanOut is how many goroutines write one message to its subscribers'
	// sockets, each a share. Default GOMAXPROCS.
	FanOut int
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SendQueue <= 0 {
		o.SendQueue = 32
	}
	if o.WriteWait <= 0 {
		o.WriteWait = 10 * time.Second
	}
	if o.PingPeriod <= 0 {
		o.PingPeriod = 20 * time.Second
	}
	if o.PongWait <= 0 {
		o.PongWait = 40 * time.Second
	}
	if o.MaxTopics <= 0 {
		o.MaxTopics = 64
	}
	if o.MaxPerMember == 0 {
		o.MaxPerMember = 32
	}
	if o.ReadBufferSize <= 0 {
		o.ReadBufferSize = 256
	}
	if o.FanOut <= 0 {
		o.FanOut = runtime.GOMAXPROCS(0)
	}
}

// Hub holds the live connections and routes messages to them.
type Hub struct {
	o       Options
	log     *slog.Logger
	up      websocket.Upgrader
	trusted string // the base URL's origin, "" if none

	mu      sync.RWMutex
	closed  bool
	topics  map[string]*subscribers
	members map[string]map[*conn]struct{}
	count   int
	// nextSlot is the ping slot of the next connection.
	nextSlot int

	// wg counts every connection goroutine (readers and writers).
	wg sync.WaitGroup

	// pubMu serialises Publish and pings, which own conn.seq, seq,
	// targets and directs.
	pubMu   sync.Mutex
	seq     uint64
	targets []*conn
	directs []*direct // one per fan-out goroutine

	dropped atomic.Int64
}

// NewHub returns a hub. Connections are served once the handler is routed;
// Run must be running for pings and for an orderly shutdown.
func NewHub(o Options) (*Hub, error) {
	o.defaults()
	h := &Hub{o: o, log: o.Logger, topics: map[string]*subscribers{}, members: map[string]map[*conn]struct{}{}}
	for range o.FanOut {
		h.directs = append(h.directs, newDirect())
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("live: base URL %q: not an absolute URL", o.BaseURL)
		}
		h.trusted = strings.ToLower(u.Scheme + "://" + u.Host)
	}
	h.up = websocket.Upgrader{
		ReadBufferSize: o.ReadBufferSize,
		// The hub writes frames it built itself; gorilla's pooled buffer
		// only serves its own few control frames, so idle connections hold
		// no write buffer at all.
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		// The origin was checked before the session (see checkOrigin), so
		// that a foreign page gets 403 whether or not it carries a cookie.
		CheckOrigin:       func(*http.Request) bool { return true },
		HandshakeTimeout:  10 * time.Second,
		EnableCompression: false,
	}
	return h, nil
}

// Handlers is the route's handler chain: the origin check, then the given
// session middleware (which sets auth.Viewer), then the upgrade.
func (h *Hub) Handlers(session gin.HandlerFunc) []gin.HandlerFunc {
	return []gin.HandlerFunc{h.checkOrigin, session, h.serve}
}

// pingSlots is how many groups the connections are pinged in, one group
// per PingPeriod/pingSlots: pinging 10,000 sockets at once, and reading
// their pongs, would hold up a message that falls in that moment by as long
// as a fan-out takes.
const pingSlots = 20

// Run pings every connection each PingPeriod until ctx ends, then closes
// every connection (1001 going away) and waits for their goroutines.
func (h *Hub) Run(ctx context.Context) error {
	t := time.NewTicker(h.o.PingPeriod / pingSlots)
	defer t.Stop()
	slot := 0
	for {
		select {
		case <-ctx.Done():
			h.shutdown()
			return nil
		case <-t.C:
			h.ping(slot)
			slot = (slot + 1) % pingSlots
		}
	}
}

// Conns is the number of open connections.
func (h *Hub) Conns() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.count
}

// Dropped counts connections dropped because they did not read.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

func (h *Hub) shutdown() {
	h.mu.Lock()
	h.closed = true
	for _, cs := range h.members {
		for c := range cs {
			c.close(websocket.CloseGoingAway, "server shutting down")
		}
	}
	h.mu.Unlock()
	h.wg.Wait()
}

// ping pings the connections of one slot, as a fan-out: one ticker for
// the hub instead of one timer per connection. A connection whose session
// has expired is closed instead: the session was checked only at the
// upgrade, and nothing in the log marks an expiry.
func (h *Hub) ping(slot int) {
	h.pubMu.Lock()
	defer h.pubMu.Unlock()
	now := time.Now()
	targets := h.targets[:0]
	var expired []*conn
	h.mu.RLock()
	for _, cs := range h.members {
		for c := range cs {
			switch {
			case c.slot != slot:
			case !c.expires.IsZero() && !now.Before(c.expires):
				expired = append(expired, c)
			default:
				targets = append(targets, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range expired {
		c.close(websocket.ClosePolicyViolation, "session expired")
	}
	h.fanOut(pingFrame, targets)
}

// minShare is the fewest connections worth a fan-out goroutine of their own.
const minShare = 256

// fanOut writes a frame to the targets, split between up to FanOut
// goroutines, and answers to how many it was sent (or queued). The caller
// holds pubMu; targets is h.targets's array, cleared here so that it does
// not keep closed connections.
func (h *Hub) fanOut(f []byte, targets []*conn) int {
	defer func() {
		clear(targets)
		h.targets = targets[:0]
	}()
	w := min(len(h.directs), (len(targets)+minShare-1)/minShare)
	if w <= 1 {
		return writeShare(f, targets, h.directs[0])
	}
	share := (len(targets) + w - 1) / w
	sent := make([]int, w)
	var wg sync.WaitGroup
	for k := 1; k < w; k++ {
		part := targets[min(k*share, len(targets)):min((k+1)*share, len(targets))]
		wg.Go(func() { sent[k] = writeShare(f, part, h.directs[k]) })
	}
	sent[0] = writeShare(f, targets[:share], h.directs[0])
	wg.Wait()
	total := 0
	for _, n := range sent {
		total += n
	}
	return total
}

func writeShare(f []byte, conns []*conn, d *direct) int {
	n := 0
	for _, c := range conns {
		if c.deliver(f, d) {
			n++
		}
	}
	return n
}

// checkOrigin refuses a handshake a browser made from another site. The
// WebSocket handshake is a GET, which http.CrossOriginProtection lets
// through, and browsers send cookies with cross-site WebSocket handshakes,
// so the origin must be checked here (cross-site WebSocket hijacking).
// Clients without Origin (not browsers) cannot ride a victim's cookie.
func (h *Hub) checkOrigin(c *gin.Context) {
	if h.sameOrigin(c.Request) {
		c.Next()
		return
	}
	h.fail(c, &httperr.Error{Status: http.StatusForbidden, Code: "cross_origin", Err: fmt.Errorf("origin %q", c.GetHeader("Origin"))})
}

func (h *Hub) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		switch r.Header.Get("Sec-Fetch-Site") {
		case "", "same-origin", "none":
			return true
		}
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return h.trusted != "" && strings.EqualFold(origin, h.trusted)
}

func (h *Hub) fail(c *gin.Context, e *httperr.Error) {
	if h.o.Errors != nil {
		h.o.Errors.Abort(c, e)
		return
	}
	c.AbortWithStatus(e.Status)
}

// serve upgrades an authenticated request and starts its two goroutines;
// the handler itself returns at once, so the request's (possibly deep)
// stack is not kept for the connection's life.
func (h *Hub) serve(c *gin.Context) {
	p := auth.Viewer(c)
	if p == nil {
		h.fail(c, httperr.ErrUnauthenticated)
		return
	}
	if !websocket.IsWebSocketUpgrade(c.Request) {
		h.fail(c, &httperr.Error{Status: http.StatusBadRequest, Code: "bad_request", Err: fmt.Errorf("not a WebSocket handshake")})
		return
	}
	h.mu.RLock()
	closed, n := h.closed, len(h.members[p.MemberID])
	h.mu.RUnlock()
	if closed {
		h.fail(c, &httperr.Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Err: fmt.Errorf("live hub stopped")})
		return
	}
	if h.o.MaxPerMember > 0 && n >= h.o.MaxPerMember {
		h.fail(c, httperr.RateLimited(5*time.Second))
		return
	}
	// Gorilla gets the socket wrapped, so that its own writes take the
	// same frame lock as the hub's direct writes.
	hj := &hijacker{ResponseWriter: c.Writer}
	ws, err := h.up.Upgrade(hj, c.Request, nil)
	if err != nil {
		// Upgrade has answered the client already.
		h.log.Debug("live: upgrade failed", "err", err)
		return
	}
	var roles []string
	if p.Admin {
		roles = append(roles, "admin")
	}
	if p.Moderator {
		roles = append(roles, "moderator")
	}
	cn := &conn{h: h, ws: ws, sock: hj.sock, member: p.MemberID, session: p.SessionHash, expires: p.ExpiresAt,
		wake: make(chan struct{}, 1), done: make(chan struct{}), readDone: make(chan struct{})}
	cn.setViewer(projections.Viewer{MemberID: p.MemberID, Roles: roles})
	if !h.add(cn) {
		_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		_ = ws.Close()
		return
	}
	go cn.writeLoop()
	go cn.readLoop()
}

// add registers a connection and counts its goroutines, unless the hub is
// shutting down (Add must not race with shutdown's Wait).
func (h *Hub) add(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	cs := h.members[c.member]
	if cs == nil {
		cs = map[*conn]struct{}{}
		h.members[c.member] = cs
	}
	cs[c] = struct{}{}
	h.count++
	c.slot = h.nextSlot
	h.nextSlot = (h.nextSlot + 1) % pingSlots
	h.wg.Add(2)
	return true
}

// remove forgets a connection and its subscriptions.
func (h *Hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range c.topics {
		h.unindexLocked(c, t)
	}
	c.topics = nil
	if cs := h.members[c.member]; cs != nil {
		if _, ok := cs[c]; ok {
			delete(cs, c)
			h.count--
		}
		if len(cs) == 0 {
			delete(h.members, c.member)
		}
	}
}

// subscribe adds topics (already validated and internal); it answers the
// topics it could not add because of the bound.
func (h *Hub) subscribe(c *conn, topics []string) (refused []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		if slices.Contains(c.topics, t) {
			continue
		}
		if len(c.topics) >= h.o.MaxTopics {
			refused = append(refused, t)
			continue
		}
		c.topics = append(c.topics, t)
		cs := h.topics[t]
		if cs == nil {
			cs = &subscribers{index: map[*conn]int{}}
			h.topics[t] = cs
		}
		cs.add(c)
	}
	return refused
}

func (h *Hub) unsubscribe(c *conn, topics []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		h.unsubscribeLocked(c, t)
	}
}

func (h *Hub) unsubscribeLocked(c *conn, t string) {
	if i := slices.Index(c.topics, t); i >= 0 {
		c.topics = slices.Delete(c.topics, i, i+1)
		h.unindexLocked(c, t)
	}
}

// unindexLocked drops a connection from a topic's index.
func (h *Hub) unindexLocked(c *conn, t string) {
	if cs := h.topics[t]; cs != nil {
		cs.remove(c)
		if len(cs.conns) == 0 {
			delete(h.topics, t)
		}
	}
}

// subscribers is a topic's connections, kept in the order they subscribed
// (but for the gaps a departure leaves, filled by the last one): a fan-out
// then visits the sockets about in the order they were opened, which the
// kernel and the clients serve measurably faster than a random order (a
// map's).
type subscribers struct {
	conns []*conn
	index map[*conn]int
}

func (s *subscribers) add(c *conn) {
	s.index[c] = len(s.conns)
	s.conns = append(s.conns, c)
}

func (s *subscribers) remove(c *conn) {
	i, ok := s.index[c]
	if !ok {
		return
	}
	last := len(s.conns) - 1
	s.conns[i] = s.conns[last]
	s.index[s.conns[i]] = i
	s.conns[last] = nil
	s.conns = s.conns[:last]
	delete(s.index, c)
}

func (s *subscribers) has(c *conn) bool {
	_, ok := s.index[c]
	return ok
}

// Delivery is one message for some topics.
type Delivery struct {
	Topics  []string
	Message Message
	// Allowed reports whether a viewer may read the message now (the
	// projections' rules). nil means every connection subscribed to a
	// topic may (a member's own "me" topic).
	Allowed func(projections.Viewer) bool
}

// Publish sends a message to every connection subscribed to one of its
// topics (once, however many of them it follows) whose member may read it
// at this moment. Allowed is asked once for an anonymous viewer (content
// anyone may read is then sent to all without more questions), else once
// per viewer class: per member, and once for all staff with the same roles
// (staff read every group, so who they are does not change the answer). A
// connection whose queue is full is dropped. It answers how many
// connections were sent the message.
func (h *Hub) Publish(d Delivery) (int, error) {
	payload, err := json.Marshal(d.Message)
	if err != nil {
		return 0, fmt.Errorf("live: encode message: %w", err)
	}
	// The frame is built once for all connections.
	f := TextFrame(payload)
	h.pubMu.Lock()
	defer h.pubMu.Unlock()
	h.seq++
	seq := h.seq
	everyone := d.Allowed == nil || d.Allowed(projections.Viewer{})
	var answers map[string]bool
	targets := h.targets[:0]
	h.mu.RLock()
	for _, t := range d.Topics {
		cs := h.topics[t]
		if cs == nil {
			continue
		}
		for _, c := range cs.conns {
			if c.seq == seq {
				continue
			}
			c.seq = seq
			if !everyone {
				vs := c.viewer.Load()
				ok, known := answers[vs.class]
				if !known {
					ok = d.Allowed(vs.v)
					if answers == nil {
						answers = map[string]bool{}
					}
					answers[vs.class] = ok
				}
				if !ok {
					continue
				}
			}
			targets = append(targets, c)
		}
	}
	h.mu.RUnlock()
	return h.fanOut(f, targets), nil
}

// Subscribed reports whether anyone on this hub follows a topic (the feed
// skips work nobody would receive).
func (h *Hub) Subscribed(topic string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.topics[topic] != nil
}

// MeSubscribers lists the members with a connection subscribed to "me".
func (h *Hub) MeSubscribers() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for t := range h.topics {
		if id, ok := strings.CutPrefix(t, mePrefix); ok {
			out = append(out, id)
		}
	}
	return out
}

// MeTopic is the internal topic of a member's own notifications.
func MeTopic(memberID string) string { return mePrefix + memberID }

// CloseMember closes every connection of a member (suspension), with a
// close frame saying why.
func (h *Hub) CloseMember(memberID string, code int, reason string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for c := range h.members[memberID] {
		c.close(code, reason)
		n++
	}
	return n
}

// CloseSession closes the connections opened with one session (logout).
func (h *Hub) CloseSession(hash string, code int, reason string) int {
	if hash == "" {
		return 0
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, cs := range h.members {
		for c := range cs {
			if c.session == hash {
				c.close(code, reason)
				n++
			}
		}
	}
	return n
}

// SetViewer replaces the viewer (site roles) of a member's connections,
// after a role was granted or revoked.
func (h *Hub) SetViewer(v projections.Viewer) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.members[v.MemberID] {
		c.setViewer(v)
	}
}

// viewerState is a connection's viewer with its class key for Publish's
// answer cache, computed once when the viewer is set.
type viewerState struct {
	v     projections.Viewer
	class string
}

func classOf(v projections.Viewer) string {
	if v.IsStaff() {
		roles := slices.Clone(v.Roles)
		slices.Sort(roles)
		return "staff:" + strings.Join(roles, ",")
	}
	return "member:" + v.MemberID
}
