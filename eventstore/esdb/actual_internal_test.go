package esdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/esdb/esdbtest"
)

// The texts are those of the v4.2.0 client's AppendToStream (esdb/client.go):
// "wrong expected version: expecting '%s' but got '%s'", the expected side
// being a revision, any, no_stream or stream_exists, the current side a
// revision or no_stream; Error() puts the code's sentence in front.
func TestParseActualRevision(t *testing.T) {
	cases := []struct {
		msg  string
		want int64
		ok   bool
	}{
		{"wrong expected version: expecting '3' but got '7'", 7, true},
		{"wrong expected version: expecting '0' but got 'no_stream'", -1, true},
		{"wrong expected version: expecting 'no_stream' but got '0'", 0, true},
		{"wrong expected version: expecting 'stream_exists' but got 'no_stream'", -1, true},
		{"wrong expected version: expecting 'any' but got '41'", 41, true},
		{"wrong expected version: expecting '18446744073709551615' but got '9223372036854775807'", 9223372036854775807, true},
		{"[ErrorCodeWrongExpectedVersion] an append request failed the optimistic concurrency on the server: wrong expected version: expecting '3' but got '12'", 12, true},
		{"", 0, false},
		{"wrong expected version", 0, false},
		{"wrong expected version: expecting '3' but got ''", 0, false},
		{"wrong expected version: expecting '3' but got 'seven'", 0, false},
		{"wrong expected version: expecting '3' but got '7", 0, false},
		{"wrong expected version: expecting '3' but got '-1'", 0, false},
		{"wrong expected version: expecting '3' but got '99999999999999999999'", 0, false},
	}
	for _, c := range cases {
		got, ok := parseActualRevision(c.msg)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("parseActualRevision(%q) = %d, %v; want %d, %v", c.msg, got, ok, c.want, c.ok)
		}
	}
}

// The parser reads what the client actually produces: its own error for a
// conflict, revision and no_stream forms, through the test server.
func TestParseActualRevisionOfClientErrors(t *testing.T) {
	srv, err := esdbtest.Start(t.TempDir(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	s, err := Open(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ev := func() esdb.EventData {
		return esdb.EventData{EventID: uuid.UUID(eventstore.NewEventID()), EventType: "Parsed", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)}
	}
	if _, err := s.client.AppendToStream(ctx, "parsed-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, ev(), ev(), ev()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		stream   string
		expected esdb.ExpectedRevision
		want     int64
	}{
		{"parsed-1", esdb.Revision(0), 2},
		{"parsed-1", esdb.NoStream{}, 2},
		{"parsed-2", esdb.Revision(5), -1},
		{"parsed-2", esdb.StreamExists{}, -1},
	}
	for _, c := range cases {
		_, err := s.client.AppendToStream(ctx, c.stream, esdb.AppendToStreamOptions{ExpectedRevision: c.expected}, ev())
		var esErr *esdb.Error
		if !errors.As(err, &esErr) || esErr.Code() != esdb.ErrorCodeWrongExpectedVersion || esErr.Err() == nil {
			t.Fatalf("append to %s at %T: %v, want a wrong expected version", c.stream, c.expected, err)
		}
		got, ok := parseActualRevision(esErr.Err().Error())
		if !ok || got != c.want {
			t.Errorf("client error %q parsed to %d, %v; want %d", esErr.Err(), got, ok, c.want)
		}
	}
}
