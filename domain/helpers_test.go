package domain

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func now0() time.Time { return time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC) }

func ptr[T any](v T) *T { return &v }

// decision is one "given events, when command, then events or error" case,
// whatever the aggregate.
type decision struct {
	name  string
	then  []Event
	err   error  // a sentinel the error must match
	field string // with ErrInvalid: the field the ValidationError must name
	code  string // and, if set, its code
}

func (d decision) check(t *testing.T, got []Event, err error) {
	t.Helper()
	if d.err != nil {
		if !errors.Is(err, d.err) {
			t.Fatalf("error = %v, want %v (events %#v)", err, d.err, got)
		}
		if d.field != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			code, ok := ve.Fields[d.field]
			if !ok {
				t.Fatalf("fields %v do not name %q", ve.Fields, d.field)
			}
			if d.code != "" && code != d.code {
				t.Fatalf("field %q code = %q, want %q", d.field, code, d.code)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if len(got) == 0 && len(d.then) == 0 {
		return
	}
	if !reflect.DeepEqual(got, d.then) {
		t.Fatalf("events\n got %#v\nwant %#v", got, d.then)
	}
}

func registered(id string) MemberRegistered {
	return MemberRegistered{MemberID: id, Email: id + "@example.org", PasswordHash: "h", DisplayName: "Name " + id, Language: "en", RegisteredAt: now0()}
}

func member(id string) Actor    { return Actor{ID: id, Known: true} }
func admin(id string) Actor     { return Actor{ID: id, Known: true, Admin: true} }
func siteMod(id string) Actor   { return Actor{ID: id, Known: true, Moderator: true} }
func suspended(id string) Actor { return Actor{ID: id, Known: true, Suspended: true} }
