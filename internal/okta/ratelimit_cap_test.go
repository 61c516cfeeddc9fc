package okta

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rateLimitHeaders returns Okta's rate-limit headers for a bucket that resets
// at reset, on a server clock that agrees with clock.
func rateLimitHeaders(clock interface{ Now() time.Time }, limit, remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("Date", clock.Now().UTC().Format(http.TimeFormat))
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return h
}

// checkLongWait checks that err is the capped wait's error and that no
// sleep went past the cap.
func checkLongWait(t *testing.T, err error, clock *stepClock) {
	t.Helper()
	if !errors.Is(err, ErrRateLimitWait) || !strings.Contains(err.Error(), "2m0s") {
		t.Fatalf("err = %v, want ErrRateLimitWait naming the 2 minute cap", err)
	}
	for _, d := range clock.slept() {
		if d > 2*time.Minute {
			t.Fatalf("slept %v, past the 2 minute cap (sleeps %v)", d, clock.slept())
		}
	}
}

func TestLimiterWaitIsCapped(t *testing.T) {
	clock := newStepClock()
	l := newLimiter(0.5, clock, func(time.Duration) time.Duration { return 0 }, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	const family = "/api/v1/groups/{id}/users"
	if err := l.acquire(ctx, family); err != nil {
		t.Fatal(err)
	}
	// A reset an hour away, as a bad X-Rate-Limit-Reset gives.
	l.release(family, rateLimitHeaders(clock, 10, 0, clock.Now().Add(time.Hour)))
	err := l.acquire(ctx, family)
	checkLongWait(t, err, clock)
	if !strings.Contains(err.Error(), family) {
		t.Fatalf("err = %v, want the bucket named", err)
	}

	// A wait within the cap is still waited.
	clock2 := newStepClock()
	l = newLimiter(0.5, clock2, func(time.Duration) time.Duration { return 0 }, slog.New(slog.DiscardHandler))
	if err := l.acquire(ctx, family); err != nil {
		t.Fatal(err)
	}
	l.release(family, rateLimitHeaders(clock2, 10, 0, clock2.Now().Add(100*time.Second)))
	if err := l.acquire(ctx, family); err != nil {
		t.Fatalf("a wait of 100 s failed: %v", err)
	}
	if s := clock2.slept(); len(s) != 1 || s[0] != 100*time.Second {
		t.Fatalf("sleeps = %v, want one of 100 s", s)
	}
}

func TestRetryAfter429WaitIsCapped(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	clock := newStepClock()
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/users") {
			return false
		}
		for k, v := range rateLimitHeaders(clock, 500, 0, clock.Now().Add(6*time.Hour)) {
			w.Header()[k] = v
		}
		oktaError(w, 429, CodeRateLimited, "API call exceeded rate limit due to too many requests.")
		return true
	}
	c := f.client(t, func(o *Options) { o.Clock = clock })
	s, err := c.Snapshot(context.Background(), []string{"Engineering"})
	if s != nil {
		t.Fatal("Snapshot succeeded")
	}
	checkLongWait(t, err, clock)
	if !strings.Contains(err.Error(), "Engineering") {
		t.Fatalf("err = %v, want the group named", err)
	}
	var pages int
	for _, r := range f.requestLog() {
		if strings.Contains(r, "/users") {
			pages++
		}
	}
	if pages != 1 {
		t.Fatalf("sent the page %d times, want 1: no retry when the reset is past the cap", pages)
	}
}
