package okta

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// gate bounds the client's requests in flight once Okta's concurrent-request
// limit has been met. Unbounded at first, it halves what was in flight at
// each concurrency 429, down to one request at a time, for the client's
// lifetime: other apps share the org's concurrency.
type gate struct {
	mu       sync.Mutex
	limit    int // 0: unbounded
	inflight int
	wake     chan struct{}
}

func newGate() *gate { return &gate{wake: make(chan struct{})} }

// acquire waits for a free place, or until ctx is done.
func (g *gate) acquire(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.limit == 0 || g.inflight < g.limit {
			g.inflight++
			g.mu.Unlock()
			return nil
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees a place and wakes the waiters.
func (g *gate) release() {
	g.mu.Lock()
	g.inflight--
	close(g.wake)
	g.wake = make(chan struct{})
	g.mu.Unlock()
}

// lower halves the requests allowed in flight and returns the new bound.
func (g *gate) lower() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	cur := g.inflight
	if g.limit > 0 {
		cur = min(cur, g.limit)
	}
	g.limit = max(1, cur/2)
	return g.limit
}

// concurrencyLimited reports whether a 429 is Okta's concurrent-request
// limit rather than the route's rate limit: E0000047 with a message about
// concurrency, or X-Rate-Limit headers whose limit is not the bucket the
// limiter has learned for the route (they then describe the concurrency
// limit). Its figures must not be adopted as the bucket's.
func (l *limiter) concurrencyLimited(family string, e *APIError, h http.Header) bool {
	if e.Status != http.StatusTooManyRequests {
		return false
	}
	if (e.Code == CodeRateLimited || e.Code == "") && strings.Contains(strings.ToLower(e.Summary), "concurren") {
		return true
	}
	rl, ok := parseRateHeaders(h, l.clock.Now())
	if !ok {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[family]
	return b != nil && b.limit > 0 && rl.limit != b.limit
}
