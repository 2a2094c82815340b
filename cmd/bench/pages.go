package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// pagesStep measures the HTML pages (transport/web) through the real
// router on loopback: a thread page with 20 replies and a group page, each
// fetched by 64 connections of a signed-in member for a bounded time.
func pagesStep() step {
	return step{
		names: []string{"thread_pages_per_s_64", "thread_page_p50_ms_64", "thread_page_p99_ms_64", "thread_page_cpu_us_64",
			"thread_page_floor_per_s_64", "thread_page_floor_p99_ms_64", "thread_page_floor_cpu_us_64",
			"group_pages_per_s_64", "group_page_p99_ms_64", "group_page_cpu_us_64"},
		run: runPages,
	}
}

func runPages(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("pages")
	if err != nil {
		return err
	}
	defer cleanup()
	site, eng, err := startPagesServer(ctx, dir)
	if err != nil {
		return err
	}
	defer eng.Close()
	var wg sync.WaitGroup
	defer wg.Wait()

	th, err := pageLoad(ctx, site, "/threads/"+site.thread, 64, b.duration(4*time.Second))
	if err != nil {
		return err
	}
	b.report("thread_pages_per_s_64", th.rate, "pages/s")
	b.report("thread_page_p50_ms_64", th.p50, "ms")
	b.report("thread_page_p99_ms_64", th.p99, "ms")
	b.report("thread_page_cpu_us_64", th.cpu, "us")
	floor, err := floorLoad(ctx, &wg, site, "/threads/"+site.thread, b.duration(4*time.Second))
	if err != nil {
		return err
	}
	b.report("thread_page_floor_per_s_64", floor.rate, "pages/s")
	b.report("thread_page_floor_p99_ms_64", floor.p99, "ms")
	b.report("thread_page_floor_cpu_us_64", floor.cpu, "us")
	gr, err := pageLoad(ctx, site, "/groups/"+site.group, 64, b.duration(4*time.Second))
	if err != nil {
		return err
	}
	b.report("group_pages_per_s_64", gr.rate, "pages/s")
	b.report("group_page_p99_ms_64", gr.p99, "ms")
	b.report("group_page_cpu_us_64", gr.cpu, "us")
	return nil
}

// floorLoad measures the floor under the thread page's figures in the same
// run: the same bytes and headers, answered by a bare net/http server from
// memory (no router, session, read models or writing), fetched the same
// way. What the page costs above it is the engine's; the floor itself is
// net/http, loopback TCP and the load generator on this machine.
func floorLoad(ctx context.Context, wg *sync.WaitGroup, s *pagesSite, path string, d time.Duration) (pageFigures, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.addr+path, nil)
	if err != nil {
		return pageFigures{}, err
	}
	req.Header.Set("Cookie", s.cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return pageFigures{}, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return pageFigures{}, err
	}
	header := res.Header.Clone()
	header.Del("Date")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return pageFigures{}, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range header {
			h[k] = v
		}
		_, _ = w.Write(body)
	})}
	wg.Go(func() { _ = srv.Serve(ln) })
	defer srv.Close()
	floor := *s
	floor.addr = ln.Addr().String()
	return pageLoad(ctx, &floor, path, 64, d)
}

type pagesSite struct {
	addr, cookie, group, thread string
}

// startPagesServer assembles the engine as serve does for the pages
// (without request metrics and the engagement tally, which these figures
// leave out) and fills a group with a thread of 20 replies.
func startPagesServer(ctx context.Context, dir string) (*pagesSite, *transporttest.Engine, error) {
	eng, err := transporttest.Start(ctx, transporttest.Options{Dir: dir, Pages: true, Live: true,
		NoMetrics: true, NoTally: true, Listen: true})
	if err != nil {
		return nil, nil, err
	}
	s, err := fillPages(ctx, eng)
	if err != nil {
		return nil, nil, errors.Join(err, eng.Close())
	}
	return s, eng, nil
}

