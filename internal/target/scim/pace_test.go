package scim

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestRateLimitWait(t *testing.T) {
	now := time.Unix(2_000_000_000, 0)
	tests := []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"5"}}, 5 * time.Second},
		{http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"2"}}, 2 * time.Second},
		{http.Header{"X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {"2000000030"}}, 30 * time.Second},
		{http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset": {"5"}}, 0},
		{http.Header{"X-Ratelimit-Remaining": {"0"}}, 0},
		{http.Header{}, 0},
		{http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1999999990"}}, 0},
	}
	for _, tt := range tests {
		if got := rateLimitWait(tt.h, now); got != tt.want {
			t.Errorf("rateLimitWait(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestPacerShrinksOn429AndGrowsBack(t *testing.T) {
	p := newPacer(8, time.Now)
	ctx := context.Background()
	noSleep := func(context.Context, time.Duration) error { return nil }
	for range 2 {
		if err := p.acquire(ctx, noSleep, false); err != nil {
			t.Fatal(err)
		}
		p.release(true)
	}
	if now, lowest := p.limits(); now != 2 || lowest != 2 {
		t.Fatalf("after two 429s: limit %d (lowest %d), want 2", now, lowest)
	}
	for range 6 * growAfter {
		_ = p.acquire(ctx, noSleep, false)
		p.release(false)
	}
	if now, lowest := p.limits(); now != 8 || lowest != 2 {
		t.Fatalf("after the successes: limit %d (lowest %d), want 8 (2)", now, lowest)
	}
}

func TestPacerPausesWithAnInjectedClock(t *testing.T) {
	clock := time.Unix(1000, 0)
	p := newPacer(4, func() time.Time { return clock })
	var slept []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		clock = clock.Add(d)
		return nil
	}
	ctx := context.Background()
	p.pause(3 * time.Second)
	p.spent(5 * time.Second)
	_ = p.acquire(ctx, sleep, false)
	p.release(false) // answered: the 429 pause is over, the window is not
	_ = p.acquire(ctx, sleep, false)
	p.release(false)
	if len(slept) != 1 || slept[0] != 5*time.Second {
		t.Fatalf("slept %v, want [5s] (the longer of the two pauses, once)", slept)
	}
	_ = p.acquire(ctx, sleep, true) // the caller waited for its own pause
	p.release(false)
	if len(slept) != 1 {
		t.Fatalf("slept %v", slept)
	}
}

func TestBackoffIsCappedWithJitter(t *testing.T) {
	c := &Client{maxWait: 5 * time.Second, now: time.Now, jitter: func(d time.Duration) time.Duration { return d }}
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		if got := c.backoff(attempt); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
	c.jitter = nil
	for range 100 {
		if d := c.backoff(2); d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("jittered backoff(2) = %v, want 2 s to 4 s", d)
		}
	}
	c.jitter = func(d time.Duration) time.Duration { return d }
	if d := c.retryAfter("", 60); d != c.maxWait {
		t.Fatalf("retryAfter at a high attempt = %v, want the cap", d)
	}
}
