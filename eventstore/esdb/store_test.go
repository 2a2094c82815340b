package esdb_test

import (
	"os"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/esdb"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// startServer runs a fresh test server for one test.
func startServer(t *testing.T) *esdbtest.Server {
	t.Helper()
	srv, err := esdbtest.Start(t.TempDir(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start test server: %v", err)
	}
	t.Cleanup(func() { srv.Stop() })
	return srv
}

func open(t *testing.T, url string) *esdb.Store {
	t.Helper()
	s, err := esdb.Open(url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the port's suite through the real v4 client against
// the in-process test server speaking EventStoreDB's gRPC protocol.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store { return open(t, startServer(t).URL()) })
}

// TestConformanceRealServer runs the same suite against a real EventStoreDB
// when SETTLENET_TEST_ESDB_URL names one (e.g. esdb://localhost:2113?tls=false).
// Every test writes to streams with unique names and filters $all by them,
// so a shared server with other data is fine.
func TestConformanceRealServer(t *testing.T) {
	url := os.Getenv("SETTLENET_TEST_ESDB_URL")
	if url == "" {
		t.Skip("SETTLENET_TEST_ESDB_URL is not set: skipping the conformance suite against a real EventStoreDB (set it to e.g. esdb://localhost:2113?tls=false to run it)")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store { return open(t, url) })
}
