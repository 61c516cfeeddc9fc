package scimtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// call sends one request with token to the server and returns the status
// and decoded body.
func call(t *testing.T, c *http.Client, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func TestServer(t *testing.T) {
	srv := scimtest.Start(t, scimtest.Options{MaxResults: 2})
	c := srv.Client()
	users := srv.BaseURL() + "/Users"

	tests := []struct {
		name, method, url, token, body string
		status                         int
	}{
		{"wrong token", http.MethodGet, users, "nope", "", http.StatusUnauthorized},
		{"create", http.MethodPost, users, scimtest.Token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com","externalId":"00u1","active":true}`, http.StatusCreated},
		{"uniqueness", http.MethodPost, users, scimtest.Token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ANN@example.com"}`, http.StatusConflict},
		{"filter", http.MethodGet, users + `?filter=userName+eq+%22ann%40example.com%22`, scimtest.Token, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := call(t, c, tt.method, tt.url, tt.token, tt.body); status != tt.status {
				t.Fatalf("%s %s: status %d (%v), want %d", tt.method, tt.url, status, body, tt.status)
			}
		})
	}

	// The request with a wrong token is refused before it is logged.
	if got, want := srv.Log(), []string{"POST /Users", "POST /Users", "GET /Users"}; !slices.Equal(got, want) {
		t.Errorf("Log() = %q, want %q", got, want)
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("Requests() after Log() = %d, want 0", n)
	}
	if f := srv.Filters(); len(f) != 1 || f[0] != `userName eq "ann@example.com"` {
		t.Errorf("Filters() = %q", f)
	}

	stored := srv.Users()
	if len(stored) != 1 || stored[0].Attrs["externalId"] != "00u1" || stored[0].Attrs["active"] != true {
		t.Fatalf("Users() = %+v, want ann with her externalId", stored)
	}
	stored[0].Attrs["active"] = false
	if a := srv.UserAttrs("Ann@Example.com"); a["active"] != true {
		t.Errorf("a change to a copy reached the store: %v", a)
	}
	before := stored[0].Version
	srv.TouchAll()
	if v := srv.Users()[0].Version; v <= before {
		t.Errorf("TouchAll left version %d (was %d)", v, before)
	}

	srv.SetFault(func(r *http.Request) (int, http.Header, string, bool) {
		return http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, "", r.Method == http.MethodGet
	})
	if status, _ := call(t, c, http.MethodGet, users, scimtest.Token, ""); status != http.StatusTooManyRequests {
		t.Errorf("with a fault: status %d, want 429", status)
	}
	srv.SetFault(nil)
	srv.SetPatch(false)
	if status, _ := call(t, c, http.MethodPatch, users+"/"+stored[0].ID, scimtest.Token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`); status != http.StatusNotImplemented {
		t.Errorf("PATCH with patch off: status %d, want 501", status)
	}
	if n := srv.Writes(); n != 1 {
		t.Errorf("Writes() = %d, want 1", n)
	}
}

func TestWriteCAFileIsTrusted(t *testing.T) {
	srv := scimtest.Start(t, scimtest.Options{})
	path, err := srv.WriteCAFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", path)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	status, body := call(t, c, http.MethodGet, srv.BaseURL()+"/ServiceProviderConfig", scimtest.Token, "")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	if filter, _ := body["filter"].(map[string]any); filter["maxResults"] != float64(100) {
		t.Errorf("ServiceProviderConfig filter = %v, want maxResults 100 by default", body["filter"])
	}
}
