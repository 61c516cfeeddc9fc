package okta

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rolesync/rolesync/internal/clock"
)

// limiter paces requests per Okta rate-limit bucket. It learns each bucket
// from the X-Rate-Limit-Limit, -Remaining and -Reset headers and lets
// requests through only while the bucket's use, counting requests still in
// flight, stays under share of its limit; past that it waits for the reset.
type limiter struct {
	share float64
	clock clock.Clock
	jit   func(time.Duration) time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	limit     int
	remaining int
	reset     time.Time // local time of the window's reset
	inflight  int
}

// defaultWindow is Okta's rate-limit window, assumed until a response says.
const defaultWindow = time.Minute

// maxRateWait bounds a wait for a rate-limit reset, before a request (the
// share is used up) or after a 429. Okta's windows last a minute; a reset
// further away comes from a wrong X-Rate-Limit-Reset or Date header, and
// waiting for it would stall the run, holding its lock, for as long as the
// header says. Such a wait fails the read instead (errLongWait).
const maxRateWait = 2 * time.Minute

// errLongWait is the error for a rate-limit reset past maxRateWait.
func errLongWait(family string, wait time.Duration) error {
	return fmt.Errorf("%w: Okta's rate limit for %s resets in %s, past the %s a read waits at most; "+
		"check this computer's clock, and try again once Okta's X-Rate-Limit-Reset header gives a reset within a minute",
		ErrRateLimitWait, family, wait.Round(time.Second), maxRateWait)
}

func newLimiter(share float64, clk clock.Clock, jitter func(time.Duration) time.Duration, log *slog.Logger) *limiter {
	return &limiter{share: share, clock: clk, jit: jitter, log: log, buckets: map[string]*bucket{}}
}

// budget is how many requests of the bucket's limit this client may use.
func (l *limiter) budget(limit int) int {
	return max(1, int(math.Floor(l.share*float64(limit))))
}

// acquire waits until a request to family may be sent and reserves it.
// Every successful acquire must be followed by one release. A wait for a
// reset more than maxRateWait away fails with ErrRateLimitWait.
func (l *limiter) acquire(ctx context.Context, family string) error {
	for {
		l.mu.Lock()
		b := l.buckets[family]
		if b == nil {
			b = &bucket{}
			l.buckets[family] = b
		}
		now := l.clock.Now()
		if b.limit > 0 && !now.Before(b.reset) {
			// The window has passed: Okta refilled the bucket.
			b.remaining = b.limit
			b.reset = now.Add(defaultWindow)
		}
		if b.limit == 0 || b.limit-b.remaining+b.inflight < l.budget(b.limit) {
			b.inflight++
			l.mu.Unlock()
			return nil
		}
		until := b.reset.Sub(now)
		limit, remaining := b.limit, b.remaining
		l.mu.Unlock()
		if until > maxRateWait {
			return errLongWait(family, until)
		}
		wait := until + l.jit(time.Second)
		l.log.Debug("okta rate-limit share used, waiting for the reset", "bucket", family,
			"limit", limit, "remaining", remaining, "share", l.share, "wait", wait)
		if err := l.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// release ends a reservation and learns the bucket from the response
// headers (h may be nil when no response arrived).
func (l *limiter) release(family string, h http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[family]
	if b == nil {
		return
	}
	b.inflight--
	rl, ok := parseRateHeaders(h, l.clock.Now())
	if !ok {
		return
	}
	switch {
	case b.limit == 0 || rl.reset.After(b.reset.Add(time.Second)):
		// First sight of the bucket, or a new window.
		b.limit, b.remaining, b.reset = rl.limit, rl.remaining, rl.reset
	default:
		// Responses of one window may arrive out of order: keep the lowest.
		b.limit = rl.limit
		b.remaining = min(b.remaining, rl.remaining)
	}
}

type rateHeaders struct {
	limit, remaining int
	reset            time.Time
}

// parseRateHeaders reads Okta's X-Rate-Limit headers. The reset is epoch
// seconds on Okta's clock; it is moved onto the local clock with the Date
// header, so a skewed local clock neither stalls nor floods.
func parseRateHeaders(h http.Header, now time.Time) (rateHeaders, bool) {
	if h == nil {
		return rateHeaders{}, false
	}
	limit, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")))
	remaining, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")))
	reset, err3 := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		return rateHeaders{}, false
	}
	return rateHeaders{limit: limit, remaining: max(0, remaining), reset: resetTime(h, reset, now)}, true
}

// resetTime converts Okta's reset epoch to local time using the Date header.
func resetTime(h http.Header, reset int64, now time.Time) time.Time {
	serverReset := time.Unix(reset, 0)
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		return now.Add(serverReset.Sub(d))
	}
	return serverReset
}

// routeFamily names the rate-limit bucket a path belongs to: the path with
// its ids replaced, e.g. /api/v1/groups/{id}/users.
func routeFamily(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) >= 3 && segs[0] == "api" {
		for i := 3; i < len(segs); i += 2 {
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}
