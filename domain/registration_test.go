package domain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// A member registered by schema-1 code, read back from a real store through
// the service: the stored bytes are never rewritten, yet the member loads
// with its display name, is found by email, and keeps working.
func TestServiceLoadsMemberStoredAsV1(t *testing.T) {
	st := openStore(t)
	s := newTestService(st, Options{})
	ctx := context.Background()
	const id, email = "v1member", "ana@example.org"
	v1 := eventstore.EventData{
		ID:       eventstore.NewEventID(),
		Type:     TypeMemberRegistered,
		Data:     []byte(`{"member_id":"v1member","email":"ana@example.org","password_hash":"$argon2id$v=19$x","name":"Ana Tremblay","province":"QC","language":"fr","registered_at":"2025-03-01T10:00:00Z"}`),
		Metadata: []byte(`{"event_id":"0190c6b2-6b1a-7c3e-8f00-000000000001","actor":"","correlation_id":"c","causation_id":"c","at":"2025-03-01T10:00:00Z","schema":1}`),
	}
	if _, err := st.Append(ctx, MemberStream(id), eventstore.NoStream(), v1); err != nil {
		t.Fatal(err)
	}
	reserved, err := s.Codec().Encode(EmailReserved{MemberID: id, EmailKey: EmailKey(email)}, Metadata{At: now0()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, EmailStream(email), eventstore.NoStream(), reserved); err != nil {
		t.Fatal(err)
	}

	m, err := s.LoadMember(ctx, id)
	if err != nil {
		t.Fatalf("LoadMember: %v", err)
	}
	if !m.Registered || m.DisplayName != "Ana Tremblay" || m.Email != email || m.Language != "fr" || m.Province != "QC" {
		t.Fatalf("v1 member loaded as %+v", m)
	}
	if got, err := s.MemberIDByEmail(ctx, "  ANA@example.org"); err != nil || got != id {
		t.Fatalf("MemberIDByEmail = %q, %v; want %q", got, err, id)
	}
	// The lookup's view of the v1 member (registered) holds the email.
	if _, err := s.Register(ctx, origin(""), RegisterMember{Email: email, PasswordHash: "h", DisplayName: "Other", Language: "en"}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("registering the v1 member's email again: %v", err)
	}
	// A command folds the v1 event and appends after it.
	bio := "Coordinatrice"
	if _, err := s.UpdateProfile(ctx, origin(id), id, UpdateProfile{Bio: &bio}); err != nil {
		t.Fatalf("update the v1 member: %v", err)
	}
	if m, err := s.LoadMember(ctx, id); err != nil || m.DisplayName != "Ana Tremblay" || m.Bio != bio {
		t.Fatalf("after update: %+v, %v", m, err)
	}
	recs := readAll(t, st, MemberStream(id))
	if string(recs[0].Data) != string(v1.Data) {
		t.Fatalf("the v1 payload was rewritten: %s", recs[0].Data)
	}
}

// lostMemberAppend fails the first append to one stream without writing it,
// as a registration whose process stopped after reserving the email does.
type lostMemberAppend struct {
	EventStore
	stream string
	once   sync.Once
}

var errLost = errors.New("connection lost")

func (l *lostMemberAppend) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	lost := false
	if stream == l.stream {
		l.once.Do(func() { lost = true })
	}
	if lost {
		return eventstore.AppendResult{}, errLost
	}
	return l.EventStore.Append(ctx, stream, expected, events...)
}

// A registration retried with its own member id finds the email reserved by
// its first attempt: it completes at once, instead of fencing its own member
// stream and reporting the email taken.
func TestServiceRegistrationRetryWithItsOwnID(t *testing.T) {
	st := openStore(t)
	const id, email = "retried", "retry@example.org"
	store := &lostMemberAppend{EventStore: st, stream: MemberStream(id)}
	s := newTestService(store, Options{ReservationWait: time.Second})
	ctx := context.Background()
	cmd := RegisterMember{MemberID: id, Email: email, PasswordHash: "h", DisplayName: "Retried", Language: "fr"}
	if _, err := s.Register(ctx, origin(""), cmd); !errors.Is(err, errLost) {
		t.Fatalf("first attempt: %v, want the lost append", err)
	}
	start := time.Now()
	r, err := s.Register(ctx, origin(""), cmd)
	if err != nil {
		t.Fatalf("retry with the same member id: %v", err)
	}
	if r.MemberID != id {
		t.Fatalf("retry registered %q, want %q", r.MemberID, id)
	}
	// The holder is known at once: no wait for a member stream to appear.
	if d := time.Since(start); d >= time.Second {
		t.Fatalf("the retry waited %v for itself", d)
	}
	if got, err := s.MemberIDByEmail(ctx, email); err != nil || got != id {
		t.Fatalf("MemberIDByEmail = %q, %v; want %q", got, err, id)
	}
	if m, err := s.LoadMember(ctx, id); err != nil || m.DisplayName != "Retried" {
		t.Fatalf("LoadMember = %+v, %v", m, err)
	}
	recs := readAll(t, st, MemberStream(id))
	if len(recs) != 1 || recs[0].Type != TypeMemberRegistered {
		t.Fatalf("member stream: %d events, first %s; want only MemberRegistered", len(recs), recs[0].Type)
	}
	if n := len(readAll(t, st, EmailStream(email))); n != 1 {
		t.Fatalf("reservation stream has %d events, want 1 (no takeover from itself)", n)
	}
}
