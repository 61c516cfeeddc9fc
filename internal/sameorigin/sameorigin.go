// Package sameorigin keeps an HTTP client's redirects on the origin its
// request started from. The Okta token request carries a signed client
// assertion and every SCIM request a bearer token (and often users' names
// and roles); a redirect with status 307 or 308 would send them again to
// wherever it points.
package sameorigin

import (
	"fmt"
	"net/http"
	"strings"
)

// maxRedirects is how many redirects a client given no redirect policy of
// its own follows, as net/http's default policy does.
const maxRedirects = 10

// Client returns a copy of hc that follows a redirect only to the origin
// (scheme, host and port) of the request it started from, after hc's own
// redirect policy, if any, allowed it. A refused redirect's error ends with
// advice, which says where the credentials are meant to go and what to fix.
func Client(hc *http.Client, advice string) *http.Client {
	c := *hc
	policy := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if policy != nil {
			if err := policy(req, via); err != nil {
				return err
			}
		} else if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if from := via[0].URL; req.URL.Scheme != from.Scheme || !strings.EqualFold(req.URL.Host, from.Host) {
			return fmt.Errorf("refusing a redirect to another host (%s) from %s: %s", req.URL.Redacted(), from.Host, advice)
		}
		return nil
	}
	return &c
}
