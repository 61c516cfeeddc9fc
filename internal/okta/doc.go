// Package okta reads the mapped Okta groups and their members into a
// Snapshot.
//
// A Client (NewClient) decodes the pages a sync reads (group listings,
// member pages, user searches, the System Log) itself, into the fields it
// keeps, group listings and member pages in one pass over the bytes; the
// SDK's models cost several times that CPU, which on a large org is most
// of the client's time. Small lookups (a group picker's search) go through
// okta-sdk-golang/v5 with its cache and own retries off and the org URL's
// port kept. Every request passes a pacer of the package's own: it keeps each
// Okta rate-limit bucket under a share (X-Rate-Limit-* headers), waits out
// 429s until the reset, retries 5xx, timeouts and dropped connections with
// capped exponential backoff (internal/retry) a bounded number of times,
// bounds each attempt with a timeout, and counts every HTTP request. Authentication is the
// caller's: APITokenTransport here, the OAuth 2.0 and DPoP transports
// beside it.
//
// Snapshot reads everything; SnapshotDelta reads only what changed since a
// previous snapshot (2 API calls when nothing did). A read that fails
// anywhere returns an error, never a partial snapshot. Okta's error
// responses come back as *APIError with advice an admin can act on.
//
// SetUpApp creates rolesync's API Services app in an org with a one-time
// super-admin API token (the setup wizard's automatic setup), through the
// same pacer, errors and CA settings.
package okta
