package eventstore

import (
	"errors"
	"fmt"
)

var (
	// ErrWrongExpectedRevision is what a *WrongExpectedRevisionError matches
	// with errors.Is.
	ErrWrongExpectedRevision = errors.New("wrong expected revision")
	ErrStreamNotFound        = errors.New("stream not found")
	ErrClosed                = errors.New("event store closed")
	ErrInvalidStream         = errors.New("invalid stream name")
	ErrInvalidEvent          = errors.New("invalid event")
	// ErrLocked: another process has the data directory open.
	ErrLocked = errors.New("data directory is locked by another process")
)

// WrongExpectedRevisionError is a failed optimistic concurrency check.
// Actual is the stream's current version: -1 when it has no events.
type WrongExpectedRevisionError struct {
	Stream   string
	Expected ExpectedRevision
	Actual   int64
}

func (e *WrongExpectedRevisionError) Error() string {
	return fmt.Sprintf("append to %q: expected %s, stream is at %d", e.Stream, e.Expected, e.Actual)
}

func (e *WrongExpectedRevisionError) Is(target error) bool { return target == ErrWrongExpectedRevision }
