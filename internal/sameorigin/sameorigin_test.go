package sameorigin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func req(t *testing.T, raw string) *http.Request {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Request{URL: u}
}

func TestClientKeepsRedirectsOnTheOrigin(t *testing.T) {
	c := Client(&http.Client{}, "fix the base URL")
	via := []*http.Request{req(t, "https://portal.example.com/scim/v2/Users")}
	if err := c.CheckRedirect(req(t, "https://PORTAL.example.com/scim/v2/Users/1"), via); err != nil {
		t.Errorf("same origin refused: %v", err)
	}
	for _, to := range []string{"https://evil.example.com/x", "http://portal.example.com/x", "https://portal.example.com:8443/x"} {
		err := c.CheckRedirect(req(t, to), via)
		if err == nil || !strings.Contains(err.Error(), "refusing a redirect to another host") || !strings.HasSuffix(err.Error(), "fix the base URL") {
			t.Errorf("%s: %v", to, err)
		}
	}
	long := make([]*http.Request, maxRedirects)
	for i := range long {
		long[i] = via[0]
	}
	if err := c.CheckRedirect(req(t, "https://portal.example.com/y"), long); err == nil {
		t.Error("followed more than the default number of redirects")
	}
}

func TestClientKeepsItsOwnPolicyFirst(t *testing.T) {
	own := errors.New("no redirects here")
	base := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return own }}
	c := Client(base, "advice")
	via := []*http.Request{req(t, "https://a.example.com/")}
	if err := c.CheckRedirect(req(t, "https://a.example.com/b"), via); !errors.Is(err, own) {
		t.Errorf("err = %v, want the client's own policy's", err)
	}
	if base.CheckRedirect == nil || c == base {
		t.Error("the given client was changed")
	}
}
