package okta

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzLinkHeader checks the Link header parser (RFC 8288) on two header
// lines: a refusal is ErrMalformed on one line; what it accepts writes back
// as a canonical header that parses to the same links, with relation types
// lower case and split on white space. And the after cursor of a next link
// written as Okta writes it, escaped in the URL's query, reads back as it was.
func FuzzLinkHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, line1, line2, cursor string) {
		h := http.Header{"Link": {line1, line2}}
		links, err := parseLinks(h)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parseLinks error %v is not ErrMalformed", err)
			}
			checkOneLine(t, "parseLinks", err)
			if _, cerr := nextCursor(h); cerr == nil {
				t.Fatalf("nextCursor accepted a header parseLinks refuses: %v", err)
			}
		} else {
			var parts []string
			for _, l := range links {
				if strings.Contains(l.URL, ">") {
					t.Fatalf("link URL %q holds the closing '>'", l.URL)
				}
				p := "<" + l.URL + ">"
				for _, r := range l.Rel {
					if r == "" || r != strings.ToLower(r) || len(strings.Fields(r)) != 1 {
						t.Fatalf("relation type %q is not one lower-case word", r)
					}
				}
				if len(l.Rel) > 0 {
					quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(strings.Join(l.Rel, " "))
					p += `; rel="` + quoted + `"`
				}
				parts = append(parts, p)
			}
			canonical := strings.Join(parts, ", ")
			back, err := parseLinks(http.Header{"Link": {canonical}})
			if err != nil || !reflect.DeepEqual(back, links) {
				t.Fatalf("the canonical header %q parses to %+v (err %v), want %+v", canonical, back, err, links)
			}
			if next, err := nextCursor(h); err != nil {
				checkOneLine(t, "nextCursor", err)
			} else if next != "" && !hasNext(links) {
				t.Fatalf("nextCursor found %q without a next link", next)
			}
		}
		// A cursor as Okta sends it, after a self link.
		next := "<https://example.okta.com/api/v1/groups/00g1/users?limit=200>; rel=\"self\", " +
			"<https://example.okta.com/api/v1/groups/00g1/users?after=" + url.QueryEscape(cursor) + "&limit=200>; rel=\"next\""
		got, err := nextCursor(http.Header{"Link": {next}})
		switch {
		case cursor == "" && err == nil:
			t.Fatalf("a next link without a cursor was accepted as %q", got)
		case cursor != "" && (err != nil || got != cursor):
			t.Fatalf("nextCursor(%q) = %q, %v; want %q", next, got, err, cursor)
		}
	})
}

func hasNext(links []link) bool {
	for _, l := range links {
		for _, r := range l.Rel {
			if r == "next" {
				return true
			}
		}
	}
	return false
}

// checkOneLine fails the test unless err's message is one line of text.
func checkOneLine(t *testing.T, what string, err error) {
	t.Helper()
	if msg := err.Error(); strings.TrimSpace(msg) == "" || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
		t.Fatalf("%s: error is not one line of text: %q", what, msg)
	}
}

// fuzzClock is a clock whose Sleep moves it on at once.
type fuzzClock struct {
	now   time.Time
	slept time.Duration
}

func (c *fuzzClock) Now() time.Time { return c.now }

func (c *fuzzClock) Sleep(_ context.Context, d time.Duration) error {
	c.now, c.slept = c.now.Add(d), c.slept+d
	return nil
}

// After moves the clock on by d, as Sleep does, and fires at once.
func (c *fuzzClock) After(d time.Duration) <-chan time.Time {
	_ = c.Sleep(context.Background(), d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// FuzzRateLimitHeaders checks the X-Rate-Limit-* headers (and Date) as the
// limiter reads them: parseRateHeaders takes the numbers as written or
// nothing; a reset Okta puts within a day of its Date keeps its distance
// from the local clock, however skewed; and whatever a response says, the
// next request waits no more than maxRateWait or fails with
// ErrRateLimitWait, on one line.
func FuzzRateLimitHeaders(f *testing.F) {
	f.Fuzz(func(t *testing.T, limit, remaining, reset, date string, share uint8) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		h := http.Header{}
		for k, v := range map[string]string{"X-Rate-Limit-Limit": limit, "X-Rate-Limit-Remaining": remaining,
			"X-Rate-Limit-Reset": reset, "Date": date} {
			if v != "" {
				h.Set(k, v)
			}
		}
		rl, ok := parseRateHeaders(h, now)
		l, err1 := strconv.Atoi(strings.TrimSpace(limit))
		r, err2 := strconv.Atoi(strings.TrimSpace(remaining))
		s, err3 := strconv.ParseInt(strings.TrimSpace(reset), 10, 64)
		if want := err1 == nil && err2 == nil && err3 == nil && l > 0; ok != want {
			t.Fatalf("parseRateHeaders ok = %v, want %v", ok, want)
		}
		if ok {
			if rl.limit != l || rl.remaining != max(r, 0) {
				t.Fatalf("parseRateHeaders = %+v, want limit %d remaining %d", rl, l, max(r, 0))
			}
			if d, err := http.ParseTime(date); err == nil && s > d.Unix()-86400 && s < d.Unix()+86400 {
				if got, want := rl.reset.Sub(now), time.Unix(s, 0).Sub(d); got != want {
					t.Fatalf("reset %v after now, want %v as on Okta's clock", got, want)
				}
			}
		}

		clock := &fuzzClock{now: now}
		lim := newLimiter(float64(share%100+1)/100, clock, func(time.Duration) time.Duration { return 0 }, slog.New(slog.DiscardHandler))
		const family = "/api/v1/groups/{id}/users"
		for i := range 4 {
			before := clock.slept
			err := lim.acquire(context.Background(), family)
			if waited := clock.slept - before; waited > maxRateWait {
				t.Fatalf("request %d waited %v for the rate limit, past %v", i, waited, maxRateWait)
			}
			if err != nil {
				if !errors.Is(err, ErrRateLimitWait) {
					t.Fatalf("acquire: %v, want ErrRateLimitWait", err)
				}
				checkOneLine(t, "acquire", err)
				break
			}
			lim.release(family, h)
		}
	})
}
