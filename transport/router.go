package transport

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options is what the router needs from the wiring in cmd/.
type Options struct {
	Logger   *slog.Logger
	Checks   []Check
	Registry *prometheus.Registry
}

// NewRouter builds the HTTP handler.
func NewRouter(opts Options) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), requestLog(opts.Logger))
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(opts.Checks))
	if opts.Registry != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{})))
	}
	return r
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
