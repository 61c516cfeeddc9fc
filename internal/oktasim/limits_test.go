package oktasim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	sim := startSim(t, Options{})
	eng := mustGroup(t, sim, "Engineering")
	path := "/api/v1/groups/" + eng.ID + "/users"

	r := call(t, sim, "POST", "/__sim/faults", `{"path_prefix": "/api/v1/groups/", "status": 500, "count": 1}`, "")
	if r.status != 204 {
		t.Fatalf("POST /__sim/faults: %d %s", r.status, r.body)
	}
	r = call(t, sim, "GET", path, "")
	if e := decode[apiErrorJSON](t, r); r.status != 500 || e.ErrorCode != "E0000009" {
		t.Fatalf("first request after fault: %d %s, want 500 E0000009", r.status, r.body)
	}
	if r = call(t, sim, "GET", path, ""); r.status != 200 {
		t.Fatalf("second request: %d, want 200 (the fault is used up)", r.status)
	}

	// An injected 429 carries Okta's headers so that clients can wait for the reset.
	call(t, sim, "POST", "/__sim/faults", `{"path_prefix": "/api/v1/groups/", "status": 429}`, "")
	r = call(t, sim, "GET", path, "")
	if e := decode[apiErrorJSON](t, r); r.status != 429 || e.ErrorCode != "E0000047" ||
		r.header.Get("X-Rate-Limit-Remaining") != "0" || r.header.Get("X-Rate-Limit-Reset") == "" {
		t.Errorf("injected 429: %d %s %v", r.status, r.body, r.header)
	}

	// A prefix that does not match leaves other routes alone.
	call(t, sim, "POST", "/__sim/faults", `{"path_prefix": "/api/v1/logs", "status": 503, "count": 2}`, "")
	if r = call(t, sim, "GET", path, ""); r.status != 200 {
		t.Errorf("non-matching route got %d", r.status)
	}
	if r = call(t, sim, "DELETE", "/__sim/faults", "", ""); r.status != 204 {
		t.Fatalf("DELETE /__sim/faults: %d", r.status)
	}
	if r = call(t, sim, "GET", "/api/v1/logs", ""); r.status != 200 {
		t.Errorf("cleared fault still applied: %d", r.status)
	}

	// reset drops the connection without an answer.
	call(t, sim, "POST", "/__sim/faults", `{"path_prefix": "/api/v1/groups/", "reset": true}`, "")
	req, _ := http.NewRequest("GET", sim.URL()+path, nil)
	req.Header.Set("Authorization", "SSWS "+sim.APIToken())
	if resp, err := sim.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault answered %d, want a dropped connection", resp.StatusCode)
	}
	if r = call(t, sim, "GET", path, ""); r.status != 200 {
		t.Errorf("after the reset: %d", r.status)
	}

	for name, body := range map[string]string{
		"no prefix slash": `{"path_prefix": "api", "status": 500}`,
		"bad status":      `{"path_prefix": "/api", "status": 200}`,
		"nothing to do":   `{"path_prefix": "/api"}`,
		"unknown field":   `{"path_prefix": "/api", "status": 500, "cnt": 1}`,
	} {
		t.Run(name, func(t *testing.T) {
			if r := call(t, sim, "POST", "/__sim/faults", body, ""); r.status != 400 {
				t.Errorf("%s: %d, want 400", body, r.status)
			}
		})
	}
}

