package scimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Bulk message URNs (RFC 7644 section 3.7).
const (
	bulkRequestURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	bulkResponseURN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	errorURN        = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// BulkOperation is one operation of a Bulk request, as a BulkFault sees it.
type BulkOperation struct {
	Index   int // from 0, in the request's order
	Method  string
	Path    string
	BulkID  string
	Version string
	Data    json.RawMessage
}

// BulkFault decides whether to fail one operation of a Bulk request. When
// ok is true, the operation is answered with status and a SCIM error with
// detail, and not applied.
type BulkFault func(op BulkOperation) (status int, detail string, ok bool)

type bulkRequest struct {
	Schemas      []string `json:"schemas"`
	FailOnErrors int      `json:"failOnErrors"`
	Operations   []struct {
		Method  string          `json:"method"`
		Path    string          `json:"path"`
		BulkID  string          `json:"bulkId"`
		Version string          `json:"version"`
		Data    json.RawMessage `json:"data"`
	} `json:"Operations"`
}

// bulkResult is one operation's entry in a BulkResponse.
type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Location string          `json:"location,omitempty"`
	Version  string          `json:"version,omitempty"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

// SetBulk advertises SCIM Bulk and answers POST /Bulk, or stops doing so.
func (s *Server) SetBulk(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulkOn = on
}

// SetBulkLimits sets the maxOperations and maxPayloadSize announced and
// enforced; 0 leaves a limit as it is.
func (s *Server) SetBulkLimits(maxOperations, maxPayloadSize int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if maxOperations > 0 {
		s.maxOps = maxOperations
	}
	if maxPayloadSize > 0 {
		s.maxPayload = maxPayloadSize
	}
}

// SetBulkFault installs f for the operations of Bulk requests; nil removes it.
func (s *Server) SetBulkFault(f BulkFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulkFault = f
}

// BulkOperations returns how many Bulk operations the server has handled.
func (s *Server) BulkOperations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bulkOps
}

// bulk answers POST /Bulk: each operation in turn, through handle, with
// the request's headers and the operation's version as If-Match. A
// "bulkId:ID" value in an operation's data becomes the id of the resource
// an earlier operation with that bulkId created.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, inner http.Handler) {
	s.mu.Lock()
	on, maxOps, maxPayload := s.bulkOn, s.maxOps, s.maxPayload
	s.mu.Unlock()
	switch {
	case !on:
		scimError(w, http.StatusNotImplemented, "", "bulk is not supported")
		return
	case r.Method != http.MethodPost:
		scimError(w, http.StatusMethodNotAllowed, "", "use POST for /Bulk")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(maxPayload)+1))
	if err != nil {
		scimError(w, http.StatusBadRequest, "invalidSyntax", err.Error())
		return
	}
	if len(body) > maxPayload {
		scimError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request is larger than maxPayloadSize %d", maxPayload))
		return
	}
	var req bulkRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Schemas) != 1 || req.Schemas[0] != bulkRequestURN {
		scimError(w, http.StatusBadRequest, "invalidSyntax", "not a BulkRequest")
		return
	}
	if len(req.Operations) > maxOps {
		scimError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("%d operations is more than maxOperations %d", len(req.Operations), maxOps))
		return
	}
	ids := map[string]string{}
	results := make([]bulkResult, 0, len(req.Operations))
	failures := 0
	for i, op := range req.Operations {
		if req.FailOnErrors > 0 && failures >= req.FailOnErrors {
			break
		}
		res := s.bulkOp(r, BulkOperation{Index: i, Method: op.Method, Path: op.Path, BulkID: op.BulkID, Version: op.Version, Data: op.Data}, ids, inner)
		if status, _ := strconv.Atoi(res.Status); status >= 300 {
			failures++
		}
		results = append(results, res)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{bulkResponseURN}, "Operations": results})
}

// bulkOp applies one operation of a Bulk request.
func (s *Server) bulkOp(r *http.Request, op BulkOperation, ids map[string]string, inner http.Handler) bulkResult {
	s.mu.Lock()
	s.bulkOps++
	fault := s.bulkFault
	s.mu.Unlock()
	res := bulkResult{Method: op.Method, BulkID: op.BulkID}
	fail := func(status int, scimType, detail string) bulkResult {
		res.Status = strconv.Itoa(status)
		res.Response = errorBody(status, scimType, detail)
		return res
	}
	if !validOpPath(op.Method, op.Path) || (op.Method == http.MethodPost && op.BulkID == "") {
		return fail(http.StatusBadRequest, "invalidSyntax", fmt.Sprintf("operation %d: %s %s is not a User or Group operation with a bulkId for POST", op.Index, op.Method, op.Path))
	}
	data, unknown := resolveBulkIDs(op.Data, ids)
	if unknown != "" {
		return fail(http.StatusConflict, "invalidValue", "unknown bulkId "+unknown)
	}
	op.Data = data
	if fault != nil {
		if status, detail, ok := fault(op); ok {
			return fail(status, "", detail)
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), op.Method, BasePath+op.Path, bytes.NewReader(data))
	if err != nil {
		return fail(http.StatusBadRequest, "invalidSyntax", err.Error())
	}
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	req.Header.Set("Content-Type", "application/scim+json")
	if op.Version != "" {
		req.Header.Set("If-Match", op.Version)
	}
	rec := httptest.NewRecorder()
	s.handle(rec, req, op.Path, inner)
	return s.bulkResult(res, op, rec, ids)
}

// bulkResult completes res with the answer rec of op, and keeps the id a
// POST made under its bulkId.
func (s *Server) bulkResult(res bulkResult, op BulkOperation, rec *httptest.ResponseRecorder, ids map[string]string) bulkResult {
	res.Status = strconv.Itoa(rec.Code)
	if rec.Code >= 300 {
		res.Response = json.RawMessage(bytes.TrimSpace(rec.Body.Bytes()))
		if !json.Valid(res.Response) {
			res.Response = errorBody(rec.Code, "", strings.TrimSpace(rec.Body.String()))
		}
		return res
	}
	var made struct {
		ID   string `json:"id"`
		Meta struct {
			Version string `json:"version"`
		} `json:"meta"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &made)
	res.Location = s.BaseURL() + strings.TrimRight(op.Path, "/")
	if op.Method == http.MethodPost {
		ids[op.BulkID] = made.ID
		res.Location += "/" + made.ID
	}
	res.Version = made.Meta.Version
	return res
}

