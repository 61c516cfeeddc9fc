package okta

import (
	"net/http"
	"strings"
)

// challenge is the error a WWW-Authenticate header names (RFC 6750 and
// RFC 9449 section 7.1): DPoP error="invalid_dpop_proof",
// error_description="…".
type challenge struct {
	Scheme      string
	Error       string
	Description string
}

// parseChallenge reads the first WWW-Authenticate challenge of h that
// names an error. Okta sends one on 400, 401 and 403 answers to OAuth
// tokens, sometimes with an empty body, so it is read on every response.
func parseChallenge(h http.Header) (challenge, bool) {
	for _, line := range h.Values("WWW-Authenticate") {
		s := strings.TrimSpace(line)
		scheme, rest, _ := strings.Cut(s, " ")
		c := challenge{Scheme: scheme}
		for rest = strings.TrimSpace(rest); rest != ""; {
			name, value, r := parseParam(rest)
			switch strings.ToLower(name) {
			case "error":
				c.Error = value
			case "error_description":
				c.Description = value
			}
			rest = strings.TrimLeft(r, " \t,;")
			if name == "" && value == "" {
				break // no progress
			}
		}
		if c.Error != "" {
			return c, true
		}
	}
	return challenge{}, false
}

// isDPoPError reports whether code is an error of DPoP itself (RFC 9449),
// which a new access token does not cure.
func isDPoPError(code string) bool {
	return code == "invalid_dpop_proof" || code == "use_dpop_nonce"
}
