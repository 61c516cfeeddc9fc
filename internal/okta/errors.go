package okta

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Okta error codes the client gives advice for.
const (
	CodeInvalidToken    = "E0000011" // invalid token provided
	CodeForbidden       = "E0000006" // you do not have permission
	CodeInvalidSession  = "E0000005" // invalid session, now and then mid-read
	CodeNotFound        = "E0000007" // resource not found
	CodeRateLimited     = "E0000047" // API call exceeded rate limit
	CodeInvalidSearch   = "E0000031" // invalid search criteria
	CodeInvalidArgument = "E0000001" // API validation failed
)

// APIError is an error response from Okta: its HTTP status and Okta's error
// JSON ({errorCode, errorSummary, errorId}), or the OAuth 2.0 form
// ({error, error_description}) for bearer and DPoP tokens.
type APIError struct {
	Status  int    // HTTP status code
	Code    string // Okta error code (E0000011…) or OAuth error (invalid_token…)
	Summary string // Okta's errorSummary or error_description
	ID      string // Okta's errorId, to quote to Okta support
	Causes  []string
	// Method and Path name the request that failed (no query, no secrets).
	Method string
	Path   string
	// Attempts is how many times the request was sent, retries included.
	Attempts int
}

// Error returns a message an admin can act on.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.advice())
	if e.Method != "" {
		fmt.Fprintf(&b, " [%s %s", e.Method, e.Path)
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " after %d attempts", e.Attempts)
		}
		b.WriteString("]")
	}
	if e.ID != "" {
		fmt.Fprintf(&b, " (Okta error id %s)", e.ID)
	}
	return b.String()
}

func (e *APIError) advice() string {
	switch {
	case e.Code == CodeInvalidToken:
		return "Okta rejected the API token (E0000011): check that the token is correct and not revoked; set it with `rolesync secrets set okta-api-token`"
	case e.Code == CodeForbidden:
		return "Okta denied access (E0000006): the token or service app may not read groups and their members; grant okta.groups.read on the app's Okta API Scopes tab and assign the Read-only Administrator role on its Admin roles tab"
	case e.Code == CodeInvalidSession:
		return fmt.Sprintf("Okta answered HTTP %d (E0000005): %s; Okta does so now and then in the middle of a read, which failed with nothing applied and is read again by the next run", e.Status, orDefault(e.Summary, "Invalid session"))
	case e.Code == CodeRateLimited || e.Status == http.StatusTooManyRequests:
		return "Okta's rate limit was reached (E0000047) and retries did not get through: other apps share this org's limits; lengthen the sync interval or lower the rate share"
	case e.Code == CodeNotFound || e.Status == http.StatusNotFound:
		return fmt.Sprintf("Okta has no such resource (%s): %s; check the Okta group name or id in the mapping", orDefault(e.Code, "404"), orDefault(e.Summary, "not found"))
	case isDPoPError(e.Code):
		return fmt.Sprintf("%s (HTTP %d, %s: %s)", strings.TrimSuffix(fixDPoPOnAPI, "."), e.Status, e.Code, orDefault(e.Summary, "DPoP proof rejected"))
	case e.Code == "invalid_token" || (e.Status == http.StatusUnauthorized && e.Code == ""):
		return fmt.Sprintf("Okta rejected the access token (%s): %s; check the client ID, keys and DPoP setting of the service app", orDefault(e.Code, "401"), orDefault(e.Summary, "unauthorized"))
	case e.Code == "insufficient_scope":
		return fmt.Sprintf("Okta refused the request for lack of a scope (insufficient_scope): %s; grant the scope on the app's Okta API Scopes tab", orDefault(e.Summary, "missing scope"))
	case e.Status >= 500:
		return fmt.Sprintf("Okta failed with HTTP %d%s: %s; try again later, and check status.okta.com", e.Status, codeSuffix(e.Code), orDefault(e.Summary, http.StatusText(e.Status)))
	}
	return fmt.Sprintf("Okta returned HTTP %d%s: %s", e.Status, codeSuffix(e.Code), orDefault(e.Summary, http.StatusText(e.Status)))
}

func codeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " (" + code + ")"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Temporary reports whether retrying the request later may succeed.
func (e *APIError) Temporary() bool { return retriedStatus(e.Status) }

// parseAPIError builds an APIError from a non-2xx response body. Bodies that
// are not Okta's error JSON still give an APIError carrying the status.
func parseAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var okta struct {
		ErrorCode        string `json:"errorCode"`
		ErrorSummary     string `json:"errorSummary"`
		ErrorID          string `json:"errorId"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorCauses      []struct {
			ErrorSummary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	if json.Unmarshal(body, &okta) != nil {
		return e
	}
	e.Code, e.Summary, e.ID = okta.ErrorCode, okta.ErrorSummary, okta.ErrorID
	if e.Code == "" {
		e.Code, e.Summary = okta.Error, okta.ErrorDescription
	}
	for _, c := range okta.ErrorCauses {
		if c.ErrorSummary != "" {
			e.Causes = append(e.Causes, c.ErrorSummary)
		}
	}
	return e
}

// Errors for failures below HTTP. They wrap the underlying error; test with
// errors.Is.
var (
	// ErrCertificate: Okta's TLS certificate could not be verified.
	ErrCertificate = errors.New("cannot verify Okta's TLS certificate")
	// ErrUnknownHost: the Okta domain does not resolve.
	ErrUnknownHost = errors.New("the Okta domain does not resolve")
	// ErrUnreachable: the Okta host refused or dropped the connection.
	ErrUnreachable = errors.New("cannot connect to Okta")
	// ErrTimeout: a request got no answer within the request timeout.
	ErrTimeout = errors.New("no answer from Okta in time")
	// ErrMalformed: Okta answered with a body or header the client cannot read.
	ErrMalformed = errors.New("malformed response from Okta")
	// ErrIncomplete: a group's members read fall short of the count Okta's
	// group statistics give, as when a listing stops without a next link.
	ErrIncomplete = errors.New("incomplete read of an Okta group")
	// ErrRateLimitWait: Okta's rate limit asks for a wait longer than
	// maxRateWait, as a wrong X-Rate-Limit-Reset does.
	ErrRateLimitWait = errors.New("the Okta rate-limit wait is too long")
)

// classifyNetError wraps a transport error with one of the sentinels above
// and advice. It returns err unchanged when it is none of them.
func classifyNetError(host string, err error) error {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalid     x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		dnsErr      *net.DNSError
	)
	switch {
	case errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &verifyErr):
		return fmt.Errorf("%w for %s: %v; if your network inspects TLS, set okta.ca_file to your organisation's CA bundle (PEM)", ErrCertificate, host, err)
	case errors.As(err, &dnsErr) && (dnsErr.IsNotFound || !dnsErr.IsTemporary):
		return fmt.Errorf("%w: cannot resolve %s (%v); check okta.domain (for example https://example.okta.com)", ErrUnknownHost, host, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w at %s: connection refused; check okta.domain and any proxy or firewall", ErrUnreachable, host)
	}
	return err
}
