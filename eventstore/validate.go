package eventstore

import (
	"fmt"
	"unicode/utf8"
)

// Limits every adapter enforces, so that a store never holds what another
// adapter could not.
const (
	MaxStreamNameBytes = 512
	MaxTypeBytes       = 256
	MaxEventBytes      = 1 << 20 // data + metadata of one event
)

// ValidateStreamName rejects names no adapter should store: empty, too long,
// not UTF-8, containing control characters, or system ("$") streams.
func ValidateStreamName(name string) error {
	if err := validateName(name, MaxStreamNameBytes); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidStream, err)
	}
	if IsSystem(name) {
		return fmt.Errorf("%w: %q is a system stream", ErrInvalidStream, name)
	}
	return nil
}

// ValidateEvents checks a batch before it is appended.
func ValidateEvents(events []EventData) error {
	if len(events) == 0 {
		return fmt.Errorf("%w: no events", ErrInvalidEvent)
	}
	seen := make(map[EventID]struct{}, len(events))
	for i, e := range events {
		if e.ID.IsZero() {
			return fmt.Errorf("%w: event %d has no id", ErrInvalidEvent, i)
		}
		if _, dup := seen[e.ID]; dup {
			return fmt.Errorf("%w: event id %s appears twice in one append", ErrInvalidEvent, e.ID)
		}
		seen[e.ID] = struct{}{}
		if err := validateName(e.Type, MaxTypeBytes); err != nil {
			return fmt.Errorf("%w: event %d type: %v", ErrInvalidEvent, i, err)
		}
		if len(e.Data)+len(e.Metadata) > MaxEventBytes {
			return fmt.Errorf("%w: event %d is larger than %d bytes", ErrInvalidEvent, i, MaxEventBytes)
		}
	}
	return nil
}

func validateName(name string, max int) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if len(name) > max {
		return fmt.Errorf("name longer than %d bytes", max)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("name is not UTF-8")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("name contains a control character")
		}
	}
	return nil
}
