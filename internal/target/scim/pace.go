package scim

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/retry"
)

// DefaultConcurrency is how many requests a Client has in flight at most
// when Options.Concurrency is 0; MaxConcurrency bounds the option.
const (
	DefaultConcurrency = 4
	MaxConcurrency     = 16
)

// growAfter is how many answers in a row that were not 429 let a pacer that
// shrank after a 429 take one more request in flight.
const growAfter = 8

// pacer bounds the requests in flight and spaces them as the provider asks:
// a 429 halves the requests it lets in flight (down to one), growAfter
// answers in a row without one add one back (up to max), and a Retry-After
// or an exhausted rate-limit window pauses every request until it ends.
type pacer struct {
	now func() time.Time

	mu       sync.Mutex
	cond     *sync.Cond
	max      int
	limit    int // requests let in flight now, 1..max
	inflight int
	streak   int       // answers in a row without a 429
	throttle time.Time // after a 429: no request starts before then, unless one is answered
	window   time.Time // the rate-limit window is spent until then
	lowest   int       // the lowest limit so far, for tests and logs
}

func newPacer(max int, now func() time.Time) *pacer {
	p := &pacer{now: now, max: max, limit: max, lowest: max}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// acquire waits for a pause to end (with sleep, unless ownPause says the
// caller has just waited for the pause it set) and for a free slot.
func (p *pacer) acquire(ctx context.Context, sleep func(context.Context, time.Duration) error, ownPause bool) error {
	if !ownPause {
		p.mu.Lock()
		wait := p.throttle.Sub(p.now())
		if w := p.window.Sub(p.now()); w > wait {
			wait = w
		}
		p.mu.Unlock()
		if wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				return err
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.inflight >= p.limit {
		p.cond.Wait()
	}
	p.inflight++
	return nil
}

// unused frees a slot acquired for a request that was not sent.
func (p *pacer) unused() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	p.cond.Broadcast()
}

// release frees a slot; throttled says the answer was a 429.
func (p *pacer) release(throttled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if !throttled {
		// The provider answers again: the pause after a 429 is over.
		p.throttle = time.Time{}
	}
	if throttled {
		p.streak = 0
		p.limit = max(1, p.limit/2)
		p.lowest = min(p.lowest, p.limit)
	} else if p.streak++; p.streak >= growAfter && p.limit < p.max {
		p.streak = 0
		p.limit++
	}
	p.cond.Broadcast()
}

// pause keeps new requests from starting for d after a 429, until one is
// answered.
func (p *pacer) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.now().Add(d); d > 0 && t.After(p.throttle) {
		p.throttle = t
	}
}

// spent keeps new requests from starting for d, until the provider's
// rate-limit window resets.
func (p *pacer) spent(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.now().Add(d); d > 0 && t.After(p.window) {
		p.window = t
	}
}

// limits returns the requests let in flight now and the lowest so far.
func (p *pacer) limits() (now, lowest int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limit, p.lowest
}

// rateLimitWait reads the rate-limit headers of an answer (RateLimit-* of
// the IETF draft, or the common X-RateLimit-*): when no request is left in
// the window, the time until it resets; 0 otherwise. A reset above 10^9 is
// a Unix time, else seconds from now.
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	remaining := first(h, "RateLimit-Remaining", "X-RateLimit-Remaining", "X-Rate-Limit-Remaining")
	if n, err := strconv.Atoi(remaining); err != nil || n > 0 {
		return 0
	}
	reset, err := strconv.ParseInt(first(h, "RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset"), 10, 64)
	if err != nil || reset <= 0 {
		return 0
	}
	if reset > 1e9 {
		return max(time.Unix(reset, 0).Sub(now), 0)
	}
	return time.Duration(min(reset, 3600)) * time.Second
}

func first(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// backoff is the wait before retry attempt+1 of an answer without
// Retry-After: 1 s doubled each attempt, capped at maxWait, with jitter
// (see retry.Backoff).
func (c *Client) backoff(attempt int) time.Duration {
	return retry.Backoff{First: time.Second, Max: c.maxWait, Jitter: c.jitter}.Delay(attempt + 1)
}

// Concurrency returns how many requests the client lets in flight now, and
// the lowest that went down to after 429 answers.
func (c *Client) Concurrency() (now, lowest int) { return c.pace.limits() }
