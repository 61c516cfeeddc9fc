package config

import (
	"strings"
	"testing"
	"time"
)

func TestValidateInstance(t *testing.T) {
	cases := []struct {
		name, in, wantErr string
	}{
		{"letter", "d", ""},
		{"letters and digits", "us1", ""},
		{"empty", " ", "enter the ThreatLocker instance"},
		{"dash", "d-1", "only letters and digits"},
		{"whole host pasted", "portalapi.d.threatlocker.com", "only letters and digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, ValidateInstance(tc.in), tc.wantErr)
		})
	}
}

func TestValidateDomain(t *testing.T) {
	cases := []struct {
		name, in, wantFix, wantErr string
	}{
		{"https", "https://acme.okta.com", "", ""},
		{"trailing slash", "https://acme.okta.com/", "", ""},
		{"missing scheme offers a fix", "acme.okta.com", "https://acme.okta.com", "must start with https://"},
		{"http refused", "http://acme.okta.com", "", "must use https://"},
		{"path offers the org address", "https://acme.okta.com/admin/dashboard", "https://acme.okta.com", "remove \"/admin/dashboard\""},
		{"empty", "", "", "enter the Okta domain"},
		{"no host", "https://", "", "no valid host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fix, err := ValidateDomain(tc.in)
			checkErr(t, err, tc.wantErr)
			if fix != tc.wantFix {
				t.Errorf("fix %q, want %q", fix, tc.wantFix)
			}
		})
	}
}

func TestFieldValidators(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		wantErr string
	}{
		{"client id ok", ValidateClientID("0oa1b2c3"), ""},
		{"client id empty", ValidateClientID(""), "enter the Client ID"},
		{"client id with space", ValidateClientID("0oa1 b2"), "contains spaces"},
		{"token ok", ValidateAPIToken("00abcdefghijklmnopqrstuvwxyz0123456789ABC"), ""},
		{"token empty", ValidateAPIToken(""), "paste the API token"},
		{"token short", ValidateAPIToken("00abc"), "too short"},
		{"token with line break", ValidateAPIToken("00abcdefghijklmnopqrstuv\nwxyz0123456789"), "line breaks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkErr(t, tc.err, tc.wantErr) })
	}
}

func TestParseThresholdAndAccounts(t *testing.T) {
	if n, err := ParseThreshold(" 12 "); err != nil || n != 12 {
		t.Fatalf("ParseThreshold(12) = %d, %v", n, err)
	}
	for _, bad := range []string{"", "-1", "ten", "1.5"} {
		if _, err := ParseThreshold(bad); err == nil || !strings.Contains(err.Error(), "for example 10") {
			t.Errorf("ParseThreshold(%q) = %v, want an explaining error", bad, err)
		}
	}
	got := ParseAccounts("a@x.com, b@x.com\n\n a@x.com ;c@x.com")
	if strings.Join(got, "|") != "a@x.com|b@x.com|c@x.com" {
		t.Fatalf("ParseAccounts = %v", got)
	}
}

func TestIntervalLabels(t *testing.T) {
	cases := map[time.Duration]string{
		5 * time.Minute: "5 Minutes", 15 * time.Minute: "15 Minutes", 30 * time.Minute: "30 Minutes",
		time.Hour: "1 Hour", 2 * time.Hour: "2 Hours", 12 * time.Hour: "12 Hours",
	}
	for d, want := range cases {
		if got := IntervalLabel(d); got != want {
			t.Errorf("IntervalLabel(%v) = %q, want %q", d, got, want)
		}
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}
