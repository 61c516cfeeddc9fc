package oktasim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// Client assertions and DPoP proofs are checked by hand rather than with a
// JWT library's parser, so each failure gets Okta's own error description.

// jws is a compact JWS split into its parts.
type jws struct {
	signingString string
	header        []byte
	payload       []byte
	sig           []byte
}

func splitJWS(s string) (*jws, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, false
	}
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	p, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	return &jws{signingString: parts[0] + "." + parts[1], header: h, payload: p, sig: sig}, true
}

// verify checks the signature with key under alg, which must fit the key.
func (j *jws) verify(alg string, key crypto.PublicKey) bool {
	var ok bool
	switch key.(type) {
	case *rsa.PublicKey:
		ok = alg == "RS256" || alg == "RS384" || alg == "RS512"
	case *ecdsa.PublicKey:
		ok = alg == "ES256" || alg == "ES384" || alg == "ES512"
	}
	if !ok {
		return false
	}
	return jwt.GetSigningMethod(alg).Verify(j.signingString, j.sig, key) == nil
}

type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp *float64        `json:"exp"`
	Iat *float64        `json:"iat"`
	Nbf *float64        `json:"nbf"`
	JTI string          `json:"jti"`
}

func unix(f *float64) time.Time { return time.Unix(int64(*f), 0) }

// audienceIs reports whether aud (a string or an array) is exactly want.
func audienceIs(aud json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(aud, &many) == nil && len(many) == 1 && many[0] == want
}

// checkAssertion validates a private_key_jwt client assertion and returns
// the app it authenticates. The caller holds a.apps.mu (read) and a.mu.
func (a *authority) checkAssertion(assertion, tokenURL string, now time.Time) (*serviceApp, *apiError) {
	j, ok := splitJWS(assertion)
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var c assertionClaims
	if !ok || json.Unmarshal(j.header, &hdr) != nil || json.Unmarshal(j.payload, &c) != nil {
		return nil, invalidClient("The client_assertion is not a valid JWT.")
	}
	if c.Iss == "" || c.Sub != c.Iss {
		return nil, invalidClient("The 'iss' and 'sub' claims of the client_assertion token must both be the client_id.")
	}
	app := a.apps.byID[c.Iss]
	if app == nil {
		return nil, invalidClient("Client authentication failed. Either the client or the client credentials are invalid.")
	}
	if app.authMethod != "private_key_jwt" {
		return nil, invalidClient("The client is not configured for private_key_jwt client authentication (Public key / Private key).")
	}
	key := app.activeKey(hdr.Kid)
	if key == nil {
		return nil, invalidClient("The client_assertion token has a 'kid' that does not identify an active public key of the client.")
	}
	if !j.verify(hdr.Alg, key.key.Key) {
		return nil, invalidClient("The client_assertion signature is invalid.")
	}
	if !audienceIs(c.Aud, tokenURL) {
		return nil, invalidClient("The audience claim for client_assertion must be the endpoint invoked for the request.")
	}
	if e := a.checkAssertionTimes(c, now); e != nil {
		return nil, e
	}
	return app, nil
}

// activeKey is the app's active key with id kid; without a kid, its one
// key, if it has only one.
func (app *serviceApp) activeKey(kid string) *appKey {
	var key *appKey
	for _, k := range app.keys {
		if k.status == "ACTIVE" && (k.kid == kid || kid == "" && len(app.keys) == 1) {
			key = k
		}
	}
	return key
}

// checkAssertionTimes checks an assertion's exp, iat and nbf against now,
// and its jti, when it has one, against those already used.
func (a *authority) checkAssertionTimes(c assertionClaims, now time.Time) *apiError {
	switch {
	case c.Exp == nil:
		return invalidClient("The client_assertion token must contain an 'exp' claim.")
	case !now.Before(unix(c.Exp).Add(clockSkew)):
		return invalidClient("The client_assertion token is expired.")
	case unix(c.Exp).After(now.Add(maxAssertionLifetime + clockSkew)):
		return invalidClient("The client_assertion token has an expiration too far in the future.")
	case c.Iat != nil && unix(c.Iat).After(now.Add(clockSkew)), c.Nbf != nil && unix(c.Nbf).After(now.Add(clockSkew)):
		return invalidClient("The client_assertion token was issued too far in the future.")
	case c.JTI != "" && !a.useJTI("assertion", c.JTI, now): // jti is optional, as in Okta
		return invalidClient("The 'jti' claim in the client_assertion token has already been used.")
	}
	return nil
}

