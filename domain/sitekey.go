package domain

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/settlenet/settlenet/eventstore"
)

// Site keys are secrets every engine instance on one store must agree on
// (the key of the pages' form tokens: a form rendered by one instance is
// posted to whichever one the load balancer picks). Keeping them in the
// log, as sessions are, makes instances agree with no configuration and
// makes a key outlive restarts; the log already holds password hashes and
// session hashes, so it is no less guarded than a key file would be.
const TypeSiteKeyCreated = "SiteKeyCreated"

// SiteKeyStreamPrefix names the stream of one key: site-key-<purpose>.
const SiteKeyStreamPrefix = "site-key-"

// siteKeySize is 256 bits, an HMAC-SHA-256 key's natural size.
const siteKeySize = 32

// SiteKeyCreated records a random key for one purpose. The first instance
// to need it appends it; the others read it.
type SiteKeyCreated struct {
	Purpose string `json:"purpose"`
	Key     []byte `json:"key"` // base64 in JSON
}

func (SiteKeyCreated) EventType() string { return TypeSiteKeyCreated }

// SiteKey returns the key for purpose, creating it on first use. Instances
// racing to create it agree: one append wins ("no stream"), the others
// read the winner's key.
func (s *Service) SiteKey(ctx context.Context, purpose string) ([]byte, error) {
	if purpose == "" {
		return nil, invalid("purpose", CodeRequired)
	}
	stream := SiteKeyStreamPrefix + purpose
	for range 2 {
		key, err := s.readSiteKey(ctx, stream)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, eventstore.ErrStreamNotFound) {
			return nil, err
		}
		fresh := make([]byte, siteKeySize)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("site key %s: %w", purpose, err)
		}
		_, err = s.appendOwn(ctx, Origin{Actor: "system"}, stream, eventstore.NoStream(), SiteKeyCreated{Purpose: purpose, Key: fresh})
		if err == nil {
			return fresh, nil
		}
		if !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
			return nil, fmt.Errorf("site key %s: %w", purpose, err)
		}
		// Another instance created it first: read theirs.
	}
	return nil, fmt.Errorf("site key %s: created concurrently but unreadable", purpose)
}

func (s *Service) readSiteKey(ctx context.Context, stream string) ([]byte, error) {
	recs, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Max: 1})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	ev, _, err := s.codec.Decode(recs[0])
	if err != nil {
		return nil, err
	}
	k, ok := ev.(SiteKeyCreated)
	if !ok || len(k.Key) < siteKeySize {
		return nil, fmt.Errorf("read %s: %s is not a usable key: %w", stream, recs[0].Type, ErrMalformedEvent)
	}
	return k.Key, nil
}
