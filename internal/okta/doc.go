// Package okta reads the mapped Okta groups and their members into a
// Snapshot. Reads go through okta-sdk-golang/v5 (cache off, the org URL's
// port kept) over an HTTP stack of the package's own: authentication is the
// caller's Transport (an SSWS API token here, OAuth 2.0 or DPoP elsewhere),
// and a pacer keeps each Okta rate-limit bucket under a share, retries
// 429s, 5xx, timeouts and dropped connections a bounded number of times,
// and counts every HTTP request. A read that fails anywhere returns an
// error, never a partial snapshot.
package okta
