package oktasim

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

const recordingsDir = "../../testdata/okta/recordings/"

// recordedBody returns the response body of the first entry in a HAR
// recording whose method and URL suffix match.
func recordedBody(t *testing.T, file, method, urlSuffix string) []byte {
	t.Helper()
	data, err := os.ReadFile(recordingsDir + file)
	if err != nil {
		t.Fatal(err)
	}
	var har struct {
		Log struct {
			Entries []struct {
				Request struct {
					Method string `json:"method"`
					URL    string `json:"url"`
				} `json:"request"`
				Response struct {
					Content struct {
						Text string `json:"text"`
					} `json:"content"`
				} `json:"response"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(data, &har); err != nil {
		t.Fatal(err)
	}
	for _, e := range har.Log.Entries {
		if e.Request.Method == method && strings.HasSuffix(e.Request.URL, urlSuffix) {
			return []byte(e.Response.Content.Text)
		}
	}
	t.Fatalf("%s has no %s …%s", file, method, urlSuffix)
	return nil
}

// keyPaths lists the dotted paths of every object key in a JSON value;
// array elements share their array's path.
func keyPaths(v any, prefix string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			out[prefix+k] = true
			keyPaths(child, prefix+k+".", out)
		}
	case []any:
		for _, child := range x {
			keyPaths(child, prefix, out)
		}
	}
}

func firstObject(t *testing.T, body []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			t.Fatal("empty list")
		}
		return list[0]
	}
	return v
}

// TestShapesMatchRecordings checks that the simulator's users and groups
// carry every field real Okta sent in the recordings.
func TestShapesMatchRecordings(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	eng := mustGroup(t, sim, "Engineering")
	admins := mustGroup(t, sim, "IT Admins") // active members with passwords, like the recording's
	bob, _ := sim.Org().User("bob.builder@example.com")
	tests := []struct {
		name, file, method, suffix, path string
		// absent are recorded fields the simulator leaves out, with why.
		absent []string
	}{
		{"group", "group-get.har", "GET", "/api/v1/groups/00gb64qznp4UiBiVs0h7", "/api/v1/groups/" + eng.ID, nil},
		{"group in a list", "search-groups.har", "GET", "?q=Search%20Test%20Group", "/api/v1/groups?q=Eng", nil},
		{"member", "group-user-operations.har", "GET", "/users", "/api/v1/groups/" + admins.ID + "/users", nil},
		{"user", "user-role-assign.har", "POST", "/api/v1/users?activate=true", "/api/v1/users/" + bob.ID,
			// Only links to routes the simulator does not serve.
			[]string{"_links.changePassword", "_links.changeRecoveryQuestion", "_links.changePassword.href",
				"_links.changePassword.method", "_links.changeRecoveryQuestion.href", "_links.changeRecoveryQuestion.method"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]bool{}
			keyPaths(firstObject(t, recordedBody(t, tc.file, tc.method, tc.suffix)), "", want)
			r := call(t, sim, "GET", tc.path, "")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			got := map[string]bool{}
			keyPaths(firstObject(t, r.body), "", got)
			var missing []string
			for k := range want {
				if !got[k] && !slices.Contains(tc.absent, k) {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("fields real Okta sends that the simulator lacks: %v", missing)
			}
		})
	}
}
