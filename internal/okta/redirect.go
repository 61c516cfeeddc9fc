package okta

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// maxRedirects is how many redirects a client given no redirect policy of
// its own follows, as net/http's default policy does.
const maxRedirects = 10

// sameOrigin returns a copy of hc that follows a redirect only to the
// origin (scheme, host and port) of the request it started from, after
// hc's own redirect policy, if any, allowed it. The token request carries a
// signed client assertion, which a redirect with status 307 or 308 would
// post again to wherever it points. The API client follows no redirect at
// all (NewClient).
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
			return fmt.Errorf("refusing a redirect to another host (%s) from %s: %w", req.URL.Redacted(), from.Host, errCrossOrigin)
		}
		return nil
	}
	return &c
}

// errCrossOrigin explains a refused redirect.
var errCrossOrigin = errors.New("the requests carrying credentials go to the configured Okta domain alone; check okta.domain and any proxy in between")
