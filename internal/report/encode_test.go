package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// encodeCases are strings that need escaping or quoting somewhere.
var encodeCases = []string{
	"", "plain", "José Müller", "Ødegård", "a,b", `say "hi"`, "line\nbreak", "crlf\r\nbreak", "lone\rcr",
	" leading space", "\tleading tab", `back\slash`, "\x00\x01\x1f\x7f", "\b\f", "<script>&amp;", "\u2028\u2029",
	"bad \xff utf8", "\xe2\x82", `\.`, "emoji 🎉", "=1+1", "'quoted'",
}

// randomStrings are deterministic strings of bytes picked to hit escapes.
func randomStrings(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab ,\"\\\r\n\t\x00\x1f\x7f\xc3\xa9\xe2\x80\xa8\xff<>&=+-@")
	out := make([]string, n)
	for i := range out {
		b := make([]byte, r.IntN(12))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		out[i] = string(b)
	}
	return out
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range append(encodeCases, randomStrings(2000)...) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := string(appendJSONString(nil, s)) + "\n"
		if got != want.String() {
			t.Errorf("appendJSONString(%q) = %s, encoding/json writes %s", s, got, want.String())
		}
	}
}

func TestAppendCSVFieldMatchesEncodingCSV(t *testing.T) {
	for _, s := range append(encodeCases, randomStrings(2000)...) {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.UseCRLF = true
		if err := w.Write([]string{s}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		got := string(appendCSVField(nil, s)) + "\r\n"
		if got != want.String() {
			t.Errorf("appendCSVField(%q) = %q, encoding/csv writes %q", s, got, want.String())
		}
	}
}

func TestJSONLChangeMatchesEncodingJSON(t *testing.T) {
	for i, s := range append(encodeCases, randomStrings(200)...) {
		c := store.Change{ID: int64(i + 1), RunID: 7, At: t0.Add(1500 * 1e6), User: s, OktaID: "00u" + s, Action: "grant",
			Role: s, Group: s, Reason: s, Held: i%2 == 0, PrevHash: store.GenesisHash, Hash: "ab" + s}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonlChange{Type: "change", ID: c.ID, At: rfc3339(c.At), Run: c.RunID, User: c.User,
			OktaID: c.OktaID, Action: c.Action, Role: c.Role, Group: c.Group, Reason: c.Reason, Held: c.Held,
			PrevHash: c.PrevHash, Hash: c.Hash}); err != nil {
			t.Fatal(err)
		}
		if got := string(appendJSONLChange(nil, c)); got != want.String() {
			t.Errorf("change line\n got %s\nwant %s", got, want.String())
		}
	}
}
