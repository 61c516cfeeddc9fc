package okta

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rolesync/rolesync/internal/sameorigin"
)

// ScopeGroupsRead is the one scope rolesync always asks for.
const ScopeGroupsRead = "okta.groups.read"

// ClientAssertionType is the client_assertion_type of private_key_jwt.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenPath is the org authorization server's token endpoint.
const tokenPath = "/oauth2/v1/token"

// Token timing.
const (
	assertionLifetime = 5 * time.Minute  // client assertion exp ahead of now
	tokenEarlyRefresh = 60 * time.Second // refetch this long before expiry
)

// ScopedConfig configures OAuth 2.0 client-credentials authentication with
// private_key_jwt (the Scoped Okta Token) and, when DPoPKey is set, DPoP
// (the Scoped DPoP Okta Token).
type ScopedConfig struct {
	Domain   string        // https://example.okta.com (a port is kept)
	ClientID string        // the service app's client ID
	Key      crypto.Signer // client-authentication private key
	KeyID    string        // kid of Key as registered in the app
	// Alg overrides the signing algorithm chosen from Key's type
	// (RS256 for RSA, ES256 for EC P-256).
	Alg string
	// Scopes are requested besides okta.groups.read.
	Scopes []string
	// DPoPKey signs DPoP proofs; nil for a plain Scoped Okta Token.
	DPoPKey crypto.Signer
	// HTTPClient calls the token endpoint; nil means one over the base
	// transport given to ScopedTransport. Either way a redirect to another
	// origin than the token endpoint's is refused.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Nonces, when set, keeps the token endpoint's DPoP nonce between
	// processes (see NonceCache).
	Nonces NonceCache
}

// NonceCache keeps the latest DPoP nonce of Okta's token endpoint between
// processes. Okta answers a token request without a current nonce with
// use_dpop_nonce and a nonce to retry with, so a process that starts
// without one spends one more call; with the last nonce it saw, its first
// token request usually succeeds at once, and a stale nonce costs only the
// same retry. A nonce is not a secret: Okta sends it in clear in a response
// header, and it is of no use without the DPoP private key.
type NonceCache interface {
	DPoPNonce() string
	SetDPoPNonce(nonce string)
}

// TokenError is an error response from Okta's token endpoint.
type TokenError struct {
	StatusCode  int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
	// DPoPSent records whether the request carried a DPoP proof, which
	// decides the advice for invalid_dpop_proof.
	DPoPSent bool `json:"-"`
}

