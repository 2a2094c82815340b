package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/settlenet/settlenet/cmd/internal/tune"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
)

// loadtest runs the whole engine on a scratch embedded store, serves it on a
// loopback port and drives it over HTTP with concurrent clients, printing
// "BENCH <name> <value> <unit>" lines. It only ever talks to 127.0.0.1, and
// every phase is bounded in time.
func loadtest(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	only := fs.String("only", "", "print only figures whose names start with this prefix")
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 5*time.Second, "how long each phase runs")
	dirFlag := fs.String("dir", "", "scratch directory (default: a temporary one)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *memprofile != "" {
		defer func() {
			if err := writeAllocProfile(*memprofile); err != nil {
				logger.Error("loadtest: allocation profile", "err", err)
			}
		}()
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir := *dirFlag
	if dir == "" {
		d, err := os.MkdirTemp("", "settlenet-loadtest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	tune.SpareProc(logger) // as serve on the embedded store
	es, err := embedded.Open(filepath.Join(dir, "events"))
	if err != nil {
		return err
	}
	defer es.Close()
	store := &timedStore{Store: es}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cfg := config{Addr: ln.Addr().String(), BaseURL: "http://" + ln.Addr().String(), DataDir: dir, Store: "embedded", Search: "embedded"}
	a, err := newApp(cfg, quiet, store, prometheus.NewRegistry(), appOptions{
		// The load test measures the engine, not the rate limiter: any
		// non-zero Limits replaces the defaults, and a spec with Every <= 0
		// is off. Cheap password hashing keeps the set-up short.
		limits: api.Limits{LoginPerIP: auth.LimitSpec{Every: -1}},
		argon2: auth.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1},
	})
	if err != nil {
		return err
	}
	a.start()
	defer a.stop(context.Background())
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	lt := &loadClient{
		base: cfg.BaseURL,
		addr: cfg.Addr,
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 4 * *clients, MaxIdleConnsPerHost: 4 * *clients, IdleConnTimeout: time.Minute,
		}},
	}
	report := func(name string, v float64, unit string) {
		if strings.HasPrefix(name, *only) {
			fmt.Printf("BENCH %s %.6g %s\n", name, v, unit)
		}
	}
	logger.Info("loadtest: setting up", "clients", *clients, "gomaxprocs", runtime.GOMAXPROCS(0), "addr", cfg.Addr)
	members, group, err := lt.setup(ctx, *clients)
	if err != nil {
		return fmt.Errorf("set-up: %w", err)
	}

	// Each client replies to a thread of its own: a busy site's writes are
	// spread over many conversations (one hot thread serialises on its
	// stream, which domain's tests cover).
	threads := make([]string, len(members))
	for i, m := range members {
		if threads[i], err = lt.startThread(ctx, m, group, i); err != nil {
			return err
		}
	}
	if wantsAny(*only, "reply_") {
		paths, bodies := make([]string, len(members)), make([][]byte, len(members))
		for i := range members {
			paths[i] = "/api/v1/threads/" + threads[i] + "/replies"
		}
		store.record(true)
		ph, err := lt.run(ctx, *duration, len(members), func(c *loadConn, i, seq int) error {
			bodies[i] = appendReplyBody(bodies[i][:0], seq)
			return lt.expect(c, members[i], http.MethodPost, paths[i], bodies[i], http.StatusCreated)
		})
		appends := store.record(false)
		if err != nil {
			return fmt.Errorf("replies: %w", err)
		}
		report("reply_posts_per_s_64", ph.rate, "replies/s (target >= 5000)")
		report("reply_p50_ms_64", pct(ph.lat, 50), "ms")
		report("reply_p99_ms_64", pct(ph.lat, 99), "ms (target <= 20)")
		report("reply_append_p50_ms_64", pct(appends, 50), "ms in the event store's Append (group commit and fsync) per reply")
		report("reply_append_p99_ms_64", pct(appends, 99), "ms")
		report("reply_cpu_us_per_post_64", micros(ph.cpuPerOp), "µs of process CPU per reply (server, client, background)")
		// The search index follows the log in batches; how far behind the
		// replies it ended, and the next phase measured without its
		// catching up.
		t0 := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		err = a.indexer.WaitFor(wctx, store.last())
		cancel()
		if err != nil {
			logger.Warn("loadtest: the search index did not catch up with the replies", "err", err)
		}
		report("reply_search_catchup_ms_64", float64(time.Since(t0))/float64(time.Millisecond), "ms after the last reply until the search index held every reply")
	}
	if wantsAny(*only, "thread_read") {
		// A thread of 20 replies, read by members (session lookup included).
		// A thread of its own: the reply phase's threads have as many
		// replies as it managed to post, so reading one of them measured
		// a page of 50 posts after a full run and of 21 after -only.
		hot, err := lt.startThread(ctx, members[0], group, len(members))
		if err != nil {
			return err
		}
		for i := range 20 {
			if err := lt.reply(ctx, members[i%len(members)], hot, 1_000_000+i); err != nil {
				return err
			}
		}
		if err := lt.checkThread(ctx, members[0], hot, 21); err != nil {
			return err
		}
		path := "/api/v1/threads/" + hot
		ph, err := lt.run(ctx, *duration, len(members), func(c *loadConn, i, _ int) error {
			return lt.expect(c, members[i], http.MethodGet, path, nil, http.StatusOK)
		})
		if err != nil {
			return fmt.Errorf("thread reads: %w", err)
		}
		report("thread_reads_per_s_64", ph.rate, "reads/s (target >= 30000)")
		report("thread_read_p50_ms_64", pct(ph.lat, 50), "ms")
		report("thread_read_p99_ms_64", pct(ph.lat, 99), "ms (target <= 10)")
		report("thread_read_cpu_us_per_read_64", micros(ph.cpuPerOp), "µs of process CPU per read (server, client, background)")
	}
	return nil
}

