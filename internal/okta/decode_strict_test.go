package okta

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// nested returns a member page whose one member has a field x holding depth
// nested arrays; the page's own array and object add two levels.
func nested(depth int) []byte {
	var b strings.Builder
	b.WriteString(`[{"id":"00u1","x":`)
	b.WriteString(strings.Repeat("[", depth))
	b.WriteString(strings.Repeat("]", depth))
	b.WriteString(`}]`)
	return []byte(b.String())
}

// TestDecodeNestingLimitMatchesEncodingJSON checks that the scanner accepts
// exactly the nesting encoding/json accepts (10,000 levels) and refuses one
// more level with an error that says why.
func TestDecodeNestingLimitMatchesEncodingJSON(t *testing.T) {
	const limit = 10000 // encoding/json's maxNestingDepth
	for _, depth := range []int{limit - 3, limit - 2, limit - 1, limit} {
		body := nested(depth)
		var std []memberJSON
		stdErr := json.Unmarshal(body, &std)
		_, err := decodeMembers(body)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("depth %d+2: decodeMembers error = %v, encoding/json error = %v", depth, err, stdErr)
		}
		if err != nil && !strings.Contains(err.Error(), "nested deeper than 10000 levels") {
			t.Fatalf("depth %d+2: error = %v, want the nesting limit named", depth, err)
		}
		groups := []byte(`[{"id":"00g1","profile":{"name":"G"},"x":` + string(body[len(`[{"id":"00u1","x":`):]))
		if _, err := decodeGroups(groups); (err == nil) != (stdErr == nil) {
			t.Fatalf("depth %d+2: decodeGroups error = %v, encoding/json error = %v", depth, err, stdErr)
		}
	}
}

// deepChildEnv makes the test binary run TestDecodeHugeNestingChild for
// TestDecodeHugeNestingFailsCleanly.
const deepChildEnv = "ROLESYNC_TEST_DEEP_JSON_CHILD"

// TestDecodeHugeNestingFailsCleanly decodes about 6 MB of nested arrays in
// a child process: a stack overflow is fatal and no recover() catches it,
// so only a child can report it as a failure rather than crash the tests.
func TestDecodeHugeNestingFailsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDecodeHugeNestingChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), deepChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("decoding deeply nested JSON failed the process: %v\n%s", err, out[:min(len(out), 1000)])
	}
	if !strings.Contains(string(out), "PASS: TestDecodeHugeNestingChild") {
		t.Fatalf("the child did not run the check:\n%s", out)
	}
}

// TestDecodeHugeNestingChild is TestDecodeHugeNestingFailsCleanly's child;
// it does nothing in a normal test run.
func TestDecodeHugeNestingChild(t *testing.T) {
	if os.Getenv(deepChildEnv) == "" {
		t.Skip("run by TestDecodeHugeNestingFailsCleanly")
	}
	body := nested(3 << 20) // 6 MiB of brackets
	if _, err := decodeMembers(body); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("decodeMembers error = %v, want the nesting limit", err)
	}
	if _, err := decodeGroups(body); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("decodeGroups error = %v, want the nesting limit", err)
	}
}

// TestDecodeStringsMatchEncodingJSON feeds strings with control
// characters, broken \u escapes and invalid UTF-8, in read fields, keys and
// skipped values, to the scanner and to encoding/json: both must refuse the
// same pages, and read the same values from the others (encoding/json
// replaces each invalid UTF-8 byte with U+FFFD).
func TestDecodeStringsMatchEncodingJSON(t *testing.T) {
	values := []string{
		"plain", "tab\there", "raw \x01 control", "raw \x1f unit separator", "raw \x00 nul", "raw\nnewline",
		"del \x7f is allowed", `\u0041`, `\u00e9 and \u00C9`, `\u12`, `\u12G4`, `\uZZZZ`, `\u`, `\u00`, `\\u12`,
		`\ud83d\ude00`, `\ud800 alone`, "Zoë", "emoji 😀", "\xff", "bad \xc3 lead", "\xc3\x28", "\xe2\x82",
		"overlong \xc0\xaf", "surrogate \xed\xa0\x80", "beyond \xf4\x90\x80\x80", "\xf0\x9f\x98", "ok é then \xfe",
		"U+2028 \u2028", `\"quoted\"`, "bad \xff with \\n escape",
	}
	var bodies []string
	for _, v := range values {
		bodies = append(bodies,
			`[{"id":"00u1","profile":{"login":"`+v+`"}}]`,
			`[{"id":"`+v+`"}]`,
			`[{"id":"00u1","skipped":"`+v+`"}]`,
			`[{"id":"00u1","skipped":{"deep":["`+v+`"]}}]`,
			`[{"id":"00u1","`+v+`":"key"}]`,
			`[{"id":"00u1","profile":{"`+v+`":1,"email":"e"}}]`,
		)
	}
	for _, body := range bodies {
		var std []memberJSON
		stdErr := json.Unmarshal([]byte(body), &std)
		got, err := decodeMembers([]byte(body))
		if (err == nil) != (stdErr == nil) {
			t.Errorf("%q:\ndecodeMembers error = %v\nencoding/json error = %v", body, err, stdErr)
			continue
		}
		if err != nil {
			continue
		}
		want := []User{*std[0].user()}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\ndecodeMembers = %+q\nencoding/json = %+q", body, got, want)
		}
	}
}

// TestDecodeGroupsStringsMatchEncodingJSON does the same for group
// listings, through the fields the groups decoder keeps.
func TestDecodeGroupsStringsMatchEncodingJSON(t *testing.T) {
	values := []string{"Engineering", "raw \x02 control", `\u12`, `\u0041dmins`, "\xff admins", "Zoë", "bad \xe2\x82"}
	type stdGroup struct {
		ID      string `json:"id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	}
	for _, v := range values {
		for _, body := range []string{
			`[{"id":"00g1","profile":{"name":"` + v + `"}}]`,
			`[{"id":"00g1","profile":{"name":"G","description":"` + v + `"}}]`,
			`[{"id":"00g1","profile":{"name":"G"},"_embedded":{"stats":{"` + v + `":1,"usersCount":2}}}]`,
		} {
			var std []stdGroup
			stdErr := json.Unmarshal([]byte(body), &std)
			got, err := decodeGroups([]byte(body))
			if (err == nil) != (stdErr == nil) {
				t.Errorf("%q:\ndecodeGroups error = %v\nencoding/json error = %v", body, err, stdErr)
				continue
			}
			if err == nil && (got[0].ID != std[0].ID || got[0].Name != std[0].Profile.Name) {
				t.Errorf("%q:\ndecodeGroups = %q %q\nencoding/json = %q %q", body, got[0].ID, got[0].Name, std[0].ID, std[0].Profile.Name)
			}
		}
	}
}

// TestPlainASCIIMatchesByteLoop checks the eight-bytes-at-a-time test
// against a byte loop, on every byte value at every position of a word
// and on random strings.
func TestPlainASCIIMatchesByteLoop(t *testing.T) {
	slow := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 || c >= 0x80 || c == '\\' {
				return false
			}
		}
		return true
	}
	check := func(s []byte) {
		if got, want := plainASCII(s), slow(s); got != want {
			t.Fatalf("plainASCII(%q) = %v, want %v", s, got, want)
		}
	}
	for n := 0; n <= 17; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("a", n))
				s[pos] = byte(c)
				check(s)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		s := make([]byte, r.IntN(40))
		for i := range s {
			s[i] = byte(0x1c + r.IntN(0x66)) // mostly printable, with 0x1c-0x1f, '\\' and 0x80-0x81
		}
		check(s)
	}
}
