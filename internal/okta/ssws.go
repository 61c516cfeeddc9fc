package okta

import (
	"errors"
	"net/http"
	"strings"
)

// ErrNoAPIToken is returned, without a request being sent, when the API
// token is empty.
var ErrNoAPIToken = errors.New("no Okta API token is set: set it with `rolesync secrets set okta-api-token`")

// APITokenTransport authenticates each request with an Okta API token:
// "Authorization: SSWS <token>". Surrounding white space, such as the newline
// of a pasted token, is dropped. base sends the requests (nil: a transport
// with the system roots, see NewBaseTransport). The token never appears in
// errors or logs.
func APITokenTransport(token string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		if t, err := NewBaseTransport("", nil); err == nil {
			base = t
		} else {
			base = http.DefaultTransport
		}
	}
	return &sswsTransport{token: strings.TrimSpace(token), base: base}
}

type sswsTransport struct {
	token string
	base  http.RoundTripper
}

func (t *sswsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.token == "" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrNoAPIToken
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "SSWS "+t.token)
	return t.base.RoundTrip(r)
}

// String hides the token when the transport is printed.
func (t *sswsTransport) String() string { return "SSWS transport (token hidden)" }

// CloseIdleConnections closes the idle connections of the base transport.
func (t *sswsTransport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
