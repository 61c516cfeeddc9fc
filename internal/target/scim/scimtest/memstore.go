package scimtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	parser "github.com/scim2/filter-parser/v2"
)

// memStore is an in-memory SCIM resource store behind elimity's server.
type memStore struct {
	mu sync.Mutex
	// groupPatchNoContent answers group PATCHes with 204, as many
	// providers do, instead of the whole group.
	groupPatchNoContent bool
	seq                 int
	users               map[string]*memRes
	groups              map[string]*memRes
	// byUnique finds a resource by its userName or displayName, lower
	// case, so that the uniqueness check of a large store is not a scan.
	byUnique map[string]string
}

type memRes struct {
	attrs   elimity.ResourceAttributes
	version int
}

func (r *memRes) etag() string { return fmt.Sprintf(`W/"%d"`, r.version) }

// memHandler is an elimity.ResourceHandler over one kind of resource.
type memHandler struct {
	s      *memStore
	group  bool
	unique string // userName or displayName
}

func (h memHandler) table() map[string]*memRes {
	if h.group {
		return h.s.groups
	}
	return h.s.users
}

func (h memHandler) resource(id string, r *memRes) elimity.Resource {
	attrs := elimity.ResourceAttributes{}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	var ext optional.String
	if e, ok := attrs["externalId"].(string); ok {
		ext = optional.NewString(e)
		delete(attrs, "externalId")
	}
	return elimity.Resource{ID: id, ExternalID: ext, Attributes: attrs, Meta: elimity.Meta{Version: r.etag()}}
}

// uniqueKey is the byUnique key of attrs.
func (h memHandler) uniqueKey(attrs elimity.ResourceAttributes) string {
	v, _ := attrs[h.unique].(string)
	kind := "u:"
	if h.group {
		kind = "g:"
	}
	return kind + strings.ToLower(v)
}

func (h memHandler) conflict(id string, attrs elimity.ResourceAttributes) error {
	if other, ok := h.s.byUnique[h.uniqueKey(attrs)]; ok && other != id {
		return scimerrors.ScimErrorUniqueness
	}
	return nil
}

// store keeps attrs as the resource id's, in the table and the index.
func (h memHandler) store(id string, r *memRes, attrs elimity.ResourceAttributes) {
	if r.attrs != nil {
		delete(h.s.byUnique, h.uniqueKey(r.attrs))
	}
	r.attrs = attrs
	h.table()[id] = r
	h.s.byUnique[h.uniqueKey(attrs)] = id
}

func (h memHandler) Create(_ *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if err := h.conflict("", attrs); err != nil {
		return elimity.Resource{}, err
	}
	h.s.seq++
	id := fmt.Sprintf("%06d", h.s.seq)
	r := &memRes{version: 1}
	h.store(id, r, attrs)
	return h.resource(id, r), nil
}

func (h memHandler) Get(_ *http.Request, id string) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return h.resource(id, r), nil
}

func (h memHandler) GetAll(_ *http.Request, params elimity.ListRequestParams) (elimity.Page, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	ids := make([]string, 0, len(h.table()))
	for id, r := range h.table() {
		if params.FilterValidator == nil || matches(params.FilterValidator.GetFilter(), id, r.attrs) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	page := elimity.Page{TotalResults: len(ids), Resources: []elimity.Resource{}}
	for i := params.StartIndex - 1; i >= 0 && i < len(ids) && len(page.Resources) < params.Count; i++ {
		page.Resources = append(page.Resources, h.resource(ids[i], h.table()[ids[i]]))
	}
	return page, nil
}

// matches evaluates `attr eq "string"`, unescaping the JSON string the way
// RFC 7644 defines it (elimity's parser keeps the escapes).
func matches(exp parser.Expression, id string, attrs elimity.ResourceAttributes) bool {
	e, ok := exp.(*parser.AttributeExpression)
	if !ok || e.Operator != parser.EQ {
		return false
	}
	want, ok := e.CompareValue.(string)
	if !ok {
		return false
	}
	var unescaped string
	if err := json.Unmarshal([]byte(`"`+want+`"`), &unescaped); err != nil {
		return false
	}
	name := e.AttributePath.AttributeName
	if name == "id" {
		return id == unescaped
	}
	have, _ := attrs[name].(string)
	return strings.EqualFold(have, unescaped)
}

func (h memHandler) Replace(_ *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if err := h.conflict(id, attrs); err != nil {
		return elimity.Resource{}, err
	}
	h.store(id, r, attrs)
	r.version++
	return h.resource(id, r), nil
}

func (h memHandler) Delete(_ *http.Request, id string) error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.s.byUnique, h.uniqueKey(r.attrs))
	delete(h.table(), id)
	return nil
}

func (h memHandler) Patch(_ *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs := elimity.ResourceAttributes{}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	for _, op := range ops {
		if err := applyOp(attrs, op); err != nil {
			return elimity.Resource{}, err
		}
	}
	if err := h.conflict(id, attrs); err != nil {
		return elimity.Resource{}, err
	}
	h.store(id, r, attrs)
	r.version++
	if h.group && h.s.groupPatchNoContent {
		return elimity.Resource{}, nil
	}
	return h.resource(id, r), nil
}

func applyOp(attrs elimity.ResourceAttributes, op elimity.PatchOperation) error {
	if op.Path == nil {
		m, ok := op.Value.(map[string]interface{})
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for k, v := range m {
			attrs[k] = v
		}
		return nil
	}
	name := op.Path.AttributePath.AttributeName
	sub := op.Path.AttributePath.SubAttributeName()
	switch {
	case op.Op == "remove" && op.Path.ValueExpression != nil:
		list, _ := attrs[name].([]interface{})
		kept := []interface{}{}
		for _, el := range list {
			m, _ := el.(map[string]interface{})
			if !matches(op.Path.ValueExpression, "", m) {
				kept = append(kept, el)
			}
		}
		attrs[name] = kept
	case op.Op == "remove":
		delete(attrs, name)
	case sub != "":
		m, _ := attrs[name].(map[string]interface{})
		copied := map[string]interface{}{}
		for k, v := range m {
			copied[k] = v
		}
		copied[sub] = op.Value
		attrs[name] = copied
	case op.Op == "add":
		attrs[name] = added(attrs[name], op.Value)
	default:
		attrs[name] = op.Value
	}
	return nil
}

// added is an attribute after an add of value: a list merged with the
// values it lacks, anything else replaced.
func added(have, value interface{}) interface{} {
	list, isList := have.([]interface{})
	add, addList := value.([]interface{})
	if !isList || !addList {
		return value
	}
	merged := append([]interface{}{}, list...)
	for _, v := range add {
		if !containsValue(merged, v) {
			merged = append(merged, v)
		}
	}
	return merged
}

func containsValue(list []interface{}, v interface{}) bool {
	want, _ := v.(map[string]interface{})
	for _, el := range list {
		m, _ := el.(map[string]interface{})
		if m["value"] == want["value"] {
			return true
		}
	}
	return false
}