// fillPages writes the member, group, threads, replies and session the
// pages show.
func fillPages(ctx context.Context, eng *transporttest.Engine) (*pagesSite, error) {
	svc, runner := eng.Service, eng.Runner
	s := &pagesSite{addr: strings.TrimPrefix(eng.URL, "http://")}
	reg, err := svc.Register(ctx, domain.Origin{}, domain.RegisterMember{Email: "pages@settlenet.test", PasswordHash: "x",
		DisplayName: "Page Reader", Language: "en"})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	me := domain.Origin{Actor: reg.MemberID}
	g, err := svc.CreateGroup(ctx, me, domain.CreateGroup{Name: "Youth settlement network", Description: "Programs and practices for newcomer children and youth.",
		Visibility: domain.VisibilityOpen, Language: "bilingual", Topics: []string{"youth", "schools"}, Province: "ON"})
	if err != nil {
		return nil, fmt.Errorf("create group: %w", err)
	}
	s.group = g.GroupID
	for i := range 12 {
		th, err := svc.StartThread(ctx, me, domain.StartThread{GroupID: s.group, Title: fmt.Sprintf("Summer programs for newcomer youth, part %d", i+1),
			Body: "Which programs do you run this summer? Share what works.", Language: "en", Kind: domain.KindDiscussion})
		if err != nil {
			return nil, fmt.Errorf("start thread: %w", err)
		}
		s.thread = th.ThreadID
	}
	var last domain.Result
	for i := range 20 {
		lang, body := "en", "We run a leadership camp in July, with a **mentoring** component and weekly outings."
		if i%2 == 1 {
			lang, body = "fr", "Nous offrons un camp de leadership en juillet, avec du *mentorat* et des sorties chaque semaine."
		}
		r, err := svc.PostReply(ctx, me, s.thread, domain.PostReply{Body: body, Language: lang})
		if err != nil {
			return nil, fmt.Errorf("reply: %w", err)
		}
		if _, err := svc.AddReaction(ctx, me, r.PostID, domain.ReactionThanks); err != nil {
			return nil, fmt.Errorf("react: %w", err)
		}
		last = r.Result
	}
	tok, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	ses, err := svc.StartSession(ctx, me, domain.SessionStarted{SessionHash: auth.HashToken(tok), MemberID: reg.MemberID, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	if err := runner.WaitFor(ctx, ses.Append.Position); err != nil {
		return nil, err
	}
	if err := runner.WaitFor(ctx, last.Append.Position); err != nil {
		return nil, err
	}
	s.cookie = auth.CookieName + "=" + tok + "; settlenet_csrf=" + "benchbenchbenchbenchbenchbench00"
	return s, nil
}

// pageFigures are one page's measurements: pages per second, latency
// percentiles (ms), and the process's CPU time per page (µs, server and
// load generator together), which a shared machine disturbs less than the
// rate: two idle cores would serve 2e6/cpu pages a second.
type pageFigures struct{ rate, p50, p99, cpu float64 }

// pageLoad fetches one page with n keep-alive connections for d. Every
// answer must be a 200 of the expected size class (an error page is not a
// page).
func pageLoad(ctx context.Context, s *pagesSite, path string, n int, d time.Duration) (pageFigures, error) {
	lats := make([][]time.Duration, n)
	var failed atomic.Value
	var count atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start, cpu0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, err := dialPage(s.addr, path, s.cookie, start.Add(d+30*time.Second))
			if err != nil {
				failed.Store(err)
				return
			}
			defer c.close()
			for ctx.Err() == nil {
				t0 := time.Now()
				status, size, err := c.get()
				if err != nil {
					failed.Store(fmt.Errorf("GET %s: %w", path, err))
					return
				}
				if status != http.StatusOK || size < 2000 {
					failed.Store(fmt.Errorf("GET %s: status %d, %d bytes", path, status, size))
					return
				}
				lats[i] = append(lats[i], time.Since(t0))
				count.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	if e := failed.Load(); e != nil {
		return pageFigures{}, e.(error)
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	pages := float64(count.Load())
	return pageFigures{rate: pages / elapsed.Seconds(), p50: percentileMS(all, 50), p99: percentileMS(all, 99),
		cpu: float64(cpu.Microseconds()) / pages}, nil
}
