package okta

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// ScopedTransport authenticates every request with an OAuth 2.0 access
// token from Okta's org authorization server, obtained with the client
// credentials grant and a private_key_jwt client assertion. With
// cfg.DPoPKey set, tokens are DPoP-bound and each request carries
// "Authorization: DPoP <token>" and a fresh DPoP proof; otherwise
// "Authorization: Bearer <token>".
//
// Tokens are cached until a minute before they expire and fetched again
// after a 401. DPoP nonce challenges are answered at the token endpoint and
// on API calls; the first API call already carries the token endpoint's
// nonce. A request with a body is retried only if it can be replayed
// (http.Request.GetBody). A bad configuration is reported by RoundTrip.
func ScopedTransport(cfg ScopedConfig, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	src, err := newTokenSource(cfg, base)
	return &scopedTransport{base: base, src: src, err: err}
}

type scopedTransport struct {
	base http.RoundTripper
	src  *tokenSource
	err  error

	mu    sync.Mutex
	nonce string // latest DPoP nonce from the resource server
}

// String hides the token and keys when the transport is printed.
func (t *scopedTransport) String() string { return "OAuth 2.0 transport (token and keys hidden)" }

// apiNonce is the nonce for an API call's DPoP proof: the resource
// server's latest, else the token endpoint's. Okta's resource server takes
// the nonce its token endpoint issued, so the first API call needs no
// challenge of its own; Okta's Go SDK (okta-sdk-golang v5, client.go) sends
// the token endpoint's nonce with every API call. A resource server with
// nonces of its own still challenges once, and is answered.
func (t *scopedTransport) apiNonce() string {
	t.mu.Lock()
	n := t.nonce
	t.mu.Unlock()
	if n == "" {
		n = t.src.lastNonce()
	}
	return n
}

func (t *scopedTransport) setNonce(n string) {
	if n == "" {
		return
	}
	t.mu.Lock()
	t.nonce = n
	t.mu.Unlock()
}

// RoundTrip implements http.RoundTripper.
func (t *scopedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.err != nil {
		closeBody(req)
		return nil, fmt.Errorf("okta OAuth configuration: %w", t.err)
	}
	ctx := req.Context()
	tok, err := t.src.token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req, req.Body, tok)
	if err != nil {
		return nil, err
	}
	// At most two retries: one for a DPoP nonce (Okta challenges with 400
	// or 401), one for a fresh token (after a 401).
	nonceRetried, tokenRetried := false, false
	for resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest {
		refetch := false
		switch {
		case t.src.dpop != nil && !nonceRetried && isNonceChallenge(resp):
			nonceRetried = true
		case resp.StatusCode == http.StatusUnauthorized && !tokenRetried:
			tokenRetried, refetch = true, true
		default:
			return resp, nil
		}
		body, ok := replayBody(req)
		if !ok {
			return resp, nil
		}
		discard(resp)
		if refetch {
			t.src.invalidate(tok)
			if tok, err = t.src.token(ctx); err != nil {
				closeBody(&http.Request{Body: body})
				return nil, err
			}
		}
		if resp, err = t.send(req, body, tok); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// isNonceChallenge reports a resource server's DPoP nonce challenge:
// 400 or 401 with WWW-Authenticate: DPoP error="use_dpop_nonce" and a
// DPoP-Nonce header.
func isNonceChallenge(resp *http.Response) bool {
	ch, ok := parseChallenge(resp.Header)
	return ok && ch.Error == "use_dpop_nonce" && resp.Header.Get("DPoP-Nonce") != ""
}

// send clones req with the token (and a DPoP proof) and sends it.
func (t *scopedTransport) send(req *http.Request, body io.ReadCloser, tok *accessToken) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = body
	if t.src.dpop != nil {
		proof, err := t.src.dpop.proof(req.Method, req.URL, t.src.cfg.Now(), t.apiNonce(), tok.ath)
		if err != nil {
			closeBody(r)
			return nil, err
		}
		r.Header.Set("Authorization", "DPoP "+tok.value)
		r.Header.Set("DPoP", proof)
	} else {
		r.Header.Set("Authorization", "Bearer "+tok.value)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if t.src.dpop != nil {
		t.setNonce(resp.Header.Get("DPoP-Nonce"))
	}
	return resp, nil
}

// replayBody returns a fresh copy of req's body for a retry.
func replayBody(req *http.Request) (io.ReadCloser, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	b, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	return b, true
}

// discard drains and closes a response that is answered by a retry.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
