package transporttest_test

import (
	"net/http"
	"testing"

	"github.com/settlenet/settlenet/transport/transporttest"
)

// Everything on, served on loopback: it answers, the indexer stops alone,
// and closing twice is closing once.
func TestStartClose(t *testing.T) {
	e, err := transporttest.Start(t.Context(), transporttest.Options{Dir: t.TempDir(), Search: true, Live: true, Pages: true, Listen: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/metrics", "/groups"} {
		res, err := http.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
	e.StopIndexer()
	e.StopIndexer()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(e.URL + "/healthz"); err == nil {
		t.Error("still serving after Close")
	}
}

// Start without a store or a directory to open one in is an error, not a
// panic.
func TestStartNeedsAStore(t *testing.T) {
	if _, err := transporttest.Start(t.Context(), transporttest.Options{}); err == nil {
		t.Fatal("no error")
	}
}
