package transport

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/engagement"
	"github.com/settlenet/settlenet/transport/httperr"
	"github.com/settlenet/settlenet/transport/web"
)

// Options is what the router needs from the wiring in cmd/.
type Options struct {
	Logger   *slog.Logger
	Checks   []Check
	Registry *prometheus.Registry
	// API is the JSON API; nil serves only the operational endpoints.
	API *api.Server
	// Live is the handler chain of GET /api/v1/live (transport/live: origin
	// check, session, upgrade); nil serves no live endpoint.
	Live []gin.HandlerFunc
	// Web is the HTML pages (transport/web); nil serves none.
	Web *web.Server
	// Errors answers unknown routes in the API's error format.
	Errors *httperr.Mapper
	// Tally counts page views; nil counts nothing.
	Tally *engagement.Tally
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// (rate limits key on the client address). None by default: a client
	// could otherwise pick its own address and dodge the limits.
	TrustedProxies []string
}

// NewRouter builds the HTTP handler.
func NewRouter(opts Options) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(gin.Recovery(), requestLog(opts.Logger))
	if opts.Registry != nil {
		r.Use(requestMetrics(opts.Registry))
	}
	if opts.Tally != nil {
		r.Use(opts.Tally.Middleware())
	}
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(opts.Checks))
	if opts.Registry != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{})))
	}
	if opts.API != nil {
		opts.API.Register(r.Group("/api/v1"))
	}
	if len(opts.Live) > 0 {
		r.GET("/api/v1/live", opts.Live...)
	}
	if opts.Web != nil {
		opts.Web.Register(r)
	}
	r.HandleMethodNotAllowed = false
	r.NoRoute(func(c *gin.Context) {
		if opts.Errors != nil && strings.HasPrefix(c.Request.URL.Path, "/api/") {
			opts.Errors.Abort(c, httperr.ErrNotFound)
			return
		}
		if opts.Web != nil {
			opts.Web.NotFound(c)
			return
		}
		c.String(http.StatusNotFound, "404 page not found")
	})
	return r, nil
}

func requestLog(l *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if c.Writer.Status() >= 500 {
			l.Error("request failed", "method", c.Request.Method, "path", c.FullPath(),
				"status", c.Writer.Status(), "duration", time.Since(start), "errors", c.Errors.String())
		}
	}
}

// requestMetrics counts requests and times them by route pattern (never the
// raw path: ids would make unbounded label sets) and status.
func requestMetrics(reg *prometheus.Registry) gin.HandlerFunc {
	count := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "settlenet_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "settlenet_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method", "status"})
	reg.MustRegister(count, latency)
	// Each label set's pair of series, found once: resolving labels by
	// value (hashing them, formatting the status) was most of the cost of
	// this middleware. The sets are bounded (routes x methods x statuses).
	type labels struct {
		route, method string
		status        int
	}
	type series struct {
		count   prometheus.Counter
		latency prometheus.Observer
	}
	var (
		mu    sync.RWMutex
		known = map[labels]series{}
	)
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		k := labels{route: c.FullPath(), method: c.Request.Method, status: c.Writer.Status()}
		if k.route == "" {
			k.route = "unmatched"
		}
		switch k.method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		default:
			k.method = "other" // methods are client-chosen strings: bound the label
		}
		mu.RLock()
		m, ok := known[k]
		mu.RUnlock()
		if !ok {
			status := strconv.Itoa(k.status)
			m = series{
				count:   count.WithLabelValues(k.route, k.method, status),
				latency: latency.WithLabelValues(k.route, k.method, status),
			}
			mu.Lock()
			known[k] = m
			mu.Unlock()
		}
		m.count.Inc()
		m.latency.Observe(time.Since(start).Seconds())
	}
}
