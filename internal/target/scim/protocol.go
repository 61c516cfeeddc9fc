package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Schema and message URNs (RFC 7643, RFC 7644).
const (
	schemaUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// ProviderConfig is what the client uses of the provider's
// ServiceProviderConfig (RFC 7643 section 5).
type ProviderConfig struct {
	Patch  bool
	Filter bool
	ETag   bool
	// MaxResults is the largest page the provider returns; 0 if unknown.
	MaxResults int
	// Bulk says the provider takes Bulk requests (RFC 7644 section 3.7)
	// of up to BulkMaxOperations operations and BulkMaxPayloadSize bytes
	// (0 if not given).
	Bulk               bool
	BulkMaxOperations  int
	BulkMaxPayloadSize int
}

// defaultPageSize is asked for when the provider gives no maxResults; a
// provider may return fewer (RFC 7644 section 3.4.2.4) and paging goes on.
const defaultPageSize = 1000

func (p ProviderConfig) pageSize() int {
	if p.MaxResults > 0 {
		return p.MaxResults
	}
	return defaultPageSize
}

// ProviderConfig returns the provider's configuration, reading it once.
func (c *Client) ProviderConfig(ctx context.Context) (ProviderConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.config(ctx)
}

func (c *Client) config(ctx context.Context) (ProviderConfig, error) {
	if c.spc != nil {
		return *c.spc, nil
	}
	var raw struct {
		Patch struct {
			Supported bool `json:"supported"`
		} `json:"patch"`
		Filter struct {
			Supported  bool `json:"supported"`
			MaxResults int  `json:"maxResults"`
		} `json:"filter"`
		ETag struct {
			Supported bool `json:"supported"`
		} `json:"etag"`
		Bulk struct {
			Supported      bool `json:"supported"`
			MaxOperations  int  `json:"maxOperations"`
			MaxPayloadSize int  `json:"maxPayloadSize"`
		} `json:"bulk"`
	}
	_, err := c.do(ctx, http.MethodGet, "/ServiceProviderConfig", nil, nil, "", &raw)
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusNotFound:
		// RFC 7644 requires the endpoint; without it assume the least.
		c.log.Warn("scim provider has no ServiceProviderConfig; using PUT, full reads and no ETags")
		c.spc = &ProviderConfig{}
		return *c.spc, nil
	case err != nil:
		return ProviderConfig{}, fmt.Errorf("read the provider's configuration: %w", err)
	}
	c.spc = &ProviderConfig{
		Patch:      raw.Patch.Supported,
		Filter:     raw.Filter.Supported,
		ETag:       raw.ETag.Supported,
		MaxResults: max(raw.Filter.MaxResults, 0),
	}
	if raw.Bulk.Supported {
		c.spc.Bulk = true
		c.spc.BulkMaxOperations = max(raw.Bulk.MaxOperations, 0)
		c.spc.BulkMaxPayloadSize = max(raw.Bulk.MaxPayloadSize, 0)
	}
	c.log.Debug("scim provider configuration", "patch", c.spc.Patch, "filter", c.spc.Filter, "etag", c.spc.ETag, "max_results", c.spc.MaxResults,
		"bulk", c.spc.Bulk, "bulk_max_operations", c.spc.BulkMaxOperations, "bulk_max_payload_size", c.spc.BulkMaxPayloadSize)
	return *c.spc, nil
}

// listReply is a ListResponse (RFC 7644 section 3.4.2).
type listReply struct {
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	ItemsPerPage int               `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// Filter returns the SCIM filter `attr eq "value"` with value quoted and
// escaped as a JSON string (RFC 7644 section 3.4.2.2).
func Filter(attr, value string) string {
	// json.Marshal escapes quotes, backslashes and control characters; keep
	// <, > and & as they are.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(value)
	return attr + " eq " + strings.TrimSuffix(b.String(), "\n")
}
