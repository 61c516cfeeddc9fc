//go:build unix

package okta_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/cputime"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// cpuTime is the CPU (user + system) the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	return cputime.Used()
}

const benchCalls = 1000

// remoteSim is a simulator running in a child process, so that the
// benchmark's CPU figures count the client alone.
type remoteSim struct{ url, caFile, token string }

func (r remoteSim) URL() string      { return r.url }
func (r remoteSim) CAFile() string   { return r.caFile }
func (r remoteSim) APIToken() string { return r.token }

// TestSimulatorProcess is the child process of startRemoteSim; it does
// nothing in a normal test run.
func TestSimulatorProcess(t *testing.T) {
	if os.Getenv("ROLESYNC_SIM_PROCESS") != "1" {
		t.Skip("runs only as the simulator process of BenchmarkAuthenticatedCalls")
	}
	opts := oktasim.Options{Users: 50, Groups: 3, Seed: 5, APIToken: os.Getenv("ROLESYNC_SIM_TOKEN")}
	opts.RateLimits.Disabled = true
	sim, err := oktasim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	fmt.Printf("SIM %s %s\n", sim.URL(), sim.CAFile())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
}

// startRemoteSim runs the simulator in a child process of the test binary.
func startRemoteSim(b *testing.B) remoteSim {
	b.Helper()
	token := "00" + rand.Text()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimulatorProcess$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "ROLESYNC_SIM_PROCESS=1", "ROLESYNC_SIM_TOKEN="+token)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "SIM" {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return remoteSim{url: f[1], caFile: f[2], token: token}
		}
	}
	b.Fatal("the simulator process did not start")
	return remoteSim{}
}

// BenchmarkAuthenticatedCalls measures one token fetch plus 1,000
// authenticated API calls (GET a group's members) against the simulator,
// per authentication mode. The simulator runs in a child process, so
// cpu-µs/call is this process's CPU, the client's, per call.
func BenchmarkAuthenticatedCalls(b *testing.B) {
	simKeys(b)
	sim := startRemoteSim(b)
	scopedApp := registerApp(b, sim, false, simClientEC)
	dpopApp := registerApp(b, sim, true, simClientRSA)
	admin := &http.Client{Transport: okta.APITokenTransport(sim.APIToken(), simBase(b, sim))}
	resp, err := admin.Get(sim.URL() + "/api/v1/groups?limit=1")
	if err != nil {
		b.Fatal(err)
	}
	var groups []struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&groups)
	resp.Body.Close()
	if err != nil || len(groups) == 0 {
		b.Fatalf("list groups: %v", err)
	}
	for _, mode := range []struct {
		name string
		rt   func(base http.RoundTripper) http.RoundTripper
	}{
		{"api_token", func(base http.RoundTripper) http.RoundTripper { return okta.APITokenTransport(sim.APIToken(), base) }},
		{"scoped", func(base http.RoundTripper) http.RoundTripper {
			return okta.ScopedTransport(okta.ScopedConfig{Domain: sim.URL(), ClientID: scopedApp, Key: simClientEC.Signer, KeyID: simClientEC.KeyID}, base)
		}},
		{"dpop_es256", func(base http.RoundTripper) http.RoundTripper {
			return okta.ScopedTransport(okta.ScopedConfig{Domain: sim.URL(), ClientID: dpopApp, Key: simClientRSA.Signer, KeyID: simClientRSA.KeyID, DPoPKey: simDPoPEC.Signer}, base)
		}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			base := simBase(b, sim)
			url := sim.URL() + "/api/v1/groups/" + groups[0].ID + "/users?limit=1"
			start := cpuTime(b)
			b.ResetTimer()
			for range b.N {
				c := &http.Client{Transport: mode.rt(base)} // a fresh token each round
				for range benchCalls {
					resp, err := c.Get(url)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			}
			b.StopTimer()
			calls := float64(b.N * benchCalls)
			b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/calls, "cpu-µs/call")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/calls, "wall-µs/call")
		})
	}
}

// stubOkta answers every request at once without a network: a token for
// the token endpoint, a small group page otherwise.
type stubOkta struct{ dpop bool }

func (s stubOkta) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	body := `[{"id":"00g1","profile":{"name":"Portal Admins"}}]`
	if strings.HasSuffix(req.URL.Path, "/oauth2/v1/token") {
		typ := "Bearer"
		if s.dpop {
			typ = "DPoP"
		}
		body = `{"token_type":"` + typ + `","expires_in":3600,"access_token":"eyJraWQiOiJzdHViIn0.c3R1Yg.c2ln","scope":"okta.groups.read"}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader([]byte(body))), Request: req}, nil
}

// BenchmarkClientAuthOverhead measures the client side alone: what adding
// authentication costs per API call (the token is cached), per mode.
func BenchmarkClientAuthOverhead(b *testing.B) {
	simKeys(b)
	rsaDPoP, err := keys.Generate(keys.RS256, 2048)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		dpop crypto.Signer
		rt   http.RoundTripper
	}{
		{"api_token", nil, okta.APITokenTransport("00stub-api-token", stubOkta{})},
		{"scoped", nil, okta.ScopedTransport(okta.ScopedConfig{Domain: "https://stub.okta.com", ClientID: "0oa", Key: simClientEC.Signer, KeyID: "k"}, stubOkta{})},
		{"dpop_es256", simDPoPEC.Signer, okta.ScopedTransport(okta.ScopedConfig{Domain: "https://stub.okta.com", ClientID: "0oa", Key: simClientEC.Signer, KeyID: "k", DPoPKey: simDPoPEC.Signer}, stubOkta{dpop: true})},
		{"dpop_rs256", rsaDPoP.Signer, okta.ScopedTransport(okta.ScopedConfig{Domain: "https://stub.okta.com", ClientID: "0oa", Key: simClientEC.Signer, KeyID: "k", DPoPKey: rsaDPoP.Signer}, stubOkta{dpop: true})},
	} {
		b.Run(mode.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, "https://stub.okta.com/api/v1/groups?limit=1", nil)
			b.ReportAllocs()
			for range b.N {
				resp, err := mode.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
