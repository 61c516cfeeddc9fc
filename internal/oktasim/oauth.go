package oktasim

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The org authorization server: POST /oauth2/v1/token issues access tokens
// to service apps for the client credentials grant, authenticated by a
// private_key_jwt client assertion and, for apps that require it, a DPoP
// proof. The tokenAuthority below then checks those tokens on every API
// call. Error names and descriptions follow Okta's.

// TokenLifetime is how long an access token is valid, as in Okta.
const TokenLifetime = 3600 * time.Second

// Time windows.
const (
	maxAssertionLifetime = time.Hour        // exp at most this far ahead
	clockSkew            = time.Minute      // tolerated drift for iat and exp
	dpopWindow           = 5 * time.Minute  // a DPoP proof's iat must be this recent
	jtiMemory            = 65 * time.Minute // how long a used jti is remembered
	minJTISweep          = 10000            // jtis kept before the first sweep
)

func init() {
	extraRoutes = append(extraRoutes, func(s *Server, _ *http.ServeMux) {
		a := newAuthority()
		s.oauth = a
		s.handle("POST /oauth2/v1/token", "", a.tokenRoute)
		s.appsRoutes()
	})
}

// issued is an access token the simulator handed out.
type issued struct {
	clientID string
	scopes   []string
	expiry   time.Time
	jkt      string // DPoP key thumbprint (cnf.jkt); empty for Bearer tokens
}

// authority is the simulator's tokenAuthority and token endpoint.
type authority struct {
	apps *apps

	mu     sync.Mutex
	now    func() time.Time
	tokens map[string]*issued
	jtis   map[string]time.Time // used jti -> when it may be forgotten
	// jtiSweep is the size of jtis at which the next sweep of forgotten
	// jtis runs: twice what the last sweep kept, so that a busy client's
	// proofs cost amortized O(1) rather than a scan each.
	jtiSweep int
	nonces   [2]string // current and previous DPoP nonce
	apiNonce bool      // resource server demands DPoP nonces
	// dpopStatus answers a failed DPoP check on an API call: 400, as Okta
	// does, or 401.
	dpopStatus int
	issuedN    int
	// proofKeys caches DPoP proof headers already parsed.
	proofKeys map[string]*proofKey
}

func newAuthority() *authority {
	a := &authority{now: time.Now, tokens: map[string]*issued{}, jtis: map[string]time.Time{}, dpopStatus: http.StatusBadRequest,
		proofKeys: map[string]*proofKey{}}
	a.apps = &apps{byID: map[string]*serviceApp{}, now: a.clock}
	a.nonces[0] = randomID(32)
	return a
}

func (a *authority) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now()
}

// authority returns the server's OAuth authority.
func (s *Server) authority() *authority { return s.oauth.(*authority) }

// SetOAuthClock sets the clock the token endpoint and token checks use, so
// tests can expire tokens without waiting.
func (s *Server) SetOAuthClock(now func() time.Time) {
	a := s.authority()
	a.mu.Lock()
	a.now = now
	a.mu.Unlock()
}

// RotateDPoPNonce makes a new DPoP nonce current; the previous one stays
// valid until the next rotation.
func (s *Server) RotateDPoPNonce() {
	a := s.authority()
	a.mu.Lock()
	a.nonces[1], a.nonces[0] = a.nonces[0], randomID(32)
	a.mu.Unlock()
}

// RequireAPINonce sets whether API calls must carry the current DPoP nonce
// (default false: Okta's own APIs do not require one yet); the token
// endpoint always requires one.
func (s *Server) RequireAPINonce(on bool) {
	a := s.authority()
	a.mu.Lock()
	a.apiNonce = on
	a.mu.Unlock()
}

// SetDPoPErrorStatus sets the status a failed DPoP check on an API call
// gets, with its WWW-Authenticate: DPoP error="…" challenge: 400 (the
// default, as Okta answers) or 401.
func (s *Server) SetDPoPErrorStatus(status int) {
	a := s.authority()
	a.mu.Lock()
	a.dpopStatus = status
	a.mu.Unlock()
}

// TokensIssued is how many access tokens the token endpoint has issued.
func (s *Server) TokensIssued() int {
	a := s.authority()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.issuedN
}

// nonceOK reports whether n is a current DPoP nonce. The caller holds a.mu.
func (a *authority) nonceOK(n string) bool {
	for _, v := range a.nonces {
		if v != "" && subtle.ConstantTimeCompare([]byte(n), []byte(v)) == 1 {
			return true
		}
	}
	return false
}

