package scimtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

func TestLatencyDelaysEveryAnswer(t *testing.T) {
	srv := scimtest.Start(t, scimtest.Options{Latency: 30 * time.Millisecond})
	start := time.Now()
	for range 3 {
		if status, _ := call(t, srv.Client(), http.MethodGet, srv.BaseURL()+"/Users", scimtest.Token, ""); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Fatalf("3 requests took %v, want at least 3 × 30 ms", d)
	}
}

func TestRateLimitAnswers429PastTheLimit(t *testing.T) {
	srv := scimtest.Start(t, scimtest.Options{RateLimit: 3})
	var statuses []int
	for range 5 {
		req, _ := http.NewRequest(http.MethodGet, srv.BaseURL()+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+scimtest.Token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") != "1" || resp.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("429 headers: %v", resp.Header)
			}
		}
	}
	// The five requests fall in one second unless the machine stalls.
	if statuses[0] != http.StatusOK || statuses[2] != http.StatusOK || statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v, want 3 × 200 then 429", statuses)
	}
	if srv.Throttled() != 2 {
		t.Fatalf("Throttled() = %d, want 2", srv.Throttled())
	}
}
