package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// Metadata is stored as JSON beside every event's payload.
type Metadata struct {
	EventID       string `json:"event_id"`
	Actor         string `json:"actor"`
	CorrelationID string `json:"correlation_id"`
	CausationID   string `json:"causation_id"`
	// At is when the command was decided, from the service's clock, in UTC.
	At time.Time `json:"at"`
	// Schema is the version of the payload's shape, per event type. Decode
	// leaves the version the event was written with (the payload it returns
	// is always upcast to the current one).
	Schema int `json:"schema"`
}

// Upcaster turns the JSON payload of one schema version of an event type
// into the next version's. Old payloads are upcast on read, never rewritten.
type Upcaster func(data []byte) ([]byte, error)

type upcastKey struct {
	typ  string
	from int
}

type typeInfo struct {
	version int
	decode  func(unmarshal Unmarshaler, data []byte) (Event, error)
}

// Codec turns events into store records and back. It knows every event type
// of the domain, the current schema version of each, and the upcasters from
// older versions. It is immutable after NewCodec and safe for concurrent use.
type Codec struct {
	types     map[string]typeInfo
	upcasters map[upcastKey]Upcaster
	unmarshal Unmarshaler
}

// Unmarshaler decodes JSON as encoding/json.Unmarshal does.
type Unmarshaler func(data []byte, v any) error

// CodecOption configures NewCodec.
type CodecOption func(*Codec)

// WithUnmarshaler makes Decode use a faster JSON decoder than the standard
// library's. Rebuilding read models from the whole log is dominated by
// decoding, and the domain itself stays on the standard library.
//
// u only ever sees well-formed JSON where it matters: goccy/go-json, the
// one the engine uses, reads past the end of some malformed input with an
// escape in it (`{"\`; upstream issues 575 and 604), which the race
// detector stops as a fatal error and any build may turn into a fault. So
// input with a backslash is checked with the standard library first (that
// costs twice a fast decode, and only such input pays it; with no
// backslash there is no escape to get wrong), and what fails the check is
// decoded by the standard library, for its error. A panic in u is a
// malformed record too, not a crash: one such record in the log would
// otherwise stop the process at every start.
func WithUnmarshaler(u Unmarshaler) CodecOption {
	return func(c *Codec) {
		c.unmarshal = func(data []byte, v any) (err error) {
			if bytes.IndexByte(data, '\\') >= 0 && !json.Valid(data) {
				return json.Unmarshal(data, v)
			}
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("decoder panicked: %v", p)
				}
			}()
			return u(data, v)
		}
	}
}

// NewCodec returns a codec with every domain event type and upcaster
// registered.
func NewCodec(opts ...CodecOption) *Codec {
	c := &Codec{types: map[string]typeInfo{}, upcasters: map[upcastKey]Upcaster{}, unmarshal: json.Unmarshal}
	for _, o := range opts {
		o(c)
	}
	register[MemberRegistered](c, 2)
	c.upcasters[upcastKey{TypeMemberRegistered, 1}] = upcastMemberRegisteredV1
	register[RegistrationAbandoned](c, 1)
	register[MemberProfileUpdated](c, 1)
	register[PasswordChanged](c, 1)
	register[MemberSuspended](c, 1)
	register[MemberReinstated](c, 1)
	register[MemberRoleGranted](c, 2)
	c.upcasters[upcastKey{TypeMemberRoleGranted, 1}] = upcastOnlyAdded
	register[MemberRoleRevoked](c, 2)
	c.upcasters[upcastKey{TypeMemberRoleRevoked, 1}] = upcastOnlyAdded
	register[EmailReserved](c, 1)
	register[GroupCreated](c, 1)
	register[MemberJoinedGroup](c, 1)
	register[JoinRequested](c, 1)
	register[JoinRequestApproved](c, 1)
	register[JoinRequestRejected](c, 1)
	register[MemberInvited](c, 1)
	register[MemberLeftGroup](c, 1)
	register[MemberRemovedFromGroup](c, 1)
	register[GroupModeratorAppointed](c, 1)
	register[GroupOwnershipTransferred](c, 1)
	register[GroupModeratorDismissed](c, 1)
	register[GroupUpdated](c, 1)
	register[GroupVisibilityChanged](c, 1)
	register[ThreadStarted](c, 2)
	c.upcasters[upcastKey{TypeThreadStarted, 1}] = upcastOnlyAdded
	register[ReplyPosted](c, 1)
	register[PostEdited](c, 1)
	register[PostDeleted](c, 1)
	register[ReactionAdded](c, 1)
	register[ReactionRemoved](c, 1)
	register[PostFlagged](c, 1)
	register[FlagResolved](c, 1)
	register[PostHidden](c, 1)
	register[PostRestored](c, 1)
	register[ThreadLocked](c, 1)
	register[ThreadUnlocked](c, 1)
	register[ThreadPinned](c, 1)
	register[ThreadUnpinned](c, 1)
	register[ThreadTranslationLinked](c, 1)
	register[ThreadTranslationUnlinked](c, 1)
	register[RsvpChanged](c, 1)
	register[ThreadEdited](c, 1)
	register[EngagementRolledUp](c, 1)
	register[SessionStarted](c, 1)
	register[SessionEnded](c, 1)
	register[NotificationsRead](c, 1)
	register[SiteKeyCreated](c, 1)
	return c
}