// Error says what Okta refused and what to fix in Okta.
func (e *TokenError) Error() string {
	msg := fmt.Sprintf("Okta refused the token request (HTTP %d, %s", e.StatusCode, e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg + "); " + e.Fix()
}

// Fix says what the admin should change in Okta or in rolesync.
func (e *TokenError) Fix() string {
	desc := strings.ToLower(e.Description)
	switch e.Code {
	case "invalid_client":
		switch {
		case strings.Contains(desc, "audience"):
			return "the Okta domain in rolesync must be the org URL itself (https://yourorg.okta.com), since the client assertion is signed for its token URL."
		case strings.Contains(desc, "expired"), strings.Contains(desc, "future"), strings.Contains(desc, "issued"):
			return "this computer's clock is off; turn on automatic time (NTP) and try again."
		}
		return "check the client ID, that the public key is added to the app's Public keys, that its Key ID (kid) matches the one in rolesync, and that Client authentication is set to Public key / Private key."
	case "invalid_scope", "no_org_scopes_granted":
		return "grant okta.groups.read (and any extra scopes configured in rolesync) on the app's Okta API Scopes tab."
	case "invalid_dpop_proof":
		if e.DPoPSent {
			return "the app does not expect DPoP: either choose Scoped Okta Token in rolesync, or check \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" in the app's General Settings."
		}
		return "the app requires DPoP: either choose Scoped DPoP Okta Token in rolesync, or uncheck \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" in the app's General Settings."
	case "use_dpop_nonce":
		return "Okta kept asking for a new DPoP nonce; try again in a minute."
	case "unauthorized_client":
		return "the app may not use the client credentials grant; create an API Services app in Okta."
	case "invalid_request":
		return "the request was malformed; check the Okta domain and client ID."
	}
	return "see the Okta System Log for the reason."
}

// accessToken is a cached access token.
type accessToken struct {
	value  string
	typ    string // "Bearer" or "DPoP"
	scope  string
	expiry time.Time
	ath    string // DPoP ath of value, for a DPoP-bound token
}

// tokenSource fetches and caches access tokens.
type tokenSource struct {
	cfg      ScopedConfig
	tokenURL string
	client   *http.Client
	method   jwt.SigningMethod
	dpop     *dpopSigner
	scope    string

	mu    sync.Mutex
	tok   *accessToken
	nonce string // latest DPoP nonce from the token endpoint
}

func newTokenSource(cfg ScopedConfig, base http.RoundTripper) (*tokenSource, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	domain, err := normalizeDomain(cfg.Domain)
	if err != nil {
		return nil, err
	}
	if err := checkClient(cfg); err != nil {
		return nil, err
	}
	m, err := signingMethod(cfg.Key, cfg.Alg)
	if err != nil {
		return nil, fmt.Errorf("client authentication key: %w", err)
	}
	s := &tokenSource{cfg: cfg, tokenURL: domain + tokenPath, client: cfg.HTTPClient, method: m}
	if cfg.DPoPKey != nil && cfg.Nonces != nil {
		s.nonce = cfg.Nonces.DPoPNonce()
	}
	if s.client == nil {
		s.client = &http.Client{Transport: base}
	}
	// The token request carries a signed client assertion; the API client
	// follows no redirect at all (NewClient).
	s.client = sameorigin.Client(s.client, "the requests carrying credentials go to the configured Okta domain alone; check okta.domain and any proxy in between")
	if cfg.DPoPKey != nil {
		if s.dpop, err = newDPoPSigner(cfg.DPoPKey); err != nil {
			return nil, err
		}
		if pub, ok := cfg.Key.Public().(interface{ Equal(crypto.PublicKey) bool }); ok && pub.Equal(cfg.DPoPKey.Public()) {
			return nil, errors.New("the DPoP key is the same as the client authentication key; generate a second key pair for DPoP")
		}
	}
	s.scope = scopeParam(cfg.Scopes)
	return s, nil
}

// checkClient checks that cfg names the client and its key.
func checkClient(cfg ScopedConfig) error {
	switch {
	case cfg.ClientID == "":
		return errors.New("the client ID is empty; copy it from the app's Client Credentials section in Okta")
	case cfg.Key == nil:
		return errors.New("no private key for client authentication; import or generate one with rolesync keys")
	case cfg.KeyID == "":
		return errors.New("the key ID (kid) is empty; copy it from the app's Public keys section in Okta")
	}
	return nil
}

// scopeParam is the token request's scope: okta.groups.read first, then
// the other scopes asked for.
func scopeParam(extra []string) string {
	scopes := []string{ScopeGroupsRead}
	for _, sc := range extra {
		if sc != ScopeGroupsRead && sc != "" {
			scopes = append(scopes, sc)
		}
	}
	return strings.Join(scopes, " ")
}

// normalizeDomain checks an Okta org URL and strips a trailing slash.
func normalizeDomain(domain string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(domain))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the Okta domain %q is not a URL; enter it as https://yourorg.okta.com", domain)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("the Okta domain %q must use https; enter it as https://yourorg.okta.com", domain)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return "", fmt.Errorf("the Okta domain %q has a path; enter only the org URL, as https://yourorg.okta.com", domain)
	}
	return "https://" + u.Host, nil
}

// token returns a cached token, or fetches one when there is none or it
// is within a minute of expiry.
func (s *tokenSource) token(ctx context.Context) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.cfg.Now().Before(s.tok.expiry.Add(-tokenEarlyRefresh)) {
		return s.tok, nil
	}
	tok, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	s.tok = tok
	return tok, nil
}

// lastNonce returns the latest DPoP nonce from the token endpoint.
func (s *tokenSource) lastNonce() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nonce
}

// invalidate drops tok from the cache, if it is still the cached one.
func (s *tokenSource) invalidate(tok *accessToken) {
	s.mu.Lock()
	if s.tok == tok {
		s.tok = nil
	}
	s.mu.Unlock()
}

