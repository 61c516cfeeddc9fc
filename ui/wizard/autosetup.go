package wizard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/rolesync/rolesync/internal/config"
)

// Automatic setup step names, as the wizard lists them.
const (
	stepCreateApp  = "Create the API Services app with the public keys"
	stepDPoP       = "Set 'Require DPoP' to match the authentication type"
	stepGrantScope = "Grant okta.groups.read"
	stepAssignRole = "Assign Read-only Administrator"
)

// oktaAutoSetup creates the API Services app through Okta's Management API
// with a one-time super-admin API token.
type oktaAutoSetup struct{ client *http.Client }

// NewOktaAutoSetup returns an AutoSetuper that calls Okta with client (nil:
// http.DefaultClient). The token of each request is used for that call only.
func NewOktaAutoSetup(client *http.Client) AutoSetuper {
	if client == nil {
		client = http.DefaultClient
	}
	return oktaAutoSetup{client: client}
}

// Setup creates the app, then grants the scope and assigns the role. A
// failed step does not stop the later ones that can still work; each failed
// step says what to do by hand.
func (s oktaAutoSetup) Setup(ctx context.Context, req AutoSetupRequest) (AutoSetupResult, error) {
	if req.Auth == config.AuthAPIToken {
		return AutoSetupResult{}, errors.New("the Okta API Token type needs no API Services app: create the API token by hand on the Keys screen")
	}
	domain := strings.TrimRight(req.Domain, "/")
	dpop := req.Auth == config.AuthScopedDPoP
	var res AutoSetupResult

	keys := make([]json.RawMessage, len(req.PublicKeys))
	for i, k := range req.PublicKeys {
		keys[i] = json.RawMessage(k)
	}
	body := map[string]any{
		"name": "oidc_client", "label": req.AppName, "signOnMode": "OPENID_CONNECT",
		"credentials": map[string]any{"oauthClient": map[string]any{"token_endpoint_auth_method": "private_key_jwt"}},
		"settings": map[string]any{"oauthClient": map[string]any{
			"application_type": "service", "grant_types": []string{"client_credentials"}, "response_types": []string{"token"},
			"dpop_bound_access_tokens": dpop, "jwks": map[string]any{"keys": keys},
		}},
	}
	var app struct {
		ID          string `json:"id"`
		Credentials struct {
			OAuthClient struct {
				ClientID string `json:"client_id"`
			} `json:"oauthClient"`
		} `json:"credentials"`
		Settings struct {
			OAuthClient struct {
				DPoP bool `json:"dpop_bound_access_tokens"`
				JWKS struct {
					Keys []json.RawMessage `json:"keys"`
				} `json:"jwks"`
			} `json:"oauthClient"`
		} `json:"settings"`
	}
	if err := s.call(ctx, req.Token, http.MethodPost, domain+"/api/v1/apps", body, &app); err != nil {
		res.Steps = append(res.Steps,
			AutoSetupStep{Name: stepCreateApp, Detail: err.Error(), ByHand: "Create the app by hand: choose 'By hand' above and follow the steps."})
		return res, nil
	}
	res.ClientID = app.Credentials.OAuthClient.ClientID
	if res.ClientID == "" {
		res.ClientID = app.ID
	}
	created := AutoSetupStep{Name: stepCreateApp, OK: len(app.Settings.OAuthClient.JWKS.Keys) == len(req.PublicKeys),
		Detail: fmt.Sprintf("client ID %s, %s", res.ClientID, plural(len(app.Settings.OAuthClient.JWKS.Keys), "public key", "public keys"))}
	if !created.OK {
		created.ByHand = "In the app's 'Public keys' section select 'Add Key' and paste the public keys shown on the Keys screen."
	}
	res.Steps = append(res.Steps, created)
	dpopStep := AutoSetupStep{Name: stepDPoP, OK: app.Settings.OAuthClient.DPoP == dpop, Detail: fmt.Sprintf("Require DPoP: %v", app.Settings.OAuthClient.DPoP)}
	if !dpopStep.OK {
		dpopStep.ByHand = fmt.Sprintf("In the app's 'General Settings' select 'Edit' and %s 'Require Demonstrating Proof of Possession (DPoP) header in token requests'.", map[bool]string{true: "check", false: "uncheck"}[dpop])
	}
	res.Steps = append(res.Steps, dpopStep)

	grant := AutoSetupStep{Name: stepGrantScope, OK: true}
	if err := s.call(ctx, req.Token, http.MethodPost, domain+"/api/v1/apps/"+app.ID+"/grants",
		map[string]string{"issuer": domain, "scopeId": "okta.groups.read"}, nil); err != nil {
		grant = AutoSetupStep{Name: stepGrantScope, Detail: err.Error(),
			ByHand: "On the app's 'Okta API Scopes' tab, find okta.groups.read, select 'Grant' and then 'Grant Access'."}
	}
	res.Steps = append(res.Steps, grant)

	role := AutoSetupStep{Name: stepAssignRole, OK: true}
	if err := s.call(ctx, req.Token, http.MethodPost, domain+"/oauth2/v1/clients/"+res.ClientID+"/roles",
		map[string]string{"type": "READ_ONLY_ADMIN"}, nil); err != nil {
		role = AutoSetupStep{Name: stepAssignRole, Detail: err.Error(),
			ByHand: "On the app's 'Admin roles' tab select 'Edit assignments', choose 'Read-only Administrator' and select 'Save Changes'."}
	}
	res.Steps = append(res.Steps, role)
	return res, nil
}

// call sends one JSON request with the SSWS token and decodes the answer.
func (s oktaAutoSetup) call(ctx context.Context, token []byte, method, url string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("build the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "SSWS "+string(token))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach Okta: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read Okta's answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		return oktaError(resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("read Okta's answer: %w", err)
		}
	}
	return nil
}

// oktaError turns an Okta error body into a message with its hint.
func oktaError(status int, data []byte) error {
	var e struct {
		Code    string `json:"errorCode"`
		Summary string `json:"errorSummary"`
		Causes  []struct {
			Summary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	_ = json.Unmarshal(data, &e)
	msg := fmt.Sprintf("HTTP %d", status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Summary != "" {
		msg += ": " + e.Summary
	}
	for _, c := range e.Causes {
		msg += "; " + c.Summary
	}
	switch status {
	case http.StatusUnauthorized:
		msg += " (the API token is not valid: create a new one under Security > API > Tokens)"
	case http.StatusForbidden:
		msg += " (the token's admin lacks the permission: use a super admin's token)"
	}
	return errors.New(msg)
}
