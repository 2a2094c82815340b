package domain

import (
	"bytes"
	"context"
	"sync"
	"testing"
)

// TestSiteKeyAgreed: instances racing to create a key on one store all end
// up with the same one, and it outlives the services (a restart).
func TestSiteKeyAgreed(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	keys := make([][]byte, 16)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := newTestService(store, Options{}).SiteKey(ctx, "forms")
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = k
		})
	}
	wg.Wait()
	if len(keys[0]) != siteKeySize {
		t.Fatalf("key of %d bytes", len(keys[0]))
	}
	for i, k := range keys {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("instance %d has another key", i)
		}
	}
	again, err := newTestService(store, Options{}).SiteKey(ctx, "forms")
	if err != nil || !bytes.Equal(again, keys[0]) {
		t.Fatalf("after a restart: %x, %v", again, err)
	}
	other, err := newTestService(store, Options{}).SiteKey(ctx, "other")
	if err != nil || bytes.Equal(other, keys[0]) {
		t.Fatalf("another purpose shares the key: %v", err)
	}
	if _, err := newTestService(store, Options{}).SiteKey(ctx, ""); err == nil {
		t.Fatal("a key without a purpose")
	}
}
