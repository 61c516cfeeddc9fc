package okta

import "net/http"

// APITokenTransport authenticates each request with an Okta API token:
// "Authorization: SSWS <token>". base sends the requests (nil: a transport
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
	return &sswsTransport{token: token, base: base}
}

type sswsTransport struct {
	token string
	base  http.RoundTripper
}

func (t *sswsTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
