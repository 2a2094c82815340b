package transport

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one readiness condition: the store reachable, the search index
// reachable, a projection caught up. It returns nil when ready.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// checkTimeout bounds a readiness probe so a hung dependency reads as "not
// ready" rather than hanging the orchestrator's probe.
const checkTimeout = 2 * time.Second

func healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func readyz(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), checkTimeout)
		defer cancel()
		status := http.StatusOK
		results := make(map[string]string, len(checks))
		for _, ch := range checks {
			if err := ch.Fn(ctx); err != nil {
				status = http.StatusServiceUnavailable
				results[ch.Name] = err.Error()
				continue
			}
			results[ch.Name] = "ok"
		}
		state := "ready"
		if status != http.StatusOK {
			state = "not ready"
		}
		c.JSON(status, gin.H{"status": state, "checks": results})
	}
}
