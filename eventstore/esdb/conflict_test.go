package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// TestConflictReportsTheServersActual moves the stream between the server's
// conflict and the client hearing of it: Actual must be the revision the
// server reported, not the stream's head read afterwards.
func TestConflictReportsTheServersActual(t *testing.T) {
	srv := startServer(t)
	s := open(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	prefix := fmt.Sprintf("moved-%d-", time.Now().UnixNano())
	existing, missing := prefix+"existing", prefix+"missing"
	if _, err := s.Append(ctx, existing, eventstore.NoStream(), storetest.Event("Moved", 0), storetest.Event("Moved", 1)); err != nil {
		t.Fatal(err)
	}
	var moved sync.Map
	srv.OnConflict(func(stream string) {
		if _, again := moved.LoadOrStore(stream, true); again {
			return
		}
		// Runs inside the server's append handler: another call moves the
		// stream on by three events before the conflict is answered.
		if _, err := s.Append(ctx, stream, eventstore.Any(), storetest.Event("Moved", 2), storetest.Event("Moved", 3), storetest.Event("Moved", 4)); err != nil {
			t.Errorf("move %s: %v", stream, err)
		}
	})
	cases := []struct {
		stream   string
		expected eventstore.ExpectedRevision
		actual   int64 // when the server decided
		head     int64 // after the move
	}{
		{existing, eventstore.Exact(0), 1, 4},
		{missing, eventstore.Exact(3), -1, 2},
	}
	for _, c := range cases {
		_, err := s.Append(ctx, c.stream, c.expected, storetest.Event("Late", 0))
		var wrong *eventstore.WrongExpectedRevisionError
		if !errors.As(err, &wrong) {
			t.Fatalf("append to %s at %s: %v, want a conflict", c.stream, c.expected, err)
		}
		if wrong.Actual != c.actual {
			t.Errorf("append to %s at %s: actual %d, want %d as the server reported it", c.stream, c.expected, wrong.Actual, c.actual)
		}
		recs, err := s.ReadStream(ctx, c.stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 1})
		if err != nil || len(recs) != 1 || int64(recs[0].Revision) != c.head {
			t.Fatalf("%s was not moved to %d: %v %v", c.stream, c.head, recs, err)
		}
	}
}
