package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

const recordVersion = 1

var errCorrupt = errors.New("corrupt record")

var (
	prefixEvent  = []byte("e/")
	prefixStream = []byte("s/")
	prefixID     = []byte("i/")
)

func eventKey(pos uint64) []byte {
	k := make([]byte, 2+8)
	copy(k, prefixEvent)
	binary.BigEndian.PutUint64(k[2:], pos)
	return k
}

// streamPrefix is unambiguous for any stream name because the name is
// length-prefixed: no name's prefix is another name's.
func streamPrefix(stream string) []byte {
	k := make([]byte, 0, 2+binary.MaxVarintLen64+len(stream)+8)
	k = append(k, prefixStream...)
	k = binary.AppendUvarint(k, uint64(len(stream)))
	return append(k, stream...)
}

func streamKey(stream string, rev uint64) []byte {
	return binary.BigEndian.AppendUint64(streamPrefix(stream), rev)
}

func idKey(id eventstore.EventID) []byte { return append(append([]byte{}, prefixID...), id[:]...) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func readU64(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: %d-byte integer", errCorrupt, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

// prefixEnd is the smallest key greater than every key with the prefix.
func prefixEnd(p []byte) []byte {
	end := append([]byte{}, p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

func encodeRecord(dst []byte, id eventstore.EventID, stream string, rev uint64, at time.Time, e eventstore.EventData) []byte {
	dst = append(dst, recordVersion)
	dst = append(dst, id[:]...)
	dst = appendBytes(dst, []byte(stream))
	dst = binary.AppendUvarint(dst, rev)
	dst = binary.AppendVarint(dst, at.UnixNano())
	dst = appendBytes(dst, []byte(e.Type))
	dst = appendBytes(dst, e.Data)
	return appendBytes(dst, e.Metadata)
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decodeRecord parses a stored record. It copies what it keeps, so the input
// may be a buffer Pebble reuses.
func decodeRecord(pos uint64, b []byte) (eventstore.Record, error) {
	var r eventstore.Record
	if len(b) < 17 || b[0] != recordVersion {
		return r, fmt.Errorf("%w at position %d: bad header", errCorrupt, pos)
	}
	copy(r.ID[:], b[1:17])
	d := decoder{b: b[17:]}
	stream := d.bytes()
	r.Revision = d.uvarint()
	nanos := d.varint()
	typ := d.bytes()
	data := d.bytes()
	meta := d.bytes()
	if d.err || len(d.b) != 0 {
		return r, fmt.Errorf("%w at position %d", errCorrupt, pos)
	}
	r.Stream = string(stream)
	r.Type = string(typ)
	// One allocation for both payloads keeps catch-up cheap.
	buf := make([]byte, len(data)+len(meta))
	copy(buf, data)
	copy(buf[len(data):], meta)
	r.Data = buf[:len(data):len(data)]
	r.Metadata = buf[len(data):]
	r.Time = time.Unix(0, nanos).UTC()
	r.Position = eventstore.Position{Commit: pos, Prepare: pos}
	return r, nil
}

type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err || n > uint64(len(d.b)) {
		d.err = true
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}
