package scim

import (
	"fmt"
	"net/http"
	"strings"
)

// maxRedirects is how many redirects a client given no redirect policy of
// its own follows, as net/http's default policy does.
const maxRedirects = 10

// sameOrigin returns a copy of hc that follows a redirect only to the
// origin (scheme, host and port) of the request it started from, after
// hc's own redirect policy, if any, allowed it. Each request carries the
// bearer token, and a redirect with status 307 or 308 would send its body
// (users' names and emails, role changes) again to wherever it points.
func sameOrigin(hc *http.Client) *http.Client {
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
			return fmt.Errorf("refusing a redirect to another host (%s) from %s: the token and the changes go to target.base_url's host alone; set base_url to the address the portal redirects to if it has moved", req.URL.Redacted(), from.Host)
		}
		return nil
	}
	return &c
}
