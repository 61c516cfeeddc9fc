package scim_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// server is the scimtest provider with a constructor for clients of it.
type server struct {
	*scimtest.Server
	t testing.TB
}

const testToken = scimtest.Token

func newServer(t testing.TB, maxResults int) *server {
	t.Helper()
	return &server{Server: scimtest.Start(t, scimtest.Options{MaxResults: maxResults}), t: t}
}

// client returns a Client for the server; sleeps are recorded, not slept.
func (s *server) client(opts scim.Options) (*scim.Client, *[]time.Duration) {
	s.t.Helper()
	var slept []time.Duration
	var mu sync.Mutex
	opts.BaseURL = s.BaseURL()
	opts.Token = testToken
	opts.HTTPClient = s.Client()
	opts.Sleep = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		return nil
	}
	if opts.Jitter == nil {
		opts.Jitter = func(d time.Duration) time.Duration { return d }
	}
	c, err := scim.New(opts)
	if err != nil {
		s.t.Fatalf("scim.New: %v", err)
	}
	return c, &slept
}
