package oktasim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// startSim starts a simulator for one test; it stops when the test ends.
func startSim(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Users == 0 && opts.Groups == 0 && opts.Fixture == "" && opts.Org == nil {
		opts.Users, opts.Groups, opts.Seed = 300, 40, 7
	}
	opts.RateLimits.Disabled = opts.RateLimits.Disabled || opts.RateLimits.PerMinute == nil
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sim
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends one request with the admin API token unless auth is given.
func call(t testing.TB, sim *Server, method, path string, body string, auth ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, sim.URL()+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	a := "SSWS " + sim.APIToken()
	if len(auth) > 0 {
		a = auth[0]
	}
	if a != "" {
		req.Header.Set("Authorization", a)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := sim.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

var linkRe = regexp.MustCompile(`^<([^>]+)>; rel="(self|next)"$`)

// links parses Okta's Link header lines into rel → URL, failing on any line
// not in Okta's shape.
func links(t testing.TB, h http.Header) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range h.Values("Link") {
		m := linkRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("Link header %q is not in Okta's shape", line)
		}
		if _, dup := out[m[2]]; dup {
			t.Fatalf("Link rel %q appears twice", m[2])
		}
		out[m[2]] = m[1]
	}
	return out
}

type apiErrorJSON struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorLink    string `json:"errorLink"`
	ErrorID      string `json:"errorId"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

type userJSON struct {
	ID            string  `json:"id"`
	Status        string  `json:"status"`
	LastUpdated   string  `json:"lastUpdated"`
	StatusChanged *string `json:"statusChanged"`
	Profile       struct {
		Login string `json:"login"`
		Email string `json:"email"`
	} `json:"profile"`
}

type groupJSON struct {
	ID                    string `json:"id"`
	Type                  string `json:"type"`
	LastMembershipUpdated string `json:"lastMembershipUpdated"`
	Profile               struct {
		Name        string  `json:"name"`
		Description *string `json:"description"`
	} `json:"profile"`
}

// pathOf strips the org URL from a link.
func pathOf(t testing.TB, sim *Server, link string) string {
	t.Helper()
	p, ok := strings.CutPrefix(link, sim.URL())
	if !ok {
		t.Fatalf("link %q does not start with the org URL %q", link, sim.URL())
	}
	return p
}

// waitVisible waits until the org's writes so far show in the users search
// and the System Log (see Server.VisibleAt).
func waitVisible(t *testing.T, sim *Server) {
	t.Helper()
	if err := sim.WaitVisible(t.Context()); err != nil {
		t.Fatal(err)
	}
}