func register[T Event](c *Codec, version int) {
	var zero T
	c.types[zero.EventType()] = typeInfo{
		version: version,
		decode: func(unmarshal Unmarshaler, data []byte) (Event, error) {
			var v T
			if err := unmarshal(data, &v); err != nil {
				return nil, err
			}
			return v, nil
		},
	}
}

// Types lists every event type the codec knows, so that a projection can
// check at start-up that it handles (or deliberately ignores) each.
func (c *Codec) Types() []string {
	out := make([]string, 0, len(c.types))
	for t := range c.types {
		out = append(out, t)
	}
	slices.Sort(out) // a stable order, so tests that index it reproduce
	return out
}

// SchemaVersion is the current payload version of an event type (0 if the
// type is unknown).
func (c *Codec) SchemaVersion(eventType string) int { return c.types[eventType].version }

// Encode makes the record to append for an event. The metadata's Schema is
// set to the type's current version and At is normalised to UTC; a missing
// EventID gets a fresh one.
func (c *Codec) Encode(e Event, md Metadata) (eventstore.EventData, error) {
	if e == nil {
		return eventstore.EventData{}, fmt.Errorf("encode: nil event: %w", ErrUnknownEvent)
	}
	info, ok := c.types[e.EventType()]
	if !ok {
		return eventstore.EventData{}, fmt.Errorf("encode %q: %w", e.EventType(), ErrUnknownEvent)
	}
	var id eventstore.EventID
	if md.EventID == "" {
		id = eventstore.NewEventID()
		md.EventID = id.String()
	} else {
		var err error
		if id, err = eventstore.ParseEventID(md.EventID); err != nil {
			return eventstore.EventData{}, fmt.Errorf("encode %s: %w", e.EventType(), err)
		}
	}
	md.Schema = info.version
	md.At = md.At.UTC()
	data, err := json.Marshal(e)
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("encode %s payload: %w", e.EventType(), err)
	}
	meta, err := json.Marshal(md)
	if err != nil {
		return eventstore.EventData{}, fmt.Errorf("encode %s metadata: %w", e.EventType(), err)
	}
	return eventstore.EventData{ID: id, Type: e.EventType(), Data: data, Metadata: meta}, nil
}

// Decode reads a stored record, upcasting an old payload to the current
// schema. An unknown type, or a schema newer than this code knows, is an
// error wrapping ErrUnknownEvent; undecodable JSON wraps ErrMalformedEvent.
// Empty metadata is taken as schema 1 (records written by hand).
func (c *Codec) Decode(r eventstore.Record) (Event, Metadata, error) {
	var md Metadata
	info, ok := c.types[r.Type]
	if !ok {
		return nil, md, fmt.Errorf("decode %s@%d (%q): %w", r.Stream, r.Revision, r.Type, ErrUnknownEvent)
	}
	if len(bytes.TrimSpace(r.Metadata)) > 0 {
		if err := c.unmarshal(r.Metadata, &md); err != nil {
			return nil, md, fmt.Errorf("decode %s@%d %s metadata: %w: %v", r.Stream, r.Revision, r.Type, ErrMalformedEvent, err)
		}
	}
	if md.Schema == 0 {
		md.Schema = 1
	}
	if md.Schema < 1 || md.Schema > info.version {
		return nil, md, fmt.Errorf("decode %s@%d %s: schema %d (this code knows up to %d): %w",
			r.Stream, r.Revision, r.Type, md.Schema, info.version, ErrUnknownEvent)
	}
	data := r.Data
	for v := md.Schema; v < info.version; v++ {
		up, ok := c.upcasters[upcastKey{r.Type, v}]
		if !ok {
			return nil, md, fmt.Errorf("decode %s@%d %s: no upcaster from schema %d: %w", r.Stream, r.Revision, r.Type, v, ErrUnknownEvent)
		}
		var err error
		if data, err = up(data); err != nil {
			return nil, md, fmt.Errorf("decode %s@%d %s: upcast from schema %d: %w: %v", r.Stream, r.Revision, r.Type, v, ErrMalformedEvent, err)
		}
	}
	e, err := info.decode(c.unmarshal, data)
	if err != nil {
		return nil, md, fmt.Errorf("decode %s@%d %s payload: %w: %v", r.Stream, r.Revision, r.Type, ErrMalformedEvent, err)
	}
	return e, md, nil
}

// upcastMemberRegisteredV1: schema 1 called the display name "name". A v2
// "display_name" already present (never written by v1 code) wins.
func upcastMemberRegisteredV1(data []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("payload is not an object")
	}
	if name, ok := m["name"]; ok {
		if _, has := m["display_name"]; !has {
			m["display_name"] = name
		}
		delete(m, "name")
	}
	return json.Marshal(m)
}

// upcastOnlyAdded is the upcaster of a version that only added optional
// fields: the older payload is the newer one without them. ThreadStarted 2
// added "job" (the v1 pages wrote a job's details at the head of the body,
// where they stay: prose is not parsed back); MemberRoleGranted and
// MemberRoleRevoked 2 added "reason".
func upcastOnlyAdded(data []byte) ([]byte, error) { return data, nil }
