package api

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOpenAPIListsEveryRoute keeps docs/openapi.yaml in step with the code:
// every route the API serves is described, and nothing else is.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	data, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]bool{}
	path := ""
	pathRe := regexp.MustCompile(`^  (/\S*):$`)
	opRe := regexp.MustCompile(`^    (get|post|patch|put|delete):$`)
	for line := range strings.SplitSeq(string(data), "\n") {
		if m := pathRe.FindStringSubmatch(line); m != nil {
			path = m[1]
		} else if m := opRe.FindStringSubmatch(line); m != nil && path != "" {
			doc[strings.ToUpper(m[1])+" "+path] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	served := map[string]bool{}
	for _, r := range Routes() {
		k := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		served[k] = true
		if !doc[k] {
			t.Errorf("%s is served but not in docs/openapi.yaml", k)
		}
	}
	// Served by transport's router rather than this package's routes
	// (transport's tests call each of them).
	for _, k := range []string{"GET /live", "GET /healthz", "GET /readyz", "GET /metrics"} {
		if !doc[k] {
			t.Errorf("%s is served but not in docs/openapi.yaml", k)
		}
		served[k] = true
	}
	for k := range doc {
		if !served[k] {
			t.Errorf("%s is in docs/openapi.yaml but not served", k)
		}
	}
}
