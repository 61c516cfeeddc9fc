package okta

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sdkShape is a group as encoding/json reads it, for comparison.
type sdkShape struct {
	ID                    string     `json:"id"`
	Type                  string     `json:"type"`
	LastMembershipUpdated *time.Time `json:"lastMembershipUpdated"`
	Profile               *struct {
		Name string `json:"name"`
	} `json:"profile"`
	Embedded *struct {
		Stats *struct {
			UsersCount *float64 `json:"usersCount"`
		} `json:"stats"`
	} `json:"_embedded"`
}

func (s sdkShape) lean() groupJSON {
	g := groupJSON{ID: s.ID, Type: s.Type}
	if s.LastMembershipUpdated != nil {
		g.LastMembershipUpdated = *s.LastMembershipUpdated
	}
	if s.Profile != nil {
		g.Name = s.Profile.Name
	}
	if s.Embedded != nil && s.Embedded.Stats != nil && s.Embedded.Stats.UsersCount != nil {
		g.UsersCount, g.HasCount = int(*s.Embedded.Stats.UsersCount), true
	}
	return g
}

func TestDecodeGroupsMatchesEncodingJSON(t *testing.T) {
	bodies := []string{
		`[]`,
		`[{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Engineering","description":null},"lastMembershipUpdated":"2025-06-01T10:11:12.000Z",
			"objectClass":["okta:user_group"],"_embedded":{"stats":{"usersCount":1200,"appsCount":3,"hasAdminPrivilege":false}},"_links":{"logo":[{"name":"medium"}]}}]`,
		`[{"id":"00g2","profile":null,"_embedded":null,"lastMembershipUpdated":null},{"id":"00g3","_embedded":{"stats":null}}]`,
		`[{"id":"00g4","profile":{"name":"R\u0026D \"core\""},"_embedded":{"stats":{"usersCount":0}}}]`,
	}
	// The recorded listings of real Okta responses.
	for _, f := range []string{"list-groups.har", "search-groups.har"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "okta", "recordings", f))
		if err != nil {
			t.Fatal(err)
		}
		var har struct {
			Log struct {
				Entries []struct {
					Request  struct{ URL string }
					Response struct {
						Status  int
						Content struct{ Text string }
					}
				}
			}
		}
		if err := json.Unmarshal(data, &har); err != nil {
			t.Fatal(err)
		}
		for _, e := range har.Log.Entries {
			if e.Response.Status == 200 && strings.HasPrefix(strings.TrimSpace(e.Response.Content.Text), "[") {
				bodies = append(bodies, e.Response.Content.Text)
			}
		}
	}
	for i, body := range bodies {
		var want []sdkShape
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("body %d: encoding/json: %v", i, err)
		}
		got, err := decodeGroups([]byte(body))
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		if len(got) != len(want) {
			t.Fatalf("body %d: %d groups, encoding/json %d", i, len(got), len(want))
		}
		for j := range want {
			if w := want[j].lean(); !got[j].LastMembershipUpdated.Equal(w.LastMembershipUpdated) ||
				got[j].ID != w.ID || got[j].Name != w.Name || got[j].Type != w.Type || got[j].UsersCount != w.UsersCount || got[j].HasCount != w.HasCount {
				t.Fatalf("body %d group %d: %+v, encoding/json %+v", i, j, got[j], w)
			}
		}
	}
	if len(bodies) < 6 {
		t.Fatalf("only %d bodies: the recordings hold no group listing", len(bodies))
	}
}

func TestDecodeGroupsRejectsMalformed(t *testing.T) {
	for _, body := range []string{
		``,
		`{}`,
		`[{"id":"00g1"}`,
		`[{"id":"00g1"},]`,
		`[{"id":"00g1"}] x`,
		`[{"id":"00g1","_embedded":{"stats":{"usersCount":"12"}}}]`,
		`[{"id":"00g1","_embedded":{"stats":{"usersCount":-1}}}]`,
		`[{"id":"00g1","_embedded":{"stats":{"usersCount":1.5}}}]`,
		`[{"id":"00g1","profile":{"name":7}}]`,
		`[{"id":"00g1","lastMembershipUpdated":"yesterday"}]`,
		`[{"id":"00g1","profile":[]}]`,
	} {
		if got, err := decodeGroups([]byte(body)); err == nil {
			t.Errorf("decodeGroups(%q) = %+v, want an error", body, got)
		}
	}
}

// BenchmarkDecodeGroupsListing decodes a listing of 2,000 groups with
// their statistics, as the group resolution of a 100k-user org reads it.
func BenchmarkDecodeGroupsListing(b *testing.B) {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range 2000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"id":"00g` + strings.Repeat("x", 13) + `0000","created":"2024-01-01T00:00:00.000Z","lastUpdated":"2024-01-01T00:00:00.000Z",` +
			`"lastMembershipUpdated":"2025-06-01T10:11:12.000Z","objectClass":["okta:user_group"],"type":"OKTA_GROUP",` +
			`"profile":{"name":"Group number ` + strings.Repeat("n", 10) + `","description":"A generated group"},` +
			`"_embedded":{"stats":{"usersCount":120,"appsCount":2,"groupPushMappingsCount":0,"hasAdminPrivilege":false}},` +
			`"_links":{"logo":[{"name":"medium","href":"https://example.okta.com/assets/img/logos/groups/okta-medium.png","type":"image/png"}],` +
			`"users":{"href":"https://example.okta.com/api/v1/groups/00g/users"},"apps":{"href":"https://example.okta.com/api/v1/groups/00g/apps"}}}`)
	}
	sb.WriteByte(']')
	body := []byte(sb.String())
	// The same fields, the same page: the comparison keeps the reason for
	// the hand-written decoder measurable.
	std, err := decodeGroupsStdlib(body)
	if err != nil {
		b.Fatal(err)
	}
	own, err := decodeGroups(body)
	if err != nil || !slices.Equal(own, std) {
		b.Fatalf("decodeGroups and encoding/json disagree: %v", err)
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if gs, err := decodeGroupsStdlib(body); err != nil || len(gs) != 2000 {
				b.Fatal(len(gs), err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if gs, err := decodeGroups(body); err != nil || len(gs) != 2000 {
				b.Fatal(len(gs), err)
			}
		}
	})
}

// decodeGroupsStdlib decodes a groups listing into the fields decodeGroups
// keeps, with encoding/json.
func decodeGroupsStdlib(body []byte) ([]groupJSON, error) {
	var page []struct {
		ID                    string    `json:"id"`
		Type                  string    `json:"type"`
		LastMembershipUpdated time.Time `json:"lastMembershipUpdated"`
		Profile               struct {
			Name string `json:"name"`
		} `json:"profile"`
		Embedded struct {
			Stats struct {
				UsersCount *int `json:"usersCount"`
			} `json:"stats"`
		} `json:"_embedded"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	out := make([]groupJSON, len(page))
	for i, g := range page {
		out[i] = groupJSON{ID: g.ID, Type: g.Type, Name: g.Profile.Name, LastMembershipUpdated: g.LastMembershipUpdated}
		if n := g.Embedded.Stats.UsersCount; n != nil {
			out[i].UsersCount, out[i].HasCount = *n, true
		}
	}
	return out, nil
}
