package okta

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestTokenRequestRefusesRedirectToAnotherHost answers the token request
// with a 307 to another origin, which would make the client post the
// signed client assertion there: the request must fail instead, whether
// the token source builds its HTTP client or is given one.
func TestTokenRequestRefusesRedirectToAnotherHost(t *testing.T) {
	testKeys(t)
	var leaked atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), "client_assertion=") || r.Method == http.MethodPost {
			leaked.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"token_type":"Bearer","expires_in":3600,"access_token":"stolen","scope":"okta.groups.read"}`))
	}))
	defer other.Close()
	org := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			http.Redirect(w, r, other.URL+tokenPath, http.StatusTemporaryRedirect)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer org.Close()
	base := org.Client().Transport // trusts both: httptest servers share one certificate
	for _, tc := range []struct {
		name   string
		client *http.Client
	}{
		{"built client", nil},
		{"given client", &http.Client{Transport: base}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaked.Store(0)
			c := &http.Client{Transport: ScopedTransport(ScopedConfig{
				Domain: org.URL, ClientID: "0oaclient", Key: testRSA, KeyID: "kid-1", HTTPClient: tc.client,
			}, base)}
			resp, err := c.Get(org.URL + "/api/v1/groups")
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET succeeded with status %d, want the token request to fail", resp.StatusCode)
			}
			if !strings.Contains(err.Error(), "refusing a redirect to another host") {
				t.Fatalf("err = %v, want a refused redirect", err)
			}
			if n := leaked.Load(); n != 0 {
				t.Fatalf("the client assertion was posted to another host (%d requests)", n)
			}
		})
	}
}

// TestTokenRequestFollowsRedirectOnItsHost checks that a redirect on the
// token endpoint's own origin is still followed.
func TestTokenRequestFollowsRedirectOnItsHost(t *testing.T) {
	testKeys(t)
	org := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case tokenPath:
			http.Redirect(w, r, "/oauth2/v1/token-moved", http.StatusTemporaryRedirect)
		case "/oauth2/v1/token-moved":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"token_type":"Bearer","expires_in":3600,"access_token":"t","scope":"okta.groups.read"}`))
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer org.Close()
	c := &http.Client{Transport: ScopedTransport(ScopedConfig{
		Domain: org.URL, ClientID: "0oaclient", Key: testRSA, KeyID: "kid-1",
	}, org.Client().Transport)}
	if code := get(t, c, org.URL+"/api/v1/groups"); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
}
