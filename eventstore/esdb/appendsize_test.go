package esdb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// TestAppendOverTheServersMaxSize: an append the server refuses as too
// large (EventStoreDB's MaxAppendSize) is an invalid-event error, which
// callers do not retry; the same events in smaller appends go through.
func TestAppendOverTheServersMaxSize(t *testing.T) {
	srv := startServer(t)
	srv.SetMaxAppendSize(64 << 10)
	s := open(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stream := fmt.Sprintf("big-%d", time.Now().UnixNano())
	big := func(i int) eventstore.EventData {
		e := storetest.Event("Big", i)
		e.Data = []byte(`{"body":"` + string(bytes.Repeat([]byte("x"), 40<<10)) + `"}`)
		return e
	}
	if _, err := s.Append(ctx, stream, eventstore.NoStream(), big(0), big(1)); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Fatalf("an append over the server's maximum: %v, want ErrInvalidEvent", err)
	}
	if _, err := s.Append(ctx, stream, eventstore.NoStream(), big(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, stream, eventstore.Exact(0), big(1)); err != nil {
		t.Fatal(err)
	}
}
