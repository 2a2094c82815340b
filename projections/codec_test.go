package projections

import (
	"reflect"
	"testing"

	fastjson "github.com/goccy/go-json"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// FuzzFastDecoderAgrees: the read models decode with goccy/go-json for
// speed; wherever the standard library decodes a record, the fast decoder
// must decode the very same event and metadata, and on any input at all it
// must answer rather than panic.
func FuzzFastDecoderAgrees(f *testing.F) {
	std := domain.NewCodec()
	fast := domain.NewCodec(domain.WithUnmarshaler(fastjson.Unmarshal))
	types := std.Types()
	f.Add(uint8(0), []byte(`{"member_id":"m1","display_name":"Zoë","language":"fr"}`), []byte(`{"actor":"m1","at":"2026-11-23T10:00:00Z","schema":2}`))
	f.Add(uint8(5), []byte(`{"thread_id":"t","body":"\u00e9\ud83d\ude00 <b>","tags":["a","b"]}`), []byte(`{}`))
	f.Add(uint8(9), []byte(`{"group_id":"g","visibility":"open","topics":null,"capacity":3}`), []byte(`{"schema":1}`))
	// goccy/go-json panics on these (upstream issues 575 and 604); the
	// codec must turn that into an error.
	f.Add(uint8(0), []byte(`{"\`), []byte(`{}`))
	f.Add(uint8(3), []byte(`{}`), []byte(`{"\`))
	f.Add(uint8(7), []byte(`{"thread_id":"\u`), []byte(``))
	f.Fuzz(func(t *testing.T, ti uint8, data, meta []byte) {
		rec := eventstore.Record{Type: types[int(ti)%len(types)], Stream: "s", Data: data, Metadata: meta}
		// Whatever the bytes, the fast decoder answers (an error is fine).
		got, gotMD, fastErr := fast.Decode(rec)
		want, wantMD, err := std.Decode(rec)
		if err != nil {
			return
		}
		err = fastErr
		if err != nil {
			t.Fatalf("%s: the standard library decodes %q / %q, the fast decoder fails: %v", rec.Type, data, meta, err)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotMD, wantMD) {
			t.Fatalf("%s: decoders disagree on %q / %q:\nstd  %#v %#v\nfast %#v %#v", rec.Type, data, meta, want, wantMD, got, gotMD)
		}
	})
}
