package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// sampleEvents holds one event of every type, with every field set where
// that matters for the round trip.
func sampleEvents() []Event {
	until := now0().Add(time.Hour)
	end := now0().Add(2 * time.Hour)
	return []Event{
		registered("m1"),
		RegistrationAbandoned{MemberID: "m1", EmailKey: "k", TakenOverBy: "m2"},
		MemberProfileUpdated{MemberID: "m1", DisplayName: "A", Bio: "b", Language: "fr", Changed: []string{"bio"}, By: "m1"},
		PasswordChanged{MemberID: "m1", PasswordHash: "h", By: "m1"},
		MemberSuspended{MemberID: "m1", Reason: "r", Until: &until, By: "a"},
		MemberReinstated{MemberID: "m1", By: "a"},
		MemberRoleGranted{MemberID: "m1", Role: RoleAdmin, By: "a", Reason: "r"},
		MemberRoleRevoked{MemberID: "m1", Role: RoleAdmin, By: "a", Reason: "r"},
		EmailReserved{MemberID: "m1", EmailKey: "k"},
		created(VisibilityOpen),
		joined("m1"),
		JoinRequested{GroupID: "g1", MemberID: "m1"},
		JoinRequestApproved{GroupID: "g1", MemberID: "m1", By: "o"},
		JoinRequestRejected{GroupID: "g1", MemberID: "m1", By: "o", Reason: "r"},
		MemberInvited{GroupID: "g1", MemberID: "m1", By: "o"},
		MemberLeftGroup{GroupID: "g1", MemberID: "m1"},
		MemberRemovedFromGroup{GroupID: "g1", MemberID: "m1", By: "o", Reason: "r"},
		appointed("m1"),
		GroupOwnershipTransferred{GroupID: "g1", From: "o", To: "m1"},
		GroupModeratorDismissed{GroupID: "g1", MemberID: "m1", By: "o"},
		GroupUpdated{GroupID: "g1", Name: "N", Description: "D", Language: LanguageBilingual, Topics: []string{"t"}, Province: "NU", Changed: []string{"name", "province"}, By: "o"},
		GroupVisibilityChanged{GroupID: "g1", From: VisibilityOpen, To: VisibilityPrivate, By: "o", Reason: "R"},
		ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "a", Title: "T", Body: "B", Language: "en", Kind: KindEvent, Tags: []string{"x"},
			Event: &EventDetails{StartsAt: now0(), EndsAt: &end, Location: "L", OnlineURL: "https://x.org", Capacity: ptr(3)}},
		reply(p1, "m1"),
		ThreadStarted{ThreadID: "t9", GroupID: "g1", PostID: "t9.p", AuthorID: "a", Title: "Job", Body: "B", Language: "fr", Kind: KindJob, Tags: []string{},
			Job: &JobDetails{Organization: "O", Location: "L", EmploymentType: EmploymentContract, Salary: "S", Deadline: "2026-12-01", ApplyURL: "https://x.org/a"}},
		PostEdited{ThreadID: th, PostID: p1, Body: "b", EditorID: "m1"},
		PostDeleted{ThreadID: th, PostID: p1, By: "m1"},
		ReactionAdded{ThreadID: th, PostID: p1, MemberID: "m2", Kind: ReactionLike, PostAuthorID: "m1"},
		ReactionRemoved{ThreadID: th, PostID: p1, MemberID: "m2", Kind: ReactionLike},
		PostFlagged{ThreadID: th, PostID: p1, MemberID: "m2", Reason: "r", PostAuthorID: "m1"},
		FlagResolved{ThreadID: th, PostID: p1, FlaggerID: "m2", Resolution: FlagDismissed, By: "o", PostAuthorID: "m1"},
		PostHidden{ThreadID: th, PostID: p1, By: "o", Reason: "r"},
		PostRestored{ThreadID: th, PostID: p1, By: "o"},
		ThreadLocked{ThreadID: th, By: "o"},
		ThreadUnlocked{ThreadID: th, By: "o"},
		ThreadPinned{ThreadID: th, By: "o"},
		ThreadUnpinned{ThreadID: th, By: "o"},
		ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr", By: "o"},
		ThreadTranslationUnlinked{ThreadID: th, GroupID: "g1", TranslationID: "t2", By: "o"},
		RsvpChanged{ThreadID: th, MemberID: "m1", Status: RsvpGoing, Previous: RsvpWaitlisted, Promoted: true, PromotedAfter: "m2"},
		ThreadEdited{ThreadID: th, GroupID: "g1", Title: "T2", Tags: []string{"y"}, Event: &EventDetails{StartsAt: now0(), Location: "M"},
			Changed: []string{ChangedTitle, ChangedEventLocation}, EditorID: "o", AuthorID: "a"},
		EngagementRolledUp{PeriodStart: now0(), PeriodSeconds: 60, PageViews: 10, Sessions: 2, Node: "n1"},
		SessionStarted{SessionHash: "h", MemberID: "m1", ExpiresAt: now0(), UserAgent: "ua"},
		SessionEnded{SessionHash: "h", MemberID: "m1", Reason: SessionEndLogout},
		NotificationsRead{MemberID: "m1", IDs: []string{"n1"}},
		SiteKeyCreated{Purpose: "forms", Key: []byte("0123456789abcdef0123456789abcdef")},
	}
}