// useJTI records a jti; it reports false when it was already used. The
// caller holds a.mu.
func (a *authority) useJTI(kind, jti string, now time.Time) bool {
	key := kind + ":" + jti
	if until, ok := a.jtis[key]; ok && now.Before(until) {
		return false
	}
	if len(a.jtis) >= max(a.jtiSweep, minJTISweep) {
		for k, until := range a.jtis {
			if now.After(until) {
				delete(a.jtis, k)
			}
		}
		a.jtiSweep = 2 * len(a.jtis)
	}
	a.jtis[key] = now.Add(jtiMemory)
	return true
}

func oauthErr(status int, code, desc string) *apiError {
	return &apiError{status: status, code: code, summary: desc, oauthError: code}
}

func invalidClient(desc string) *apiError {
	return oauthErr(http.StatusUnauthorized, "invalid_client", desc)
}

func (a *authority) tokenRoute(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := r.ParseForm(); err != nil {
		writeError(w, oauthErr(http.StatusBadRequest, "invalid_request", "The request body is not a valid form."))
		return
	}
	resp, e := a.token(r)
	if e != nil {
		writeError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSONValue(w, http.StatusOK, resp)
}

// token handles one token request.
func (a *authority) token(r *http.Request) (map[string]any, *apiError) {
	if e := checkTokenForm(r); e != nil {
		return nil, e
	}
	f := r.PostForm
	tokenURL := orgURL(r) + "/oauth2/v1/token"
	a.apps.mu.RLock()
	defer a.apps.mu.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	app, e := a.checkAssertion(f.Get("client_assertion"), tokenURL, now)
	if e != nil {
		return nil, e
	}
	scopes := strings.Fields(f.Get("scope"))
	if e := checkScopes(app, scopes); e != nil {
		return nil, e
	}
	jkt, e := a.tokenProof(r, app, tokenURL, now)
	if e != nil {
		return nil, e
	}
	value := a.issue(app, scopes, jkt, now)
	typ := "Bearer"
	if jkt != "" {
		typ = "DPoP"
	}
	return map[string]any{"token_type": typ, "expires_in": int(TokenLifetime / time.Second),
		"access_token": value, "scope": strings.Join(scopes, " ")}, nil
}

// checkTokenForm checks the token request's form as Okta does before it
// reads the client assertion.
func checkTokenForm(r *http.Request) *apiError {
	f := r.PostForm
	switch {
	case f.Get("client_assertion") == "" && f.Get("client_id") == "" && r.Header.Get("Authorization") == "":
		return invalidClient("No client credentials found")
	case f.Get("grant_type") == "":
		return oauthErr(http.StatusBadRequest, "invalid_request", "The 'grant_type' parameter is missing.")
	case f.Get("grant_type") != "client_credentials":
		return oauthErr(http.StatusBadRequest, "unsupported_grant_type", "The grant type in the request isn't supported.")
	case f.Get("client_assertion") == "":
		return invalidClient("Client authentication failed. Either the client or the client credentials are invalid.")
	case f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
		return oauthErr(http.StatusBadRequest, "invalid_request", "The 'client_assertion_type' must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
	}
	return nil
}

// checkScopes checks that scopes are asked for and granted to app.
func checkScopes(app *serviceApp, scopes []string) *apiError {
	if len(scopes) == 0 {
		return oauthErr(http.StatusBadRequest, "invalid_scope", "No scopes were requested.")
	}
	if len(app.grants) == 0 {
		return oauthErr(http.StatusBadRequest, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
	}
	var missing []string
	for _, sc := range scopes {
		if !app.granted(sc) {
			missing = append(missing, sc)
		}
	}
	if len(missing) > 0 {
		return oauthErr(http.StatusBadRequest, "invalid_scope", "The following scopes were requested, but not granted to the client: "+strings.Join(missing, ", ")+".")
	}
	return nil
}

// tokenProof checks the DPoP proof of a token request against app's
// setting, and returns the thumbprint of its key (empty without DPoP).
func (a *authority) tokenProof(r *http.Request, app *serviceApp, tokenURL string, now time.Time) (string, *apiError) {
	proof := r.Header.Get("DPoP")
	switch {
	case app.dpop && proof == "":
		return "", oauthErr(http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
	case !app.dpop && proof != "":
		return "", oauthErr(http.StatusBadRequest, "invalid_dpop_proof", "DPoP proof JWT is not expected: the client does not require DPoP-bound access tokens.")
	case !app.dpop:
		return "", nil
	}
	// A proof signed with the client authentication key is accepted, as
	// Okta does; rolesync itself refuses that configuration.
	claims, thumb, e := a.checkProof(proof, r.Method, tokenURL, now)
	if e != nil {
		return "", oauthErr(http.StatusBadRequest, "invalid_dpop_proof", e.Error())
	}
	if !a.nonceOK(claims.Nonce) {
		return "", &apiError{status: http.StatusBadRequest, code: "use_dpop_nonce", oauthError: "use_dpop_nonce",
			summary: "Authorization server requires nonce in DPoP proof.",
			header:  http.Header{"Dpop-Nonce": {a.nonces[0]}}}
	}
	return thumb, nil
}

// issue records a new access token for app and returns it, dropping
// expired ones once there are many.
func (a *authority) issue(app *serviceApp, scopes []string, jkt string, now time.Time) string {
	value := randomID(48)
	a.tokens[value] = &issued{clientID: app.id, scopes: scopes, expiry: now.Add(TokenLifetime), jkt: jkt}
	a.issuedN++
	if len(a.tokens) > 10000 {
		for k, t := range a.tokens {
			if now.After(t.expiry) {
				delete(a.tokens, k)
			}
		}
	}
	return value
}

// wwwAuthenticate is Okta's challenge for a failed API call with a token.
func wwwAuthenticate(r *http.Request, scheme, code, desc string) string {
	return scheme + ` algs="RS256 RS384 RS512 ES256 ES384 ES512", authorization_uri="` + orgURL(r) + `/oauth2/v1/authorize", realm="` +
		orgURL(r) + `", error="` + code + `", error_description="` + desc + `", resource="` + r.URL.Path + `"`
}

func tokenFailure(r *http.Request, scheme, code, desc string) *apiError {
	e := errInvalidToken()
	e.header = http.Header{"Www-Authenticate": {wwwAuthenticate(r, scheme, code, desc)}}
	return e
}

// dpopFailure is the answer to a failed DPoP check on an API call. The
// caller holds a.mu.
func (a *authority) dpopFailure(r *http.Request, code, desc string) *apiError {
	e := tokenFailure(r, "DPoP", code, desc)
	e.status = a.dpopStatus
	return e
}

// authorize checks a Bearer or DPoP access token and, for DPoP, its proof.
func (a *authority) authorize(r *http.Request) (*principal, *apiError) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	a.mu.Lock()
	now := a.now()
	tok := a.tokens[value]
	if tok == nil || !now.Before(tok.expiry) {
		delete(a.tokens, value)
		a.mu.Unlock()
		return nil, tokenFailure(r, scheme, "invalid_token", "The access token is invalid.")
	}
	bound := tok.jkt != ""
	if bound != strings.EqualFold(scheme, "DPoP") {
		a.mu.Unlock()
		return nil, tokenFailure(r, scheme, "invalid_token", "The access token must be sent with the "+map[bool]string{true: "DPoP", false: "Bearer"}[bound]+" scheme.")
	}
	if bound {
		claims, thumb, err := a.checkProof(r.Header.Get("DPoP"), r.Method, orgURL(r)+r.URL.EscapedPath(), now)
		switch {
		case err != nil:
			a.mu.Unlock()
			return nil, a.dpopFailure(r, "invalid_dpop_proof", err.Error())
		case claims.ATH != athOf(value):
			a.mu.Unlock()
			return nil, a.dpopFailure(r, "invalid_dpop_proof", "'ath' claim in the DPoP proof JWT is invalid.")
		case thumb != tok.jkt:
			a.mu.Unlock()
			return nil, a.dpopFailure(r, "invalid_dpop_proof", "The DPoP proof key does not match the key the access token is bound to.")
		case a.apiNonce && !a.nonceOK(claims.Nonce):
			e := a.dpopFailure(r, "use_dpop_nonce", "Resource server requires nonce in DPoP proof.")
			e.header.Set("Dpop-Nonce", a.nonces[0])
			a.mu.Unlock()
			return nil, e
		}
	}
	clientID, scopes := tok.clientID, tok.scopes
	a.mu.Unlock()
	app := a.apps.get(clientID)
	if app == nil {
		return nil, tokenFailure(r, scheme, "invalid_token", "The access token is invalid.")
	}
	a.apps.mu.RLock()
	admin := len(app.roles) > 0
	groupRead := slices.ContainsFunc(app.roles, func(r *appRole) bool { return groupReadRoles[r.typ] })
	a.apps.mu.RUnlock()
	return &principal{id: "client:" + clientID, scopes: slices.Clone(scopes), admin: admin, noGroupRead: !groupRead}, nil
}
