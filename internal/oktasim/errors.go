package oktasim

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is an error the simulator answers with, in Okta's error JSON
// ({errorCode, errorSummary, errorLink, errorId, errorCauses}) or, when
// oauthError is set, in the OAuth 2.0 shape ({error, error_description}).
type apiError struct {
	status  int
	code    string
	summary string
	causes  []string
	// oauthError, when set, makes the body {"error": oauthError,
	// "error_description": summary} as the OAuth 2.0 endpoints answer.
	oauthError string
	// header holds extra response headers such as WWW-Authenticate or
	// DPoP-Nonce.
	header http.Header
}

func (e *apiError) Error() string { return e.code + ": " + e.summary }

// Okta error codes the simulator uses.
const (
	codeValidation   = "E0000001"
	codeInvalidToken = "E0000011"
	codeForbidden    = "E0000006"
	codeNotFound     = "E0000007"
	codeInternal     = "E0000009"
	codeUnavailable  = "E0000010"
	codeBadFilter    = "E0000031"
	codeRateLimit    = "E0000047"
	codeBadMethod    = "E0000022"
)

func errInvalidToken() *apiError {
	return &apiError{status: http.StatusUnauthorized, code: codeInvalidToken, summary: "Invalid token provided"}
}

func errForbidden() *apiError {
	return &apiError{status: http.StatusForbidden, code: codeForbidden, summary: "You do not have permission to perform the requested action"}
}

func errNotFound(id, kind string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound,
		summary: "Not found: Resource not found: " + id + " (" + kind + ")"}
}

func errBadFilter(detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeBadFilter, summary: "Invalid search criteria.",
		causes: []string{detail}}
}

func errValidation(detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeValidation, summary: "Api validation failed: " + detail,
		causes: []string{detail}}
}

func errRateLimit() *apiError {
	return &apiError{status: http.StatusTooManyRequests, code: codeRateLimit,
		summary: "API call exceeded rate limit due to too many requests."}
}

// errForStatus is the error an injected fault answers with.
func errForStatus(status int) *apiError {
	switch {
	case status == http.StatusTooManyRequests:
		return errRateLimit()
	case status == http.StatusNotFound:
		return &apiError{status: status, code: codeNotFound, summary: "Not found: Resource not found"}
	case status == http.StatusUnauthorized:
		return errInvalidToken()
	case status == http.StatusForbidden:
		return errForbidden()
	case status >= 502 && status <= 504:
		return &apiError{status: status, code: codeUnavailable, summary: "Service Unavailable"}
	case status >= 500:
		return &apiError{status: status, code: codeInternal, summary: "Internal Server Error"}
	}
	return &apiError{status: status, code: codeValidation, summary: "Api validation failed: injected fault " + strconv.Itoa(status)}
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

type errorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type oauthErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// writeError writes e as Okta does.
func writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	if e.oauthError != "" {
		_ = json.NewEncoder(w).Encode(oauthErrorBody{Error: e.oauthError, ErrorDescription: e.summary})
		return
	}
	body := errorBody{
		ErrorCode:    e.code,
		ErrorSummary: e.summary,
		ErrorLink:    e.code,
		ErrorID:      "oae" + randomID(22),
		ErrorCauses:  []errorCause{},
	}
	for _, c := range e.causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	_ = json.NewEncoder(w).Encode(body)
}

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// randomID returns n characters from idAlphabet read from crypto/rand.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}