func TestCodecRoundTripsEveryType(t *testing.T) {
	c := NewCodec()
	samples := sampleEvents()
	if len(samples) != len(c.Types())+1 { // two ThreadStarted: an event and a job
		t.Fatalf("%d samples for %d registered types", len(samples), len(c.Types()))
	}
	for _, e := range samples {
		md := Metadata{Actor: "m1", CorrelationID: "corr", CausationID: "cause", At: now0().In(time.FixedZone("EST", -5*3600))}
		d, err := c.Encode(e, md)
		if err != nil {
			t.Fatalf("encode %T: %v", e, err)
		}
		if d.Type != e.EventType() || d.ID.IsZero() {
			t.Fatalf("encoded %+v", d)
		}
		if strings.Contains(string(d.Data), `"ThreadID"`) || strings.Contains(string(d.Data), `"MemberID"`) {
			t.Fatalf("%s payload has non-snake_case keys: %s", d.Type, d.Data)
		}
		if !strings.Contains(string(d.Metadata), `"at":"2026-11-02T15:04:05Z"`) {
			t.Fatalf("metadata time is not UTC RFC 3339: %s", d.Metadata)
		}
		got, gotMD, err := c.Decode(eventstore.Record{ID: d.ID, Stream: "s", Type: d.Type, Data: d.Data, Metadata: d.Metadata})
		if err != nil {
			t.Fatalf("decode %s: %v", d.Type, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip of %s\n got %#v\nwant %#v", d.Type, got, e)
		}
		if gotMD.EventID != d.ID.String() || gotMD.Actor != "m1" || gotMD.CorrelationID != "corr" || gotMD.CausationID != "cause" ||
			!gotMD.At.Equal(now0()) || gotMD.Schema != c.SchemaVersion(d.Type) {
			t.Fatalf("metadata %+v", gotMD)
		}
	}
}

// A MemberRegistered written by schema-1 code, bytes as they sit in the store.
func TestDecodeUpcastsMemberRegisteredV1(t *testing.T) {
	c := NewCodec()
	rec := eventstore.Record{
		Stream: "member-abc", Type: TypeMemberRegistered,
		Data:     []byte(`{"member_id":"abc","email":"ana@example.org","password_hash":"$argon2id$v=19$x","name":"Ana Tremblay","province":"QC","language":"fr","registered_at":"2025-03-01T10:00:00Z"}`),
		Metadata: []byte(`{"event_id":"0190c6b2-6b1a-7c3e-8f00-000000000001","actor":"","correlation_id":"c","causation_id":"c","at":"2025-03-01T10:00:00Z","schema":1}`),
	}
	e, md, err := c.Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := MemberRegistered{MemberID: "abc", Email: "ana@example.org", PasswordHash: "$argon2id$v=19$x", DisplayName: "Ana Tremblay", Province: "QC", Language: "fr",
		RegisteredAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("got %#v", e)
	}
	if md.Schema != 1 {
		t.Fatalf("metadata schema %d: Decode should report the version written", md.Schema)
	}
	// Schema 1 is also what metadata-less records are taken to be.
	rec.Metadata = nil
	if e, _, err := c.Decode(rec); err != nil || e.(MemberRegistered).DisplayName != "Ana Tremblay" {
		t.Fatalf("without metadata: %#v, %v", e, err)
	}
	if FoldMember(e).DisplayName != "Ana Tremblay" {
		t.Fatal("upcast event does not fold")
	}
}

func TestDecodeErrors(t *testing.T) {
	c := NewCodec()
	cases := []struct {
		name string
		rec  eventstore.Record
		want error
	}{
		{"unknown type", eventstore.Record{Type: "MemberTeleported", Data: []byte(`{}`)}, ErrUnknownEvent},
		{"future schema", eventstore.Record{Type: TypeReplyPosted, Data: []byte(`{}`), Metadata: []byte(`{"schema":7}`)}, ErrUnknownEvent},
		{"negative schema", eventstore.Record{Type: TypeReplyPosted, Data: []byte(`{}`), Metadata: []byte(`{"schema":-1}`)}, ErrUnknownEvent},
		{"bad payload", eventstore.Record{Type: TypeReplyPosted, Data: []byte(`{"post_id":`)}, ErrMalformedEvent},
		{"wrong field type", eventstore.Record{Type: TypeReplyPosted, Data: []byte(`{"post_id":3}`)}, ErrMalformedEvent},
		{"bad metadata", eventstore.Record{Type: TypeReplyPosted, Data: []byte(`{}`), Metadata: []byte(`[`)}, ErrMalformedEvent},
		{"v1 payload not an object", eventstore.Record{Type: TypeMemberRegistered, Data: []byte(`null`), Metadata: []byte(`{"schema":1}`)}, ErrMalformedEvent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.Decode(tc.rec)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := c.Encode(nil, Metadata{}); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("encode nil: %v", err)
	}
	if _, err := c.Encode(ThreadPinned{}, Metadata{EventID: "nope"}); err == nil {
		t.Fatal("encode with a malformed event id succeeded")
	}
}

func FuzzDecode(f *testing.F) {
	c := NewCodec()
	for _, e := range sampleEvents() {
		d, err := c.Encode(e, Metadata{At: now0()})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d.Type, d.Data, d.Metadata)
	}
	f.Add(TypeMemberRegistered, []byte(`{"name":"x","display_name":"y"}`), []byte(`{"schema":1}`))
	f.Add(TypeMemberRegistered, []byte(`[1,2]`), []byte(`{"schema":1}`))
	f.Add("", []byte{}, []byte{})
	f.Add(TypeRsvpChanged, []byte(`{"status":null}`), []byte(`{"schema":1e9}`))
	f.Fuzz(func(t *testing.T, typ string, data, meta []byte) {
		e, _, err := c.Decode(eventstore.Record{Stream: "s", Type: typ, Data: data, Metadata: meta})
		if err != nil {
			if !errors.Is(err, ErrUnknownEvent) && !errors.Is(err, ErrMalformedEvent) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		if e.EventType() != typ {
			t.Fatalf("decoded %s as %s", typ, e.EventType())
		}
		// Whatever decodes must fold without panicking and re-encode.
		EvolveMember(MemberState{}, e)
		EvolveGroup(GroupState{}, e)
		EvolveThread(ThreadState{}, e)
		if _, err := json.Marshal(e); err != nil {
			t.Fatalf("re-encode: %v", err)
		}
	})
}

// A job thread written before schema 2 (no "job"; the old form put the
// details in the body) reads as a job without details; a schema 2 payload
// keeps them.
func TestDecodeThreadStartedV1AndV2(t *testing.T) {
	c := NewCodec()
	if v := c.SchemaVersion(TypeThreadStarted); v != 2 {
		t.Fatalf("ThreadStarted schema %d", v)
	}
	v1 := eventstore.Record{Stream: "thread-t1", Type: TypeThreadStarted,
		Data:     []byte(`{"thread_id":"t1","group_id":"g1","post_id":"t1.p","author_id":"a","title":"Counsellor","body":"**Organization**: Centre\n\nFull time.","language":"en","kind":"job","tags":null}`),
		Metadata: []byte(`{"event_id":"0190c6b2-6b1a-7c3e-8f00-000000000002","actor":"a","at":"2026-01-05T10:00:00Z","schema":1}`)}
	e, md, err := c.Decode(v1)
	if err != nil {
		t.Fatal(err)
	}
	ts := e.(ThreadStarted)
	if ts.Kind != KindJob || ts.Job != nil || ts.Title != "Counsellor" || md.Schema != 1 {
		t.Fatalf("v1: %#v schema %d", ts, md.Schema)
	}
	if st := FoldThread(ts); st.Job != nil || st.Kind != KindJob {
		t.Fatalf("v1 folded: %+v", st)
	}
	v2 := v1
	v2.Data = []byte(`{"thread_id":"t1","group_id":"g1","post_id":"t1.p","author_id":"a","title":"Counsellor","body":"Full time.","language":"en","kind":"job","tags":[],"job":{"organization":"Centre","deadline":"2026-02-01","apply_url":"https://example.org/a"}}`)
	v2.Metadata = []byte(`{"event_id":"0190c6b2-6b1a-7c3e-8f00-000000000003","actor":"a","at":"2026-01-05T10:00:00Z","schema":2}`)
	e, _, err = c.Decode(v2)
	if err != nil {
		t.Fatal(err)
	}
	if j := e.(ThreadStarted).Job; j == nil || *j != (JobDetails{Organization: "Centre", Deadline: "2026-02-01", ApplyURL: "https://example.org/a"}) {
		t.Fatalf("v2 job: %#v", j)
	}
	v2.Metadata = []byte(`{"schema":3}`)
	if _, _, err := c.Decode(v2); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("schema 3: %v", err)
	}
}

// Role events written before schema 2 have no reason and read as such.
func TestDecodeRoleEventsV1(t *testing.T) {
	c := NewCodec()
	for typ, want := range map[string]Event{
		TypeMemberRoleGranted: MemberRoleGranted{MemberID: "m1", Role: RoleModerator, By: "a"},
		TypeMemberRoleRevoked: MemberRoleRevoked{MemberID: "m1", Role: RoleModerator, By: "a"},
	} {
		e, md, err := c.Decode(eventstore.Record{Stream: "member-m1", Type: typ, Data: []byte(`{"member_id":"m1","role":"moderator","by":"a"}`),
			Metadata: []byte(`{"schema":1}`)})
		if err != nil || !reflect.DeepEqual(e, want) || md.Schema != 1 || c.SchemaVersion(typ) != 2 {
			t.Fatalf("%s v1: %#v %v schema %d", typ, e, err, md.Schema)
		}
	}
}

// A decoder that panics on some input (goccy/go-json has open issues of
// that kind) gives a malformed-event error, which stops one projection,
// instead of a panic, which would stop the process at every start; and
// malformed input with an escape in it never reaches the fast decoder,
// which reads past the end of some of it.
func TestFastDecoderIsGuarded(t *testing.T) {
	c := NewCodec(WithUnmarshaler(func([]byte, any) error { panic("index out of range [6] with length 4") }))
	for _, r := range []eventstore.Record{
		{Type: TypeMemberRegistered, Stream: "member-m", Data: []byte(`{}`)},
		{Type: TypeMemberRegistered, Stream: "member-m", Data: []byte(`{"display_name":"a\nb"}`), Metadata: []byte(`{}`)},
	} {
		if _, _, err := c.Decode(r); !errors.Is(err, ErrMalformedEvent) {
			t.Fatalf("%q / %q: got %v, want ErrMalformedEvent", r.Data, r.Metadata, err)
		}
	}
	var reached []string
	c = NewCodec(WithUnmarshaler(func(data []byte, v any) error {
		reached = append(reached, string(data))
		return json.Unmarshal(data, v)
	}))
	for _, bad := range []string{`{"\`, `{"display_name\q":1}`, `{"a":"\u12`} {
		if _, _, err := c.Decode(eventstore.Record{Type: TypeMemberRegistered, Stream: "member-m", Data: []byte(bad)}); !errors.Is(err, ErrMalformedEvent) {
			t.Fatalf("%q: got %v, want ErrMalformedEvent", bad, err)
		}
	}
	if len(reached) != 0 {
		t.Fatalf("malformed input with escapes reached the fast decoder: %q", reached)
	}
}
