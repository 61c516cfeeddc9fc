// Package retry is the retry policy rolesync's HTTP clients share (the Okta
// client in internal/okta and the SCIM client in internal/target/scim): how
// long to wait before sending a failed request again.
//
// A Backoff gives the wait before each retry: First doubled at every retry,
// capped at Max, then spread by a Jitter so that clients that failed
// together do not retry together. Equal (the default) waits between half of
// the capped delay and all of it; Full waits anywhere below it. RetryAfter
// reads the wait a server asks for in a Retry-After header.
//
// The clients keep their own loops, pacing and error types; this package
// only computes waits, and never sleeps: callers wait through their
// clock.Clock, so tests run retries without sleeping.
package retry

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff is a capped exponential backoff with jitter. The zero value waits
// nothing; set First and Max.
type Backoff struct {
	// First is the delay before the first retry, before jitter.
	First time.Duration
	// Max caps the delay, before and after jitter.
	Max time.Duration
	// Jitter spreads the capped delay d into the wait; nil is Equal.
	// Tests pass None for exact waits.
	Jitter func(d time.Duration) time.Duration
}

// Delay returns the wait before retry n, 1 being the first retry: First
// doubled n-1 times, capped at Max, spread by Jitter, and kept within
// [0, Max]. A doubling that overflows is capped at Max.
func (b Backoff) Delay(n int) time.Duration {
	d := b.First << min(max(n-1, 0), 32)
	if d > b.Max || d <= 0 || d>>min(max(n-1, 0), 32) != b.First {
		d = b.Max
	}
	jitter := b.Jitter
	if jitter == nil {
		jitter = Equal
	}
	return min(max(jitter(d), 0), b.Max)
}

// Equal returns a random wait in [d/2, d]: never less than half the delay,
// so that a retry still backs off, and spread over the other half.
func Equal(d time.Duration) time.Duration {
	if d <= 1 {
		return max(d, 0)
	}
	return d/2 + rand.N(d/2+1)
}

// Full returns a random wait in [0, d), or 0 when d is not positive.
func Full(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

// None returns d unchanged: a backoff without jitter, for tests.
func None(d time.Duration) time.Duration { return d }

// RetryAfter reads the value of a Retry-After header, in seconds or as an
// HTTP date (a date is counted from now), and caps the wait at limit. ok is
// false when the header is empty, negative or neither form; a date in the
// past is read as no wait.
func RetryAfter(value string, now time.Time, limit time.Duration) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Capped before the multiplication, which a huge value overflows.
		secs = min(secs, int64(limit/time.Second)+1)
		return min(time.Duration(secs)*time.Second, limit), true
	}
	if t, err := http.ParseTime(value); err == nil {
		return min(max(t.Sub(now), 0), limit), true
	}
	return 0, false
}
