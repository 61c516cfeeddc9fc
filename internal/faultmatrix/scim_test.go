package faultmatrix

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// passHeader marks a request the fault injector forwards to the provider
// itself, so that it passes the injector.
const passHeader = "X-Faultmatrix-Pass"

// scimFaults sits in front of the SCIM server (scimtest.Server.SetFault):
// armed, it lets skip matching requests through, then answers the next
// count with act.
type scimFaults struct {
	srv *scimtest.Server

	mu    sync.Mutex
	match func(*http.Request) bool
	skip  int
	count int
	act   func(*http.Request) (int, http.Header, string)
	fired int
}

func (f *scimFaults) arm(match func(*http.Request) bool, skip, count int, act func(*http.Request) (int, http.Header, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.match, f.skip, f.count, f.act = match, skip, count, act
}

func (f *scimFaults) disarm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.match = nil
}

// Fired is how many requests the armed fault answered.
func (f *scimFaults) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

func (f *scimFaults) serve(r *http.Request) (int, http.Header, string, bool) {
	if r.Header.Get(passHeader) != "" {
		return 0, nil, "", false
	}
	f.mu.Lock()
	if f.match == nil || !f.match(r) {
		f.mu.Unlock()
		return 0, nil, "", false
	}
	if f.skip > 0 {
		f.skip--
		f.mu.Unlock()
		return 0, nil, "", false
	}
	f.fired++
	if f.count--; f.count <= 0 {
		f.match = nil
	}
	act := f.act
	f.mu.Unlock()
	status, h, body := act(r)
	return status, h, body, true
}

// forward sends r to the provider past the injector, as the provider would
// have answered it.
func (f *scimFaults) forward(r *http.Request) (int, http.Header, []byte) {
	return f.send(r.Method, r.URL.RequestURI(), r)
}

// get reads the resource r names, as the provider holds it.
func (f *scimFaults) get(r *http.Request) (int, http.Header, []byte) {
	return f.send(http.MethodGet, r.URL.Path, nil)
}

func (f *scimFaults) send(method, uri string, orig *http.Request) (int, http.Header, []byte) {
	var body io.Reader
	if orig != nil && orig.Body != nil {
		b, _ := io.ReadAll(orig.Body)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL()+uri, body)
	if err != nil {
		return http.StatusInternalServerError, nil, []byte(err.Error())
	}
	req.Header.Set("Authorization", "Bearer "+scimtest.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set(passHeader, "1")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		return http.StatusBadGateway, nil, []byte(err.Error())
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Clone(), data
}

// Which requests a SCIM point counts.
func isWrite(r *http.Request) bool { return r.Method != http.MethodGet }

func isGroupPatch(r *http.Request) bool {
	return r.Method == http.MethodPatch && strings.Contains(r.URL.Path, scimtest.BasePath+"/Groups/")
}

var scimJSON = http.Header{"Content-Type": {"application/scim+json"}}

// scimError answers status with a SCIM error body.
func scimError(status int, scimType, detail string, extra http.Header) func(*http.Request) (int, http.Header, string) {
	return func(*http.Request) (int, http.Header, string) {
		h := scimJSON.Clone()
		for k, v := range extra {
			h[k] = v
		}
		b, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
			"status": strconv.Itoa(status), "scimType": scimType, "detail": detail})
		return status, h, string(b)
	}
}

// dropWrite answers as if the write were made, without making it: a new
// user gets an id the provider never stored, an update gets the resource
// as it was.
func (f *scimFaults) dropWrite(r *http.Request) (int, http.Header, string) {
	if r.Method == http.MethodPost {
		var u map[string]any
		_ = json.NewDecoder(r.Body).Decode(&u)
		if u == nil {
			u = map[string]any{}
		}
		u["id"] = "dropped-" + strconv.Itoa(f.Fired())
		u["meta"] = map[string]any{"resourceType": "User", "version": `W/"1"`}
		b, _ := json.Marshal(u)
		return http.StatusCreated, scimJSON, string(b)
	}
	status, h, body := f.get(r)
	return status, h, string(body)
}

// truncated makes the write and answers with its status and headers, the
// body cut after n bytes.
func (f *scimFaults) truncated(n int) func(*http.Request) (int, http.Header, string) {
	return func(r *http.Request) (int, http.Header, string) {
		status, h, body := f.forward(r)
		h.Del("Content-Length")
		return status, h, string(body[:min(n, len(body))])
	}
}
