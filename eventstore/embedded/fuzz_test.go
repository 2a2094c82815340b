package embedded

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

func FuzzDecodeRecord(f *testing.F) {
	e := eventstore.EventData{ID: eventstore.NewEventID(), Type: "ReplyPosted", Data: []byte(`{"a":1}`), Metadata: []byte(`{}`)}
	f.Add(encodeRecord(nil, e.ID, "thread-1", 7, time.Now(), e))
	f.Add([]byte{recordVersion})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(1, b)
		if err != nil {
			return
		}
		// Whatever decodes must survive a round trip unchanged (the bytes
		// may differ: a varint can be written in more than one way).
		again, err := decodeRecord(1, encodeRecord(nil, r.ID, r.Stream, r.Revision, r.Time, eventstore.EventData{ID: r.ID, Type: r.Type, Data: r.Data, Metadata: r.Metadata}))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip changed the record: %+v -> %+v (%v)", r, again, err)
		}
	})
}

// FuzzStreamKeys checks that no valid stream's keys can fall inside another
// stream's key range, which would mix their events on a read.
func FuzzStreamKeys(f *testing.F) {
	f.Add("thread-1", "thread-10")
	f.Add("a", "a\x00")
	f.Add("member-é", "member-e")
	f.Fuzz(func(t *testing.T, a, b string) {
		if a == b || eventstore.ValidateStreamName(a) != nil || eventstore.ValidateStreamName(b) != nil {
			return
		}
		pa, pb := streamPrefix(a), streamPrefix(b)
		if bytes.HasPrefix(streamKey(b, 0), pa) || bytes.HasPrefix(streamKey(a, 0), pb) {
			t.Fatalf("stream keys of %q and %q overlap", a, b)
		}
	})
}
