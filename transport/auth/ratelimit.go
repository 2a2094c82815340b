package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets by key (an IP, an account, a member),
// bounded in memory: idle buckets are evicted when the map grows past its
// bound, so an attacker spraying keys costs at most MaxKeys buckets.
type Limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	maxKeys int
	idle    time.Duration
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// LimitSpec is a rate: Burst events at once, then one per Every.
type LimitSpec struct {
	Every time.Duration
	Burst int
}

// NewLimiter returns a keyed limiter. now may be nil (time.Now).
func NewLimiter(spec LimitSpec, maxKeys int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	// A bucket idle for as long as it takes to refill completely holds no
	// information: dropping it is the same as keeping it.
	idle := spec.Every * time.Duration(spec.Burst)
	return &Limiter{
		every: rate.Every(spec.Every), burst: spec.Burst, maxKeys: maxKeys, idle: idle,
		now: now, buckets: map[string]*bucket{},
	}
}

// Allow takes one token for key. When none is left it reports how long until
// one is.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evict drops idle buckets; if all are busy, the oldest half goes (the
// price of a key flood is then paid by the flood's own keys, mostly).
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.idle {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.maxKeys {
		return
	}
	n := 0
	for k := range l.buckets { // map order is random: a random half
		delete(l.buckets, k)
		if n++; n >= l.maxKeys/2 {
			break
		}
	}
}

// Len is the number of buckets held (for tests and metrics).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