// validOpPath says whether method and path make a User or Group operation:
// POST to the collection, PUT, PATCH or DELETE of one resource.
func validOpPath(method, path string) bool {
	for _, coll := range []string{"/Users", "/Groups"} {
		if method == http.MethodPost && path == coll {
			return true
		}
		id, ok := strings.CutPrefix(path, coll+"/")
		if ok && id != "" && !strings.Contains(id, "/") && method != http.MethodPost && method != http.MethodGet {
			return true
		}
	}
	return false
}

// resolveBulkIDs replaces each "bulkId:ID" string in data with the id
// created under that bulkId; unknown is the first bulkId not created yet.
func resolveBulkIDs(data json.RawMessage, ids map[string]string) (json.RawMessage, string) {
	const prefix = `"bulkId:`
	if !bytes.Contains(data, []byte(prefix)) {
		return data, ""
	}
	var out bytes.Buffer
	rest := data
	for {
		i := bytes.Index(rest, []byte(prefix))
		if i < 0 {
			out.Write(rest)
			return out.Bytes(), ""
		}
		end := bytes.IndexByte(rest[i+len(prefix):], '"')
		if end < 0 {
			out.Write(rest)
			return out.Bytes(), ""
		}
		ref := string(rest[i+len(prefix) : i+len(prefix)+end])
		id, ok := ids[ref]
		if !ok {
			return nil, ref
		}
		quoted, _ := json.Marshal(id)
		out.Write(rest[:i])
		out.Write(quoted)
		rest = rest[i+len(prefix)+end+1:]
	}
}

func errorBody(status int, scimType, detail string) json.RawMessage {
	body := map[string]any{"schemas": []string{errorURN}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		body["scimType"] = scimType
	}
	b, _ := json.Marshal(body)
	return b
}

func scimError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = w.Write(errorBody(status, scimType, detail))
}
