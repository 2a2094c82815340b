package transport_test

import (
	"strings"
	"testing"
)

// TestRequestMetrics: /metrics counts requests and times them by route
// pattern, method and status, each label set on its own series.
func TestRequestMetrics(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice := e.register("Alice")
	tid := alice.thread(alice.group("Metrics", "open"), "Counted")["id"].(string)
	for range 3 {
		alice.must(200, "GET", "/api/v1/threads/"+tid, nil)
	}
	alice.must(404, "GET", "/api/v1/threads/missing", nil)
	alice.must(404, "GET", "/api/v1/nowhere", nil)
	text := string(e.anon().must(200, "GET", "/metrics", nil).body)
	for _, want := range []string{
		`settlenet_http_requests_total{method="GET",route="/api/v1/threads/:id",status="200"} 3`,
		`settlenet_http_requests_total{method="GET",route="/api/v1/threads/:id",status="404"} 1`,
		`settlenet_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`settlenet_http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1`,
		`settlenet_http_request_duration_seconds_count{method="GET",route="/api/v1/threads/:id",status="200"} 3`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
