package okta

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// fakeOkta is a small org authorization server and groups API that checks
// client assertions and DPoP proofs the way Okta does. It exists to test the
// transports in isolation; the full simulator lives in internal/oktasim.
type fakeOkta struct {
	t        testing.TB
	srv      *httptest.Server
	clientID string
	kid      string
	pub      crypto.PublicKey
	dpop     bool // the app requires DPoP
	now      func() time.Time

	mu          sync.Mutex
	tokenNonce  string // when set, token requests must carry it
	apiNonce    string // when set, API calls must carry it
	lifetime    time.Duration
	tokenErr    *TokenError // when set, the token endpoint answers with it
	fetches     int
	apiCalls    int
	jtis        map[string]bool
	tokens      map[string]fakeToken
	revokeAll   bool   // answer 401 to every current token once
	lastAuth    string // last Authorization scheme seen
	lastBody    string
	groupsCode  int    // status for /api/v1/groups; 0 means 200
	groupsError string // Okta errorCode for groupsCode
	usersCode   int
	usersError  string
	date        time.Time // Date header; zero means now()
}

type fakeToken struct {
	jkt    string
	expiry time.Time
	scope  string
}

func newFakeOkta(t testing.TB, clientID, kid string, pub crypto.PublicKey, dpop bool) *fakeOkta {
	f := &fakeOkta{t: t, clientID: clientID, kid: kid, pub: pub, dpop: dpop, now: time.Now,
		lifetime: time.Hour, jtis: map[string]bool{}, tokens: map[string]fakeToken{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/v1/token", f.token)
	mux.HandleFunc("/api/v1/groups", f.api)
	mux.HandleFunc("/api/v1/groups/{id}/users", f.api)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { f.dateHeader(w); http.NotFound(w, r) })
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes refused by the certificate test
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOkta) dateHeader(w http.ResponseWriter) {
	d := f.date
	if d.IsZero() {
		d = f.now()
	}
	w.Header().Set("Date", d.UTC().Format(http.TimeFormat))
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (f *fakeOkta) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dateHeader(w)
	if f.tokenErr != nil {
		oauthError(w, f.tokenErr.StatusCode, f.tokenErr.Code, f.tokenErr.Description)
		return
	}
	tokenURL := f.srv.URL + "/oauth2/v1/token"
	if r.FormValue("grant_type") != "client_credentials" || r.FormValue("client_assertion_type") != ClientAssertionType {
		oauthError(w, 400, "invalid_request", "bad grant or assertion type")
		return
	}
	if !strings.Contains(" "+r.FormValue("scope")+" ", " okta.groups.read ") {
		oauthError(w, 400, "invalid_scope", "okta.groups.read missing")
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.FormValue("client_assertion"), claims, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != f.kid {
			return nil, fmt.Errorf("unknown kid %v", tk.Header["kid"])
		}
		return f.pub, nil
	}, jwt.WithAudience(tokenURL), jwt.WithIssuer(f.clientID), jwt.WithSubject(f.clientID),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(f.now), jwt.WithValidMethods([]string{"RS256", "ES256"}))
	if err != nil {
		oauthError(w, 401, "invalid_client", "The client_assertion is invalid: "+err.Error())
		return
	}
	exp, _ := claims.GetExpirationTime()
	jti, _ := claims["jti"].(string)
	if exp.Sub(f.now()) > 5*time.Minute+time.Second || jti == "" || f.jtis[jti] {
		oauthError(w, 401, "invalid_client", "The client_assertion token has an expiration too far in the future or a reused jti.")
		return
	}
	f.jtis[jti] = true
	proof := r.Header.Get("DPoP")
	var jkt string
	switch {
	case f.dpop && proof == "":
		oauthError(w, 400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
		return
	case !f.dpop && proof != "":
		oauthError(w, 400, "invalid_dpop_proof", "DPoP proof JWT is not allowed for this client.")
		return
	case f.dpop:
		pc, key, err := f.checkProof(proof, "POST", tokenURL)
		if err != nil {
			oauthError(w, 400, "invalid_dpop_proof", err.Error())
			return
		}
		if f.tokenNonce != "" && pc["nonce"] != f.tokenNonce {
			w.Header().Set("DPoP-Nonce", f.tokenNonce)
			oauthError(w, 400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof.")
			return
		}
		jkt = key
	}
	f.fetches++
	value := fmt.Sprintf("tok-%d-%s", f.fetches, newJTI())
	f.tokens[value] = fakeToken{jkt: jkt, expiry: f.now().Add(f.lifetime), scope: r.FormValue("scope")}
	typ := "Bearer"
	if f.dpop {
		typ = "DPoP"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": typ, "expires_in": int(f.lifetime / time.Second),
		"access_token": value, "scope": r.FormValue("scope")})
}

// checkProof verifies a DPoP proof and returns its claims and jkt.
func (f *fakeOkta) checkProof(proof, method, htu string) (jwt.MapClaims, string, error) {
	var jkt string
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(proof, claims, func(tk *jwt.Token) (any, error) {
		if tk.Header["typ"] != "dpop+jwt" {
			return nil, fmt.Errorf("typ is %v", tk.Header["typ"])
		}
		raw, _ := json.Marshal(tk.Header["jwk"])
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || !k.IsPublic() {
			return nil, fmt.Errorf("bad jwk")
		}
		sum, _ := k.Thumbprint(crypto.SHA256)
		jkt = base64.RawURLEncoding.EncodeToString(sum)
		return k.Key, nil
	}, jwt.WithValidMethods([]string{"RS256", "ES256"}), jwt.WithIssuedAt(), jwt.WithTimeFunc(f.now))
	if err != nil {
		return nil, "", fmt.Errorf("proof: %v", err)
	}
	iat, _ := claims.GetIssuedAt()
	jti, _ := claims["jti"].(string)
	switch {
	case claims["htm"] != method:
		return nil, "", fmt.Errorf("'htm' claim in the DPoP proof JWT is invalid")
	case claims["htu"] != htu:
		return nil, "", fmt.Errorf("'htu' claim in the DPoP proof JWT is invalid: %v", claims["htu"])
	case iat == nil || f.now().Sub(iat.Time) > time.Minute:
		return nil, "", fmt.Errorf("'iat' claim is stale")
	case jti == "" || f.jtis[jti]:
		return nil, "", fmt.Errorf("'jti' claim reused")
	}
	f.jtis[jti] = true
	return claims, jkt, nil
}

func (f *fakeOkta) api(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dateHeader(w)
	f.apiCalls++
	body, _ := io.ReadAll(r.Body)
	f.lastBody = string(body)
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	f.lastAuth = scheme
	tok, ok := f.tokens[value]
	if !ok || f.now().After(tok.expiry) || f.revokeAll {
		f.revokeAll = false
		delete(f.tokens, value)
		w.Header().Set("WWW-Authenticate", scheme+` error="invalid_token"`)
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)
		return
	}
	if (scheme == "DPoP") != f.dpop {
		w.WriteHeader(401)
		return
	}
	if f.dpop {
		pc, jkt, err := f.checkProof(r.Header.Get("DPoP"), r.Method, "https://"+r.Host+r.URL.EscapedPath())
		sum := sha256.Sum256([]byte(value))
		switch {
		case err != nil:
			w.Header().Set("WWW-Authenticate", `DPoP error="invalid_dpop_proof", error_description="`+err.Error()+`"`)
			w.WriteHeader(400)
			return
		case pc["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) || jkt != tok.jkt:
			w.Header().Set("WWW-Authenticate", `DPoP error="invalid_dpop_proof"`)
			w.WriteHeader(401)
			return
		case f.apiNonce != "" && pc["nonce"] != f.apiNonce:
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`)
			w.Header().Set("DPoP-Nonce", f.apiNonce)
			w.WriteHeader(401)
			return
		}
	}
	code, errCode := f.groupsCode, f.groupsError
	if r.PathValue("id") != "" {
		code, errCode = f.usersCode, f.usersError
	}
	if code != 0 {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"errorCode":%q,"errorSummary":"You do not have permission to perform the requested action"}`, errCode)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.PathValue("id") != "" {
		_, _ = io.WriteString(w, `[{"id":"00u1","status":"ACTIVE","profile":{"login":"a@example.com"}}]`)
		return
	}
	_, _ = io.WriteString(w, `[{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Portal Admins"}}]`)
}

func (f *fakeOkta) counts() (fetches, calls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches, f.apiCalls
}