// dpopClaims are the claims of a DPoP proof.
type dpopClaims struct {
	HTM   string   `json:"htm"`
	HTU   string   `json:"htu"`
	IAT   *float64 `json:"iat"`
	JTI   string   `json:"jti"`
	Nonce string   `json:"nonce"`
	ATH   string   `json:"ath"`
}

// proofKey is a DPoP public key parsed from a proof header, cached by the
// header's encoded form (clients send the same header with every proof).
type proofKey struct {
	alg string
	key crypto.PublicKey
	jkt string
}

func errProof(msg string) error { return errors.New(msg) }

// proofKeyOf parses and caches a DPoP proof header. The caller holds a.mu.
func (a *authority) proofKeyOf(encoded string, raw []byte) (*proofKey, error) {
	if pk, ok := a.proofKeys[encoded]; ok {
		return pk, nil
	}
	var hdr struct {
		Typ string          `json:"typ"`
		Alg string          `json:"alg"`
		JWK json.RawMessage `json:"jwk"`
	}
	if json.Unmarshal(raw, &hdr) != nil {
		return nil, errProof("The DPoP proof JWT is malformed.")
	}
	if hdr.Typ != "dpop+jwt" {
		return nil, errProof("'typ' header in the DPoP proof JWT is invalid.")
	}
	switch hdr.Alg {
	case "RS256", "RS384", "RS512", "ES256", "ES384", "ES512":
	default:
		return nil, errProof("'alg' header in the DPoP proof JWT is not supported.")
	}
	var members map[string]json.RawMessage
	var k jose.JSONWebKey
	if len(hdr.JWK) == 0 || json.Unmarshal(hdr.JWK, &members) != nil || members["d"] != nil || k.UnmarshalJSON(hdr.JWK) != nil || !k.Valid() || !k.IsPublic() {
		return nil, errProof("'jwk' header in the DPoP proof JWT is invalid.")
	}
	sum, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, errProof("'jwk' header in the DPoP proof JWT is invalid.")
	}
	pk := &proofKey{alg: hdr.Alg, key: k.Key, jkt: base64.RawURLEncoding.EncodeToString(sum)}
	if len(a.proofKeys) > 1000 {
		clear(a.proofKeys)
	}
	a.proofKeys[encoded] = pk
	return pk, nil
}

// checkProof validates a DPoP proof for a request and returns its claims
// and the thumbprint of its key. It does not check the nonce or ath, which
// depend on where the proof is used. The caller holds a.mu.
func (a *authority) checkProof(proof, method, htu string, now time.Time) (*dpopClaims, string, error) {
	if proof == "" {
		return nil, "", errProof("The DPoP proof JWT header is missing.")
	}
	j, ok := splitJWS(proof)
	if !ok {
		return nil, "", errProof("The DPoP proof JWT is malformed.")
	}
	pk, err := a.proofKeyOf(proof[:strings.IndexByte(proof, '.')], j.header)
	if err != nil {
		return nil, "", err
	}
	if !j.verify(pk.alg, pk.key) {
		return nil, "", errProof("The DPoP proof JWT signature is invalid.")
	}
	var c dpopClaims
	if json.Unmarshal(j.payload, &c) != nil {
		return nil, "", errProof("The DPoP proof JWT is malformed.")
	}
	switch {
	case c.HTM != method:
		return nil, "", errProof("'htm' claim in the DPoP proof JWT is invalid.")
	case !sameHTU(c.HTU, htu):
		return nil, "", errProof("'htu' claim in the DPoP proof JWT is invalid.")
	case c.IAT == nil:
		return nil, "", errProof("'iat' claim in the DPoP proof JWT is missing.")
	case unix(c.IAT).After(now.Add(clockSkew)), unix(c.IAT).Before(now.Add(-dpopWindow)):
		return nil, "", errProof("'iat' claim in the DPoP proof JWT is outside the acceptable time window.")
	case c.JTI == "":
		return nil, "", errProof("'jti' claim in the DPoP proof JWT is missing.")
	case !a.useJTI("dpop", c.JTI, now):
		return nil, "", errProof("'jti' claim in the DPoP proof JWT has already been used.")
	}
	return &c, pk.jkt, nil
}

// sameHTU compares a proof's htu with the request URL, ignoring the case of
// scheme and host and any query or fragment in the proof.
func sameHTU(got, want string) bool {
	if strings.ContainsAny(got, "?#") {
		return false
	}
	gs, gp := splitOrigin(got)
	ws, wp := splitOrigin(want)
	return strings.EqualFold(gs, ws) && gp == wp
}

func splitOrigin(u string) (origin, path string) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", u
	}
	host, p, _ := strings.Cut(rest, "/")
	return scheme + "://" + host, "/" + p
}

// athOf is base64url(SHA-256(access token)).
func athOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
