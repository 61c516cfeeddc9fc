package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The checks below take one field as an admin types it into a form, and
// say in the message where to find the value or how to fix it. A fix, when
// returned, is the corrected value a form can offer.

// ValidateInstance checks a ThreatLocker instance as typed: the same rule
// as target.instance, with a message that says where to find it.
func ValidateInstance(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("enter the ThreatLocker instance: in the portal, open Help and copy the letters or digits in parentheses after 'ThreatLocker Access'")
	}
	if !instanceRE.MatchString(v) {
		return fmt.Errorf("the instance %q may contain only letters and digits (for example d or us1): copy just the characters in parentheses after 'ThreatLocker Access'", v)
	}
	return nil
}

// ExampleSCIMURL is the SCIM base URL that messages and forms give as an example.
const ExampleSCIMURL = "https://portal.example.com/scim/v2"

// ValidateHTTPSURL checks a URL that must use HTTPS. When the scheme is
// missing it returns the URL with https:// as a fix to offer.
func ValidateHTTPSURL(what, example, v string) (fix string, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("enter the %s, for example %s", what, example)
	}
	if !strings.Contains(v, "://") {
		fix = "https://" + v
		if _, ferr := ValidateHTTPSURL(what, example, fix); ferr != nil {
			fix = ""
		}
		return fix, fmt.Errorf("the %s must start with https:// (for example %s)", what, example)
	}
	u, perr := url.Parse(v)
	if perr != nil {
		return "", fmt.Errorf("the %s %q is not a valid URL (%w): enter it as https://host", what, v, perr)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("the %s must use https://, not %s://: Okta and the portal are reached over HTTPS only", what, u.Scheme)
	}
	if u.Host == "" || strings.ContainsAny(u.Host, " _") {
		return "", fmt.Errorf("the %s %q has no valid host name: enter it as https://host", what, v)
	}
	return "", nil
}

// ValidateDomain checks the Okta domain: HTTPS, a host and nothing after it.
func ValidateDomain(v string) (fix string, err error) {
	if fix, err = ValidateHTTPSURL("Okta domain", "https://example.okta.com", v); err != nil {
		return fix, err
	}
	u, _ := url.Parse(strings.TrimSpace(v))
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return u.Scheme + "://" + u.Host, fmt.Errorf("the Okta domain is the org address only: remove %q", strings.TrimPrefix(strings.TrimSpace(v), u.Scheme+"://"+u.Host))
	}
	return "", nil
}

// ValidateClientID checks an Okta client ID.
func ValidateClientID(v string) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return errors.New("enter the Client ID: in Okta open Applications > Applications, select the API Services app and copy it from 'Client Credentials' on the General tab")
	case strings.ContainsAny(v, " \t\n"):
		return errors.New("the Client ID contains spaces: copy it again from 'Client Credentials' on the app's General tab")
	}
	return nil
}

// ValidateAPIToken checks an Okta API token as typed.
func ValidateAPIToken(v string) error {
	switch {
	case v == "":
		return errors.New("paste the API token: in Okta open Security > API > Tokens and create one (its value is shown only once)")
	case strings.ContainsAny(v, " \t\n"):
		return errors.New("the API token contains spaces or line breaks: paste only the token value")
	case len(v) < 20:
		return errors.New("the API token is too short: Okta API tokens are about 40 characters, paste the whole value")
	}
	return nil
}

// ParseAccounts splits protected accounts given one a line or comma separated.
func ParseAccounts(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// ValidateAccounts checks the protected accounts: logins, one a line.
func ValidateAccounts(v string) error {
	for _, a := range ParseAccounts(v) {
		if strings.ContainsAny(a, " \t") {
			return fmt.Errorf("%q is not one login: put each login on its own line", a)
		}
	}
	return nil
}

// ParseThreshold reads the deletion threshold (safety.max_revocations)
// as typed: a whole number, 0 or more.
func ParseThreshold(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the deletion threshold %q is not a whole number: enter how many users one run may revoke before it stops for review, for example 10 (0 turns the gate off)", strings.TrimSpace(v))
	}
	return n, nil
}

// IntervalLabel names an interval as the seed does: "5 Minutes", "1 Hour".
func IntervalLabel(d time.Duration) string {
	unit, n := "Minute", int(d/time.Minute)
	if d >= time.Hour && d%time.Hour == 0 {
		unit, n = "Hour", int(d/time.Hour)
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}