// timedStore times appends while asked to: the share of a reply's latency
// spent in the event store (waiting for its group, the fsync).
type timedStore struct {
	eventstore.Store
	mu      sync.Mutex
	on      bool
	appends []time.Duration
	pos     eventstore.Position // the last append's
}

func (t *timedStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	t0 := time.Now()
	res, err := t.Store.Append(ctx, stream, expected, events...)
	d := time.Since(t0)
	t.mu.Lock()
	if t.on {
		t.appends = append(t.appends, d)
	}
	if err == nil && t.pos.Less(res.Position) {
		t.pos = res.Position
	}
	t.mu.Unlock()
	return res, err
}

// last is the position of the last event appended.
func (t *timedStore) last() eventstore.Position {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pos
}

// record starts or stops timing; stopping returns the times taken since
// the start.
func (t *timedStore) record(on bool) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on = on
	out := t.appends
	t.appends = nil
	return out
}

func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func wantsAny(only, prefix string) bool {
	return strings.HasPrefix(prefix, only) || strings.HasPrefix(only, prefix)
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[int(float64(len(d)-1)*p/100)]) / float64(time.Millisecond)
}

// loadClient sets the scene with net/http's client and measures with
// loadConns (see loadconn.go), one connection per simulated client.
type loadClient struct {
	base string
	addr string
	http *http.Client
}

// member is a logged-in client: its session cookie.
type member struct{ cookie string }

