package okta

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Names of the steps of SetUpApp, in order.
const (
	SetupCreateApp  = "Create the API Services app with the public keys"
	SetupDPoP       = "Set 'Require DPoP' to match the authentication type"
	SetupGrantScope = "Grant okta.groups.read"
	SetupAssignRole = "Assign Read-only Administrator"
)

// AppSetup asks SetUpApp for rolesync's API Services app.
type AppSetup struct {
	// AppName is the app's label in Okta.
	AppName string
	// DPoP sets the app's "Require DPoP" to match the authentication type.
	DPoP bool
	// PublicKeys are the public JWKs registered for client authentication.
	PublicKeys []string
	// Token is a one-time super-admin API token, used for this call only.
	Token []byte
}

// SetupStep is the result of one step of SetUpApp.
type SetupStep struct {
	Name   string
	OK     bool
	Detail string
	// ByHand says what the admin must do in Okta when the step failed.
	ByHand string
}

// AppSetupResult is what SetUpApp did.
type AppSetupResult struct {
	ClientID string
	Steps    []SetupStep
}

// createdApp is the part of Okta's answer to an app creation SetUpApp reads.
type createdApp struct {
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

// SetUpApp creates rolesync's API Services app in the org through Okta's
// management API with a one-time super-admin API token, then grants it
// okta.groups.read and assigns it the Read-only Administrator role. opts
// gives the org URL and the transport settings (CAFile, RootCAs, Timeout,
// Clock...); the token authenticates the calls, so opts.Transport and
// opts.Auth must be unset. Requests go through the client's pacer and come
// back as its errors. Each write is sent once: a retried creation could make
// a second app.
//
// A failed step does not stop the later ones that can still work; each
// failed step says what to do by hand, and the error is nil. The error is
// for a setup that could not start (opts is not valid).
func SetUpApp(ctx context.Context, opts Options, req AppSetup) (AppSetupResult, error) {
	if opts.Transport != nil || opts.Auth != nil {
		return AppSetupResult{}, errors.New("okta app setup: the API token authenticates; leave Transport and Auth unset")
	}
	token := string(req.Token)
	opts.Auth = func(base http.RoundTripper) http.RoundTripper { return APITokenTransport(token, base) }
	c, err := NewClient(opts)
	if err != nil {
		return AppSetupResult{}, err
	}
	defer c.Close()
	return c.setUpApp(ctx, req), nil
}

func (c *Client) setUpApp(ctx context.Context, req AppSetup) AppSetupResult {
	var res AppSetupResult
	app, created := c.createApp(ctx, req)
	res.Steps = append(res.Steps, created)
	if app == nil {
		return res
	}
	res.ClientID = cmp.Or(app.Credentials.OAuthClient.ClientID, app.ID)
	dpop := SetupStep{Name: SetupDPoP, OK: app.Settings.OAuthClient.DPoP == req.DPoP,
		Detail: fmt.Sprintf("Require DPoP: %v", app.Settings.OAuthClient.DPoP)}
	if !dpop.OK {
		dpop.ByHand = fmt.Sprintf("In the app's 'General Settings' select 'Edit' and %s 'Require Demonstrating Proof of Possession (DPoP) header in token requests'.",
			map[bool]string{true: "check", false: "uncheck"}[req.DPoP])
	}
	res.Steps = append(res.Steps, dpop)

	grant := SetupStep{Name: SetupGrantScope, OK: true}
	if err := c.post(ctx, "/api/v1/apps/"+url.PathEscape(app.ID)+"/grants",
		map[string]string{"issuer": c.base.String(), "scopeId": "okta.groups.read"}, nil); err != nil {
		grant = SetupStep{Name: SetupGrantScope, Detail: err.Error(),
			ByHand: "On the app's 'Okta API Scopes' tab, find okta.groups.read, select 'Grant' and then 'Grant Access'."}
	}
	res.Steps = append(res.Steps, grant)

	role := SetupStep{Name: SetupAssignRole, OK: true}
	if err := c.post(ctx, "/oauth2/v1/clients/"+url.PathEscape(res.ClientID)+"/roles",
		map[string]string{"type": "READ_ONLY_ADMIN"}, nil); err != nil {
		role = SetupStep{Name: SetupAssignRole, Detail: err.Error(),
			ByHand: "On the app's 'Admin roles' tab select 'Edit assignments', choose 'Read-only Administrator' and select 'Save Changes'."}
	}
	res.Steps = append(res.Steps, role)
	return res
}

// createApp creates the app with the public keys, and returns it (nil when
// the creation failed) with the step's result.
func (c *Client) createApp(ctx context.Context, req AppSetup) (*createdApp, SetupStep) {
	keys := make([]json.RawMessage, len(req.PublicKeys))
	for i, k := range req.PublicKeys {
		keys[i] = json.RawMessage(k)
	}
	body := map[string]any{
		"name": "oidc_client", "label": req.AppName, "signOnMode": "OPENID_CONNECT",
		"credentials": map[string]any{"oauthClient": map[string]any{"token_endpoint_auth_method": "private_key_jwt"}},
		"settings": map[string]any{"oauthClient": map[string]any{
			"application_type": "service", "grant_types": []string{"client_credentials"}, "response_types": []string{"token"},
			"dpop_bound_access_tokens": req.DPoP, "jwks": map[string]any{"keys": keys},
		}},
	}
	var app createdApp
	if err := c.post(ctx, "/api/v1/apps", body, &app); err != nil {
		return nil, SetupStep{Name: SetupCreateApp, Detail: err.Error(),
			ByHand: "Create the app by hand: choose 'By hand' above and follow the steps."}
	}
	n := len(app.Settings.OAuthClient.JWKS.Keys)
	step := SetupStep{Name: SetupCreateApp, OK: n == len(req.PublicKeys),
		Detail: fmt.Sprintf("client ID %s, %d public %s", cmp.Or(app.Credentials.OAuthClient.ClientID, app.ID), n,
			map[bool]string{true: "key", false: "keys"}[n == 1])}
	if !step.OK {
		step.ByHand = "In the app's 'Public keys' section select 'Add Key' and paste the public keys shown on the Keys screen."
	}
	return &app, step
}

// post sends one JSON write to path through the pacer, once, and decodes
// the answer into out (unless out is nil).
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	u := *c.base
	u.Path = path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("build the request: %w", err)
	}
	req.GetBody = nil // sent once: the pacer does not retry a body it cannot rewind
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return setupError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read Okta's answer: %w", err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("read Okta's answer: %w", err)
		}
	}
	return nil
}

// setupError words a failed setup call for the admin running the setup:
// Okta's answer with a hint about the one-time token, or why Okta could
// not be reached.
func setupError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("cannot reach Okta: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", apiErr.Status)
	if apiErr.Code != "" {
		b.WriteString(" " + apiErr.Code)
	}
	if apiErr.Summary != "" {
		b.WriteString(": " + apiErr.Summary)
	}
	for _, c := range apiErr.Causes {
		b.WriteString("; " + c)
	}
	switch apiErr.Status {
	case http.StatusUnauthorized:
		b.WriteString(" (the API token is not valid: create a new one under Security > API > Tokens)")
	case http.StatusForbidden:
		b.WriteString(" (the token's admin lacks the permission: use a super admin's token)")
	}
	return &setupErr{msg: b.String(), err: apiErr}
}

// setupErr is a setup call's Okta error, worded for the setup, that still
// unwraps to the *APIError.
type setupErr struct {
	msg string
	err error
}

func (e *setupErr) Error() string { return e.msg }
func (e *setupErr) Unwrap() error { return e.err }
