package okta

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDPoPChallenge checks what reads Okta's WWW-Authenticate and
// DPoP-Nonce headers. Any header line parses without hanging, and a
// challenge it reports names an error. A challenge written as a server
// writes it (RFC 7235: scheme, auth-params, quoted-strings with \" and
// \\), with the error and the description anywhere among other
// parameters, reads back with its scheme, error and description exactly;
// it is a nonce challenge exactly when the error is use_dpop_nonce and a
// DPoP-Nonce came with it, whatever the description says. And a nonce, as
// the header gives it, goes into the next DPoP proof's claims unchanged.
func FuzzDPoPChallenge(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := newDPoPSigner(key)
	if err != nil {
		f.Fatal(err)
	}
	target, _ := url.Parse("https://example.okta.com/api/v1/groups?limit=200")
	f.Fuzz(func(t *testing.T, line, scheme, code, desc, nonce string, errorFirst bool) {
		// Any line.
		if ch, ok := parseChallenge(http.Header{"Www-Authenticate": {line}}); ok && ch.Error == "" {
			t.Fatalf("parseChallenge(%q) reported a challenge without an error", line)
		}

		// A challenge as a server writes it.
		if !isToken(scheme) || code == "" || !isFieldText(code) || !isFieldText(desc) || !isFieldText(nonce) {
			return
		}
		params := []string{`realm="https://example.okta.com"`, `algs="RS256 ES256"`,
			"error=" + quoteString(code), "error_description=" + quoteString(desc)}
		if !errorFirst {
			params = append(params[2:], params[:2]...)
		}
		h := http.Header{}
		h.Set("WWW-Authenticate", scheme+" "+strings.Join(params, ", "))
		if nonce != "" {
			h.Set("DPoP-Nonce", nonce)
		}
		ch, ok := parseChallenge(h)
		if !ok || ch.Scheme != scheme || ch.Error != code || ch.Description != desc {
			t.Fatalf("parseChallenge(%q) = %+v, %v; want scheme %q, error %q, description %q",
				h.Get("WWW-Authenticate"), ch, ok, scheme, code, desc)
		}
		resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: h}
		if got, want := isNonceChallenge(resp), code == "use_dpop_nonce" && h.Get("DPoP-Nonce") != ""; got != want {
			t.Fatalf("isNonceChallenge = %v, want %v for %q", got, want, h)
		}

		// The nonce in the next proof.
		if nonce == "" || !utf8.ValidString(nonce) {
			return
		}
		proof, err := signer.proof(http.MethodGet, target, time.Unix(1772442000, 0), h.Get("DPoP-Nonce"), "")
		if err != nil {
			t.Fatalf("proof with nonce %q: %v", nonce, err)
		}
		parts := strings.Split(proof, ".")
		if len(parts) != 3 {
			t.Fatalf("the proof has %d parts", len(parts))
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatalf("the proof's payload: %v", err)
		}
		var claims struct {
			Nonce string `json:"nonce"`
			HTU   string `json:"htu"`
		}
		if err := json.Unmarshal(payload, &claims); err != nil || claims.Nonce != nonce || claims.HTU != "https://example.okta.com/api/v1/groups" {
			t.Fatalf("the proof's claims %s (err %v) do not carry nonce %q", payload, err, nonce)
		}
	})
}

// isToken reports whether s is an RFC 7230 token, as an auth-scheme is.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// isFieldText reports whether s may appear in a header field value: no
// control characters but the tab, and no white space at either end, which
// HTTP strips.
func isFieldText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return s == strings.Trim(s, " \t")
}

// quoteString writes s as an RFC 7230 quoted-string.
func quoteString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
