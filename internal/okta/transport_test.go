package okta

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  int // requests answered by fail before the org answers
		fail      func(w http.ResponseWriter, clock *stepClock)
		wantErr   string
		wantCalls int
		// checkSleeps checks the waits of the retries.
		checkSleeps func(t *testing.T, sleeps []time.Duration)
	}{
		{
			name:     "500 then success",
			failures: 1,
			fail: func(w http.ResponseWriter, _ *stepClock) {
				oktaError(w, 500, "E0000009", "Internal Server Error")
			},
			wantCalls: 3, // search + failed page + page
			checkSleeps: func(t *testing.T, s []time.Duration) {
				if len(s) != 1 || s[0] < 125*time.Millisecond || s[0] > 250*time.Millisecond {
					t.Fatalf("backoff sleeps = %v, want one in [125ms, 250ms]", s)
				}
			},
		},
		{
			name:     "429 waits until the reset",
			failures: 1,
			fail: func(w http.ResponseWriter, clock *stepClock) {
				now := clock.Now()
				w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
				w.Header().Set("X-Rate-Limit-Limit", "500")
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(30*time.Second).Unix(), 10))
				oktaError(w, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
			},
			wantCalls: 3,
			checkSleeps: func(t *testing.T, s []time.Duration) {
				if len(s) != 1 || s[0] < 30*time.Second || s[0] > 31*time.Second {
					t.Fatalf("429 sleeps = %v, want one of 30 s plus under 1 s of jitter", s)
				}
			},
		},
		{
			name:     "backoff grows and is capped, then the page fails",
			failures: 100,
			fail: func(w http.ResponseWriter, _ *stepClock) {
				oktaError(w, 503, "E0000010", "Service unavailable")
			},
			wantErr:   "after 5 attempts",
			wantCalls: 6,
			checkSleeps: func(t *testing.T, s []time.Duration) {
				if len(s) != 4 {
					t.Fatalf("sleeps = %v, want 4 retries", s)
				}
				for i, d := range s {
					hi := min(250*time.Millisecond<<i, 8*time.Second)
					if d < hi/2 || d > hi {
						t.Fatalf("retry %d slept %v, want in [%v, %v]", i+1, d, hi/2, hi)
					}
				}
			},
		},
		{
			name:     "429 that persists",
			failures: 100,
			fail: func(w http.ResponseWriter, _ *stepClock) {
				oktaError(w, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
			},
			wantErr:   "E0000047",
			wantCalls: 6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOrgFake(t)
			f.addGroup(gid(1), "Engineering", uid(1))
			clock := newStepClock()
			var n atomic.Int64
			f.hook = func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/users") && n.Add(1) <= int64(tt.failures) {
					tt.fail(w, clock)
					return true
				}
				return false
			}
			c := f.client(t, func(o *Options) { o.Clock = clock })
			s, err := c.Snapshot(context.Background(), []string{"Engineering"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || s != nil {
					t.Fatalf("Snapshot = %v, %v; want error %q", s, err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if s.APICalls != tt.wantCalls {
					t.Fatalf("APICalls = %d, want %d (retries count)", s.APICalls, tt.wantCalls)
				}
			}
			if got := len(f.requestLog()); got != tt.wantCalls {
				t.Fatalf("server saw %d requests, want %d", got, tt.wantCalls)
			}
			if tt.checkSleeps != nil {
				tt.checkSleeps(t, clock.slept())
			}
		})
	}
}

func TestTimeoutIsRetriedThenFails(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	release := make(chan struct{})
	defer close(release)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/users") {
			<-release                   // hold the request past the client's timeout
			panic(http.ErrAbortHandler) // and never answer it
		}
		return false
	}
	c := f.client(t, func(o *Options) { o.Timeout = 20 * time.Millisecond; o.MaxRetries = 1 })
	_, err := c.Snapshot(context.Background(), []string{"Engineering"})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	var pages int
	for _, r := range f.requestLog() {
		if strings.Contains(r, "/users") {
			pages++
		}
	}
	if pages != 2 {
		t.Fatalf("sent the page %d times, want 2 (one retry)", pages)
	}
}

