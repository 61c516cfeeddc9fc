package oktasim

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimits configures the simulator's Okta-style rate limits. The zero
// value means Okta Workforce's defaults.
type RateLimits struct {
	// Disabled turns every limit off; the X-Rate-Limit headers are still sent.
	Disabled bool
	// PerMinute maps a route family to its per-minute bucket: a path
	// prefix ("/api/v1/groups"), or a route whose {…} segments match any
	// one segment, optionally after a method ("GET /api/v1/users/{id}"),
	// which matches that route and the paths under it. The longest match
	// wins, a method-specific one on a tie. Nil means WorkforceLimits.
	PerMinute map[string]int
	// Concurrency is the most requests in flight at once (default 75).
	Concurrency int
	// Share is the fraction of a bucket one token or client may use in a
	// window before it gets 429 (default 0.5, Okta's default; 1 turns it off).
	Share float64
}

// WorkforceLimits are Okta Workforce's per-minute buckets by route family.
// Routes matching no family use the "/" bucket.
var WorkforceLimits = map[string]int{
	"/api/v1/groups":         500,
	"/api/v1/groups/{id}":    1000,
	"GET /api/v1/users/{id}": 2000,
	"/api/v1/users":          600,
	"/api/v1/logs":           120,
	"/api/v1/apps":           100,
	"/oauth2/v1/token":       2000,
	"/oauth2/":               2000,
	"/":                      1200,
}

// limiter keeps fixed one-minute windows per route family and per principal.
type limiter struct {
	cfg      RateLimits
	now      func() time.Time
	mu       sync.Mutex
	buckets  map[string]*bucket
	inFlight int
}

type bucket struct {
	window time.Time
	used   int
	by     map[string]int
}

func newLimiter(cfg RateLimits, now func() time.Time) *limiter {
	if cfg.PerMinute == nil {
		cfg.PerMinute = WorkforceLimits
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 75
	}
	if cfg.Share <= 0 || cfg.Share > 1 {
		cfg.Share = 0.5
	}
	return &limiter{cfg: cfg, now: now, buckets: map[string]*bucket{}}
}

// family returns the route family of a request and its per-minute limit.
func (l *limiter) family(method, path string) (string, int) {
	best, limit, bestLen, bestMethod := "/", 0, -1, false
	for key, n := range l.cfg.PerMinute {
		m, pattern, hasMethod := strings.Cut(key, " ")
		if !hasMethod {
			m, pattern = "", key
		}
		if m != "" && m != method || !routeMatches(pattern, path) {
			continue
		}
		if len(pattern) > bestLen || len(pattern) == bestLen && m != "" && !bestMethod {
			best, limit, bestLen, bestMethod = key, n, len(pattern), m != ""
		}
	}
	if bestLen < 0 {
		return "/", 1200
	}
	return best, limit
}

// routeMatches reports whether path falls under pattern: a plain prefix,
// or, with {…} segments, the pattern's segments leading path's.
func routeMatches(pattern, path string) bool {
	if !strings.Contains(pattern, "{") {
		return strings.HasPrefix(path, pattern)
	}
	ps, segs := strings.Split(strings.Trim(pattern, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) < len(ps) {
		return false
	}
	for i, p := range ps {
		if !strings.HasPrefix(p, "{") && p != segs[i] {
			return false
		}
	}
	return true
}

// acquire counts a request in flight; false means the concurrency limit is hit.
func (l *limiter) acquire() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.cfg.Disabled && l.inFlight >= l.cfg.Concurrency {
		return false
	}
	l.inFlight++
	return true
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
}

// concurrencyError is Okta's answer past the concurrent-request limit:
// E0000047 with its message, and X-Rate-Limit headers that describe the
// concurrency limit (its size, none remaining, a reset a minute away)
// instead of the route's bucket.
func (l *limiter) concurrencyError(h http.Header) *apiError {
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(l.cfg.Concurrency))
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(l.now().Add(time.Minute).Unix(), 10))
	e := errRateLimit()
	e.summary = "API call exceeded the concurrent request limit."
	return e
}

// setExhausted sets the X-Rate-Limit headers of an injected 429: the
// family's limit, nothing remaining, and the end of the current window.
func (l *limiter) setExhausted(h http.Header, method, path string) {
	_, limit := l.family(method, path)
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(l.now().Truncate(time.Minute).Add(time.Minute).Unix(), 10))
}

// take spends one request of the family's bucket for principal key and sets
// the X-Rate-Limit headers. It returns false when the request must get 429,
// either because the bucket is empty or because key has used its share.
func (l *limiter) take(h http.Header, method, path, key string) bool {
	fam, limit := l.family(method, path)
	now := l.now()
	window := now.Truncate(time.Minute)
	l.mu.Lock()
	b := l.buckets[fam]
	if b == nil || !b.window.Equal(window) {
		b = &bucket{window: window, by: map[string]int{}}
		l.buckets[fam] = b
	}
	ok := true
	if !l.cfg.Disabled {
		share := int(float64(limit) * l.cfg.Share)
		if b.used >= limit || (l.cfg.Share < 1 && b.by[key] >= share) {
			ok = false
		}
	}
	if ok {
		b.used++
		b.by[key]++
	}
	remaining := max(0, limit-b.used)
	l.mu.Unlock()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(window.Add(time.Minute).Unix(), 10))
	return ok
}