// run calls op from n goroutines, each with a connection of its own, until
// d has passed, and returns the rate of successful calls and each call's
// latency.
func (l *loadClient) run(ctx context.Context, d time.Duration, n int, op func(c *loadConn, i, seq int) error) (phase, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lat := make([][]time.Duration, n)
	errs := make(chan error, n)
	cpu0 := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := newLoadConn(l.addr)
			defer c.close()
			lat[i] = make([]time.Duration, 0, 4096)
			for seq := 0; ctx.Err() == nil; seq++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				if err := op(c, i, seq); err != nil {
					errs <- err
					cancel()
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	select {
	case err := <-errs:
		return phase{}, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return phase{}, err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return phase{}, errors.New("no request finished in time")
	}
	return phase{rate: float64(len(all)) / elapsed.Seconds(), lat: all, cpuPerOp: cpu / time.Duration(len(all))}, nil
}

// phase is what run measured: the rate of requests, each one's latency,
// and the process's CPU time (server, client and background work) per
// request, a figure less disturbed than the rate by what else the machine
// is running.
type phase struct {
	rate     float64
	lat      []time.Duration
	cpuPerOp time.Duration
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// expect makes one request on c and checks the answer's status.
func (l *loadClient) expect(c *loadConn, m member, method, path string, body []byte, want int) error {
	status, got, err := c.do(time.Now().Add(30*time.Second), method, path, m.cookie, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.512s", method, path, status, want, got)
	}
	return nil
}

func (l *loadClient) setup(ctx context.Context, n int) ([]member, string, error) {
	members := make([]member, n)
	for i := range members {
		m, err := l.register(ctx, i)
		if err != nil {
			return nil, "", err
		}
		members[i] = m
	}
	var g struct {
		ID string `json:"id"`
	}
	if err := l.do(ctx, members[0], http.MethodPost, "/api/v1/groups", map[string]any{
		"name": "Load test: settlement workers' network", "description": "Where the load test talks.",
		"visibility": "open", "language": "bilingual", "topics": []string{"settlement"},
	}, http.StatusCreated, &g); err != nil {
		return nil, "", err
	}
	for _, m := range members[1:] {
		if err := l.do(ctx, m, http.MethodPost, "/api/v1/groups/"+g.ID+"/join", nil, http.StatusOK, nil); err != nil {
			return nil, "", err
		}
	}
	return members, g.ID, nil
}

func (l *loadClient) register(ctx context.Context, i int) (member, error) {
	body, _ := json.Marshal(map[string]any{
		"email": fmt.Sprintf("load%d@settlenet.test", i), "password": "load-test-password",
		"display_name": fmt.Sprintf("Load Tester %d", i), "language": []string{"en", "fr"}[i%2], "province": "ON",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+"/api/v1/auth/register", bytes.NewReader(body))
	if err != nil {
		return member{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.http.Do(req)
	if err != nil {
		return member{}, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return member{}, fmt.Errorf("register: status %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName {
			return member{cookie: c.Name + "=" + c.Value}, nil
		}
	}
	return member{}, errors.New("register: no session cookie")
}

func (l *loadClient) startThread(ctx context.Context, m member, group string, i int) (string, error) {
	var t struct {
		ID string `json:"id"`
	}
	err := l.do(ctx, m, http.MethodPost, "/api/v1/groups/"+group+"/threads", map[string]any{
		"title": fmt.Sprintf("Intake practices at our centre (%d)", i), "language": "en",
		"body": "How do you organise **first appointments** for newly arrived families? We book 90 minutes.",
	}, http.StatusCreated, &t)
	return t.ID, err
}

func (l *loadClient) reply(ctx context.Context, m member, thread string, seq int) error {
	return l.do(ctx, m, http.MethodPost, "/api/v1/threads/"+thread+"/replies", json.RawMessage(appendReplyBody(nil, seq)), http.StatusCreated, nil)
}

// appendReplyBody appends a reply's JSON body, numbered so that no two are
// alike (the text needs no JSON escaping).
func appendReplyBody(dst []byte, seq int) []byte {
	dst = append(dst, `{"body":"Merci ! Chez nous, le premier rendez-vous dure une heure, puis un suivi à deux semaines (`...)
	dst = strconv.AppendInt(dst, int64(seq), 10)
	return append(dst, `).","language":"fr"}`...)
}

// checkThread reads a thread once with net/http's client and checks it is
// the answer the read phase means to measure.
func (l *loadClient) checkThread(ctx context.Context, m member, thread string, posts int) error {
	var v struct {
		Thread struct {
			ID string `json:"id"`
		} `json:"thread"`
		Posts []json.RawMessage `json:"posts"`
	}
	if err := l.do(ctx, m, http.MethodGet, "/api/v1/threads/"+thread, nil, http.StatusOK, &v); err != nil {
		return err
	}
	if v.Thread.ID != thread || len(v.Posts) != posts {
		return fmt.Errorf("thread %s: read %q with %d posts, want %d", thread, v.Thread.ID, len(v.Posts), posts)
	}
	return nil
}

func (l *loadClient) do(ctx context.Context, m member, method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Cookie", m.cookie)
	resp, err := l.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, msg)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