func TestFaultDelayHonoursCancellation(t *testing.T) {
	sim := startSim(t, Options{})
	mustNil(t, sim.InjectFault(Fault{PathPrefix: "/api/v1/groups", DelayMS: 60_000}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", sim.URL()+"/api/v1/groups", nil)
	req.Header.Set("Authorization", "SSWS "+sim.APIToken())
	_, err := sim.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the client's deadline", err)
	}
	// Close must not wait for the minute-long delay; the cleanup checks it returns.
}

func TestLatencyHonoursCancellation(t *testing.T) {
	sim := startSim(t, Options{Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", sim.URL()+"/api/v1/groups", nil)
	if _, err := sim.Client().Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestRateLimits(t *testing.T) {
	limits := RateLimits{PerMinute: map[string]int{"/api/v1/groups": 10, "/api/v1/logs": 4, "/": 100}}
	sim := startSim(t, Options{RateLimits: limits})
	eng := mustGroup(t, sim, "Engineering")

	t.Run("headers count down", func(t *testing.T) {
		prev := -1
		for i := range 5 {
			r := call(t, sim, "GET", "/api/v1/groups/"+eng.ID+"/users", "")
			if r.status != 200 {
				t.Fatalf("request %d: %d", i, r.status)
			}
			if r.header.Get("X-Rate-Limit-Limit") != "10" {
				t.Fatalf("X-Rate-Limit-Limit %q, want 10", r.header.Get("X-Rate-Limit-Limit"))
			}
			rem, err := strconv.Atoi(r.header.Get("X-Rate-Limit-Remaining"))
			if err != nil || (prev >= 0 && rem != prev-1) {
				t.Fatalf("X-Rate-Limit-Remaining %q after %d", r.header.Get("X-Rate-Limit-Remaining"), prev)
			}
			prev = rem
			reset, err := strconv.ParseInt(r.header.Get("X-Rate-Limit-Reset"), 10, 64)
			now := time.Now().Unix()
			if err != nil || reset <= now-1 || reset > now+61 {
				t.Fatalf("X-Rate-Limit-Reset %q is not an epoch second within the next minute", r.header.Get("X-Rate-Limit-Reset"))
			}
		}
	})
	t.Run("one token gets at most half the bucket", func(t *testing.T) {
		// The first subtest spent 5 of 10: the API token's share is used up.
		r := call(t, sim, "GET", "/api/v1/groups", "")
		if e := decode[apiErrorJSON](t, r); r.status != 429 || e.ErrorCode != "E0000047" {
			t.Fatalf("status %d %s, want 429 E0000047", r.status, r.body)
		}
		if r.header.Get("X-Rate-Limit-Remaining") != "5" {
			t.Errorf("X-Rate-Limit-Remaining %q, want 5 (the share, not the bucket, is spent)", r.header.Get("X-Rate-Limit-Remaining"))
		}
	})
	t.Run("other families have their own bucket", func(t *testing.T) {
		r := call(t, sim, "GET", "/api/v1/logs", "")
		if r.status != 200 || r.header.Get("X-Rate-Limit-Limit") != "4" {
			t.Errorf("logs: %d limit %q", r.status, r.header.Get("X-Rate-Limit-Limit"))
		}
	})
}

func TestRateLimitBucketExhausted(t *testing.T) {
	sim := startSim(t, Options{RateLimits: RateLimits{PerMinute: map[string]int{"/": 3}, Share: 1}})
	codes := []int{}
	for range 4 {
		codes = append(codes, call(t, sim, "GET", "/api/v1/groups", "").status)
	}
	if codes[2] != 200 || codes[3] != 429 {
		t.Errorf("statuses %v, want 200 200 200 429", codes)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	sim := startSim(t, Options{Latency: time.Minute, RateLimits: RateLimits{PerMinute: map[string]int{"/": 1000}, Concurrency: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, "GET", sim.URL()+"/api/v1/groups", nil)
		req.Header.Set("Authorization", "SSWS "+sim.APIToken())
		if resp, err := sim.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for inFlight(sim) == 0 {
		time.Sleep(time.Millisecond)
	}
	// The slot is held by the first request; the second is refused at once,
	// before the latency.
	r := call(t, sim, "GET", "/api/v1/groups", "")
	if e := decode[apiErrorJSON](t, r); r.status != 429 || e.ErrorCode != "E0000047" || !strings.Contains(e.ErrorSummary, "concurrent") {
		t.Errorf("status %d %s, want 429 E0000047 for the concurrency limit", r.status, r.body)
	}
	cancel()
	<-done
	for inFlight(sim) != 0 {
		time.Sleep(time.Millisecond)
	}
}

func inFlight(s *Server) int {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	return s.limits.inFlight
}

func TestRequestsCountsAPICalls(t *testing.T) {
	sim := startSim(t, Options{})
	call(t, sim, "POST", "/__sim/faults", `{"path_prefix": "/x", "status": 500}`, "")
	call(t, sim, "GET", "/api/v1/groups", "")
	call(t, sim, "GET", "/api/v1/groups", "", "SSWS wrong")
	if n := sim.Requests(); n != 2 {
		t.Errorf("Requests() = %d, want 2 (control routes are not API calls)", n)
	}
}
