package scim

import (
	"fmt"
	"strings"
)

// ThreatLockerAudience is the Audience URI (SP Entity ID) of ThreatLocker's
// SAML integration.
const ThreatLockerAudience = "https://threatlocker.com"

// ThreatLockerSAML derives the values the Okta SAML app needs from the
// instance shown in the portal's Help under 'ThreatLocker Access' (the
// letters or digits in parentheses): the Single sign-on URL and the
// Audience URI.
func ThreatLockerSAML(instance string) (ssoURL, audience string, err error) {
	in := strings.TrimSpace(instance)
	if in == "" {
		return "", "", fmt.Errorf("threatlocker instance is empty: copy the letters or digits in parentheses after 'ThreatLocker Access' in the portal's Help, e.g. d")
	}
	for _, r := range in {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", "", fmt.Errorf("threatlocker instance %q is malformed: it is one or more letters or digits (the part in parentheses after 'ThreatLocker Access' in the portal's Help, e.g. d)", instance)
		}
	}
	ssoURL = "https://portalapi." + strings.ToLower(in) + ".threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService"
	return ssoURL, ThreatLockerAudience, nil
}
