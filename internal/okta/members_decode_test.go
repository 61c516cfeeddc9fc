package okta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeMembersMatchesEncodingJSON(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty page", `[]`},
		{"white space", " [ \n\t{ \"id\" : \"00u1\" , \"status\":\"ACTIVE\" } ] \n"},
		{"every field", `[{"id":"00u1","status":"SUSPENDED","created":"2025-01-01T00:00:00.000Z","lastUpdated":"2025-06-01T10:11:12.345Z",
			"profile":{"login":"a@example.com","email":"a@example.com","firstName":"Ann","lastName":"Lee","mobilePhone":null},
			"credentials":{"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://x/api/v1/users/00u1"}}}]`},
		{"escapes and unicode", `[{"id":"00u\u0032","profile":{"login":"a\"b\\c\/d","firstName":"Zoë \ud83d\ude00","lastName":"tab\there"}}]`},
		{"nulls", `[{"id":"00u1","status":null,"lastUpdated":null,"profile":null}]`},
		{"profile fields null", `[{"id":"00u1","profile":{"login":null,"email":null}}]`},
		{"skipped values of every type", `[{"n":-1.5e+3,"z":0,"t":true,"f":false,"x":null,"a":[1,[2,{"k":[]}],"s\"]"],"o":{"p":{"q":"}"}},"e":{},"id":"00u1"}]`},
		{"unknown profile fields", `[{"profile":{"custom":{"deep":[1,2]},"email":"e@x"},"id":"00u9"}]`},
		{"several members", `[{"id":"00u1"},{"id":"00u2","status":"ACTIVE"},{"id":"00u3","profile":{"lastName":"L"}}]`},
		{"duplicate key, last wins", `[{"id":"00u1","id":"00u2"}]`},
		{"escaped key", `[{"i\u0064":"00u5"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var std []memberJSON
			if err := json.Unmarshal([]byte(tt.body), &std); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			var want []User
			for i := range std {
				want = append(want, *std[i].user())
			}
			got, err := decodeMembers([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeMembers = %+v\nencoding/json = %+v", got, want)
			}
		})
	}
}

func TestDecodeMembersRejectsMalformed(t *testing.T) {
	for _, body := range []string{
		``,
		`{}`,
		`[{"id": "00u1", "status": `,
		`[{"id":"00u1"}`,
		`[{"id":"00u1"},]`,
		`[{"id":"00u1"}] x`,
		`[{"id":00}]`,
		`[{"id":"00u1" "status":"ACTIVE"}]`,
		`[{"id":"00u1","x":tru}]`,
		`[{"id":"00u1","x":nul}]`,
		`[{"id":"00u1","x":1.2.3}]`,
		`[{"id":"00u1","x":"bad \q escape"}]`,
		`[{"id":"00u1","lastUpdated":"yesterday"}]`,
		`[{"id":"00u1","profile":"p"}]`,
		`[{"id":"00u1","x":[1,2}]`,
		`[{"id":"unterminated}]`,
		`[null]`,
	} {
		t.Run(body, func(t *testing.T) {
			if got, err := decodeMembers([]byte(body)); err == nil {
				t.Fatalf("decodeMembers = %+v, want an error", got)
			}
		})
	}
}

func TestGroupMembersMalformedPageIsErrMalformed(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "G", uid(1))
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/users") {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"id":"00u1","x":tru}]`))
			return true
		}
		return false
	}
	if _, err := f.client(t, nil).Snapshot(context.Background(), []string{"G"}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}
