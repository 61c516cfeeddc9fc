package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Fixes for failures on API calls.
const (
	fixAdminRoleApp   = "Assign the Read-only Administrator role to the app on its Admin roles tab in Okta (Applications > the app > Admin roles)."
	fixAdminRoleToken = "The admin who created the API token may not read groups: create the token as an admin with at least the Read-only Administrator role."
	fixBadAPIToken    = "The API token is invalid, expired or revoked: create a new one in the Okta Admin Console under Security > API > Tokens."
	fixBadAccessToken = "Okta rejected the access token: check that the app is active and that its client ID is the one in rolesync."
	fixDPoPOnAPI      = "Okta rejected the DPoP proof on an API call: check this computer's clock and that no proxy rewrites the Okta URL."
)

// admin lists one group and its members to prove an admin role is in effect.
func (d *doctor) admin(ctx context.Context, auth http.RoundTripper, tok *accessToken) bool {
	var groups []struct {
		ID      string `json:"id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	}
	if !d.get(ctx, auth, "/api/v1/groups?limit=1", &groups) {
		return false
	}
	if len(groups) == 0 {
		d.set(CheckAdminRole, Pass, "the org has no groups whose members could be listed; groups can be read", "")
		return true
	}
	var members []json.RawMessage
	if !d.get(ctx, auth, "/api/v1/groups/"+groups[0].ID+"/users?limit=1", &members) {
		return false
	}
	d.set(CheckAdminRole, Pass, fmt.Sprintf("listed the members of the group %q", groups[0].Profile.Name), "")
	return true
}

// get sends one authenticated GET and records any failure.
func (d *doctor) get(ctx context.Context, auth http.RoundTripper, path string, v any) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.domain+path, nil)
	if err != nil {
		d.set(CheckAdminRole, Fail, err.Error(), "Enter the Okta domain as https://yourorg.okta.com.")
		return false
	}
	req.Header.Set("Accept", "application/json")
	resp, err := auth.RoundTrip(req)
	if err != nil {
		d.set(CheckAdminRole, Fail, classifyNetError(d.host, err).Error(), "Check that this computer can reach Okta, then test again.")
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		d.set(CheckAdminRole, Fail, "reading Okta's answer failed: "+err.Error(), "Test again; if it keeps failing, check any proxy between this computer and Okta.")
		return false
	}
	if resp.StatusCode == http.StatusOK {
		if json.Unmarshal(body, v) != nil {
			d.set(CheckAdminRole, Fail, "Okta's answer to "+strings.SplitN(path, "?", 2)[0]+" is not the expected JSON",
				"Check that the Okta domain is your org's URL and not a proxy or login page.")
			return false
		}
		return true
	}
	d.apiFailure(resp, body)
	return false
}

// apiFailure turns a failed API answer into the failing check and its fix.
func (d *doctor) apiFailure(resp *http.Response, body []byte) {
	e := parseAPIError(resp.StatusCode, body)
	challenge := resp.Header.Get("WWW-Authenticate")
	detail := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if e.Code != "" {
		detail += " " + e.Code
	}
	if e.Summary != "" {
		detail += ": " + e.Summary
	}
	apiToken := d.cfg.Auth == AuthAPIToken
	switch {
	case strings.Contains(challenge, "invalid_dpop_proof"):
		d.set(CheckDPoP, Fail, detail, fixDPoPOnAPI)
		d.set(CheckAdminRole, Fail, detail, fixDPoPOnAPI)
	case strings.Contains(challenge, "insufficient_scope"):
		d.set(CheckScope, Fail, detail, sentence(fixScope))
	case resp.StatusCode == http.StatusUnauthorized && apiToken:
		d.set(CheckToken, Fail, detail, fixBadAPIToken)
		d.set(CheckScope, Skip, "not checked until the items above pass", "")
	case resp.StatusCode == http.StatusUnauthorized:
		d.set(CheckToken, Fail, detail, fixBadAccessToken)
	case resp.StatusCode == http.StatusForbidden && apiToken:
		d.set(CheckAdminRole, Fail, detail, fixAdminRoleToken)
	case resp.StatusCode == http.StatusForbidden:
		d.set(CheckAdminRole, Fail, detail, fixAdminRoleApp)
	default:
		d.set(CheckAdminRole, Fail, detail+" ("+e.Error()+")", "Test again later; if it persists, look the error id up in the Okta System Log.")
	}
}

// dpop checks that tokens are DPoP-bound exactly when configured.
func (d *doctor) dpop(tok *accessToken) {
	switch d.cfg.Auth {
	case AuthAPIToken:
		d.set(CheckDPoP, Pass, "not used with an API token", "")
	case AuthScopedDPoP:
		if strings.EqualFold(tok.typ, "DPoP") {
			d.set(CheckDPoP, Pass, "tokens are DPoP-bound to the DPoP key and API calls carry proofs", "")
			return
		}
		d.set(CheckDPoP, Fail, "Okta issued a "+tok.typ+" token", sentence((&TokenError{Code: "invalid_dpop_proof", DPoPSent: true}).Fix()))
	default:
		if strings.EqualFold(tok.typ, "Bearer") {
			d.set(CheckDPoP, Pass, "plain Bearer tokens, as the app expects without DPoP", "")
			return
		}
		d.set(CheckDPoP, Fail, "Okta issued a "+tok.typ+" token", sentence((&TokenError{Code: "invalid_dpop_proof"}).Fix()))
	}
}