// fetch asks the token endpoint for a token, answering one DPoP nonce
// challenge. The caller holds s.mu.
func (s *tokenSource) fetch(ctx context.Context) (*accessToken, error) {
	for attempt := 0; ; attempt++ {
		tok, terr, err := s.request(ctx)
		if err != nil {
			return nil, err
		}
		if terr == nil {
			return tok, nil
		}
		if terr.Code == "use_dpop_nonce" && s.dpop != nil && attempt == 0 && s.nonce != "" {
			continue // s.nonce was updated from the DPoP-Nonce header
		}
		return nil, terr
	}
}

type tokenResponse struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

// request makes one token request. It returns a token, or a TokenError
// from Okta, or an error reaching Okta.
func (s *tokenSource) request(ctx context.Context) (*accessToken, *TokenError, error) {
	now := s.cfg.Now()
	req, err := s.newRequest(ctx, now)
	if err != nil {
		return nil, nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("reach the Okta token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read the token response: %w", err)
	}
	s.keepNonce(resp.Header.Get("DPoP-Nonce"))
	if resp.StatusCode != http.StatusOK {
		return nil, s.tokenError(resp.StatusCode, body), nil
	}
	return s.readToken(resp.StatusCode, body, now)
}

// newRequest builds the token request: the client assertion, and the DPoP
// proof with the nonce last given.
func (s *tokenSource) newRequest(ctx context.Context, now time.Time) (*http.Request, error) {
	assertion, err := s.assertion(now)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {s.scope},
		"client_assertion_type": {ClientAssertionType},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if s.dpop != nil {
		proof, err := s.dpop.proof(http.MethodPost, req.URL, now, s.nonce, "")
		if err != nil {
			return nil, err
		}
		req.Header.Set("DPoP", proof)
	}
	return req, nil
}

// keepNonce keeps a new DPoP nonce the token endpoint gave, and passes it
// on to the API calls' proofs.
func (s *tokenSource) keepNonce(n string) {
	if n == "" || n == s.nonce {
		return
	}
	s.nonce = n
	if s.dpop != nil && s.cfg.Nonces != nil {
		s.cfg.Nonces.SetDPoPNonce(n)
	}
}

// tokenError reads the OAuth error of an answer other than 200; without
// one, its code names the HTTP status (http_bad_gateway).
func (s *tokenSource) tokenError(status int, body []byte) *TokenError {
	terr := &TokenError{StatusCode: status, DPoPSent: s.dpop != nil}
	if json.Unmarshal(body, terr) != nil || terr.Code == "" {
		terr.Code = "http_" + http.StatusText(status)
		terr.Code = strings.ToLower(strings.ReplaceAll(terr.Code, " ", "_"))
	}
	return terr
}

// readToken reads the access token of a 200 answer.
func (s *tokenSource) readToken(status int, body []byte, now time.Time) (*accessToken, *TokenError, error) {
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return nil, nil, errors.New("the token endpoint answered 200 without an access token; check that the Okta domain is the org URL")
	}
	if tr.ExpiresIn <= 0 {
		tr.ExpiresIn = 3600
	}
	if s.dpop != nil && !strings.EqualFold(tr.TokenType, "DPoP") {
		return nil, &TokenError{StatusCode: status, Code: "invalid_dpop_proof", DPoPSent: true,
			Description: "Okta issued a " + tr.TokenType + " token although a DPoP proof was sent"}, nil
	}
	tok := &accessToken{
		value:  tr.AccessToken,
		typ:    tr.TokenType,
		scope:  tr.Scope,
		expiry: now.Add(time.Duration(tr.ExpiresIn) * time.Second),
	}
	if s.dpop != nil {
		tok.ath = ATH(tok.value)
	}
	return tok, nil, nil
}

// assertion signs a private_key_jwt client assertion.
func (s *tokenSource) assertion(now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss": s.cfg.ClientID,
		"sub": s.cfg.ClientID,
		"aud": s.tokenURL,
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
		"jti": newJTI(),
	}
	t := jwt.NewWithClaims(s.method, claims)
	t.Header["kid"] = s.cfg.KeyID
	signed, err := t.SignedString(s.cfg.Key)
	if err != nil {
		return "", fmt.Errorf("sign the client assertion: %w", err)
	}
	return signed, nil
}
