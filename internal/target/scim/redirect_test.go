package scim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rolesync/rolesync/internal/target/scim"
)

// TestRedirectToAnotherHostIsRefused redirects every request to another
// HTTPS origin: the client must not follow, so neither the bearer token
// nor a request body reaches it, whichever HTTP client it was given.
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Header().Set("Content-Type", "application/scim+json")
		w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
	}))
	defer other.Close()
	portal := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer portal.Close()
	ca := writeCA(t, portal.Certificate()) // httptest servers share one certificate
	for _, tc := range []struct {
		name string
		opts scim.Options
	}{
		{"default client", scim.Options{CAFile: ca}},
		{"given client", scim.Options{HTTPClient: portal.Client()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			otherHits.Store(0)
			opts := tc.opts
			opts.BaseURL, opts.Token = portal.URL+"/scim/v2", testToken
			c, err := scim.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListUsers(context.Background())
			if err == nil || !strings.Contains(err.Error(), "refusing a redirect to another host") {
				t.Fatalf("ListUsers() error = %v, want a refused redirect", err)
			}
			if n := otherHits.Load(); n != 0 {
				t.Fatalf("the client followed a redirect to another host (%d requests)", n)
			}
		})
	}
}