func TestLimiterKeepsUnderShare(t *testing.T) {
	clock := newStepClock()
	l := newLimiter(0.5, clock, func(time.Duration) time.Duration { return 0 }, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	headers := func(limit, remaining int, reset time.Time) http.Header {
		h := http.Header{}
		h.Set("Date", clock.Now().UTC().Format(http.TimeFormat))
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
		return h
	}
	reset := clock.Now().Add(40 * time.Second)
	// Learn the bucket: 10 a minute, 7 left, so 3 used of a share of 5.
	if err := l.acquire(ctx, "/api/v1/groups"); err != nil {
		t.Fatal(err)
	}
	l.release("/api/v1/groups", headers(10, 7, reset))
	// Two more fit under the share while in flight...
	for range 2 {
		if err := l.acquire(ctx, "/api/v1/groups"); err != nil {
			t.Fatal(err)
		}
	}
	if s := clock.slept(); len(s) != 0 {
		t.Fatalf("waited %v under the share", s)
	}
	// ...a third waits for the reset; other buckets do not.
	if err := l.acquire(ctx, "/api/v1/logs"); err != nil {
		t.Fatal(err)
	}
	if err := l.acquire(ctx, "/api/v1/groups"); err != nil {
		t.Fatal(err)
	}
	if s := clock.slept(); len(s) != 1 || s[0] != 40*time.Second {
		t.Fatalf("sleeps = %v, want one wait of 40 s for the reset", s)
	}
	// A cancelled context stops the wait.
	l.release("/api/v1/groups", headers(10, 0, clock.Now().Add(time.Minute)))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.acquire(cctx, "/api/v1/groups"); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire with a cancelled context = %v", err)
	}
}

func TestRouteFamily(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/groups":                               "/api/v1/groups",
		"/api/v1/groups/00g1/users":                    "/api/v1/groups/{id}/users",
		"/api/v1/users/00u1":                           "/api/v1/users/{id}",
		"/api/v1/logs":                                 "/api/v1/logs",
		"/oauth2/v1/token":                             "/oauth2/v1/token",
		"/api/v1/groups/00g1/users/00u2":               "/api/v1/groups/{id}/users/{id}",
		"/api/v1/users/00u1/lifecycle/suspend":         "/api/v1/users/{id}/lifecycle/{id}",
		"/api/v1/apps/0oa1/credentials/jwks/kid-value": "/api/v1/apps/{id}/credentials/{id}/kid-value",
	} {
		if got := routeFamily(path); got != want {
			t.Errorf("routeFamily(%s) = %s, want %s", path, got, want)
		}
	}
}

func TestParseLinks(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
		err   bool
	}{
		{"Okta, one line per rel", []string{`<https://x.okta.com/api/v1/groups?limit=2>; rel="self"`, `<https://x.okta.com/api/v1/groups?after=00g2&limit=2>; rel="next"`}, "00g2", false},
		{"comma-separated", []string{`<https://x/a?limit=2>; rel="self", <https://x/a?after=c%3D1&limit=2>; rel="next"`}, "c=1", false},
		{"unquoted rel, extra params", []string{`<https://x/a?after=z>; title="a, b; c"; rel=next`}, "z", false},
		{"last page", []string{`<https://x/a?limit=2>; rel="self"`}, "", false},
		{"no links", nil, "", false},
		{"next without cursor", []string{`<https://x/a?limit=2>; rel="next"`}, "", true},
		{"garbage", []string{`https://x/a; rel="next"`}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tt.lines {
				h.Add("Link", l)
			}
			got, err := nextCursor(h)
			if (err != nil) != tt.err || got != tt.want {
				t.Fatalf("nextCursor = %q, %v; want %q (error %v)", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestAPIErrorMessages(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"bad token", 401, `{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorId":"oae1"}`, []string{"E0000011", "rolesync secrets set okta-api-token", "oae1"}},
		{"no role", 403, `{"errorCode":"E0000006","errorSummary":"You do not have permission"}`, []string{"E0000006", "Read-only Administrator"}},
		{"not found", 404, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00g1 (UserGroup)"}`, []string{"E0000007", "00g1"}},
		{"rate limit", 429, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}`, []string{"E0000047", "sync interval"}},
		{"oauth scope", 403, `{"error":"insufficient_scope","error_description":"The access token provided does not contain the required scopes."}`, []string{"insufficient_scope", "Okta API Scopes"}},
		{"not JSON", 502, `<html>Bad gateway</html>`, []string{"HTTP 502"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := parseAPIError(tt.status, []byte(tt.body))
			for _, w := range tt.want {
				if !strings.Contains(e.Error(), w) {
					t.Fatalf("%q lacks %q", e.Error(), w)
				}
			}
		})
	}
}

func TestNetworkErrorsAreNamed(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		target error
		advice string
	}{
		{"unknown CA", x509.UnknownAuthorityError{}, ErrCertificate, "okta.ca_file"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "exampel.okta.com", IsNotFound: true}, ErrUnknownHost, "okta.domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classifyNetError("exampel.okta.com", fmt.Errorf("dial: %w", tt.err))
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.advice) {
				t.Fatalf("classifyNetError = %v", err)
			}
		})
	}
}

func TestUntrustedCertificate(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	// The system roots do not hold httptest's CA.
	c, err := NewClient(Options{Domain: f.srv.URL, Auth: func(b http.RoundTripper) http.RoundTripper { return APITokenTransport(orgToken, b) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Snapshot(context.Background(), []string{"Engineering"})
	if !errors.Is(err, ErrCertificate) {
		t.Fatalf("err = %v, want ErrCertificate", err)
	}
	if len(f.requestLog()) != 0 {
		t.Fatal("a request got through an untrusted TLS connection")
	}
}
