package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// exportedRows runs export --all in format with args and returns, per
// connection label, the rows' users and actions.
func exportedRows(t *testing.T, h *harness, format string, args ...string) map[string][][3]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "all."+format)
	h.mustRun("", append([]string{"export", "--all", "--format", format, "--out", path}, args...)...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][][3]string{}
	if format == "csv" {
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(recs) == 0 || recs[0][0] != "Connection" {
			t.Fatalf("csv: %v %q", err, recs)
		}
		for _, r := range recs[1:] {
			rows[r[0]] = append(rows[r[0]], [3]string{r[4], r[5], r[6]})
		}
		return rows
	}
	heads := 0
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var v struct {
			Type, Connection, User, Action string
			OktaID                         string `json:"okta_id"`
			Removed                        bool
			SignedHead                     *struct{ Message, Signature string } `json:"signed_head"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		switch v.Type {
		case "connection":
			heads++
			if v.SignedHead == nil || v.SignedHead.Signature == "" {
				t.Errorf("connection %s has no signed head", v.Connection)
			}
		case "change":
			rows[v.Connection] = append(rows[v.Connection], [3]string{v.User, v.OktaID, v.Action})
		}
	}
	if heads != 2 {
		t.Errorf("%d connection lines, want 2", heads)
	}
	return rows
}

func TestExportAllConnections(t *testing.T) {
	h, simA, simB := twoConnections(t)
	h.mustRun("", "sync", "--once", "--all")
	sims := map[string]*oktasim.Server{connA: simA, connB: simB}
	own := func(conn, oktaID string) bool { _, ok := sims[conn].Org().User(oktaID); return ok }
	checkRows := func(what string, rows map[string][][3]string, names map[string]string, keep func(user, action string) bool) {
		t.Helper()
		if len(rows) != 2 {
			t.Errorf("%s: rows of %d connections, want 2: %v", what, len(rows), len(rows))
		}
		for conn, label := range names {
			if len(rows[label]) == 0 {
				t.Errorf("%s: no rows of %q", what, label)
			}
			for _, r := range rows[label] {
				if !own(conn, r[1]) || !keep(r[0], r[2]) {
					t.Errorf("%s: row %v under %q", what, r, label)
				}
			}
		}
	}
	names := map[string]string{connA: connA, connB: connB}
	all := func(string, string) bool { return true }
	for _, f := range []string{"csv", "jsonl"} {
		checkRows(f, exportedRows(t, h, f), names, all)
		checkRows(f+" grants", exportedRows(t, h, f, "--action", "grant"), names, func(_, a string) bool { return a == "grant" })
	}
	// A user filter and a time filter apply across both.
	some := exportedRows(t, h, "csv")[connB][0][0]
	one := exportedRows(t, h, "jsonl", "--user", some)
	if len(one[connB]) == 0 {
		t.Errorf("--user %s: %v", some, one)
	}
	for _, rs := range one {
		for _, r := range rs {
			if r[0] != some {
				t.Errorf("--user %s gave a row of %s", some, r[0])
			}
		}
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if future := exportedRows(t, h, "csv", "--since", tomorrow); len(future) != 0 {
		t.Errorf("--since %s: %v", tomorrow, future)
	}
	// A removed connection stays in the report, marked removed.
	h.mustRun("", "connections", "remove", connB)
	kept := "fabrikam-local-portal-" + time.Now().UTC().Format(time.DateOnly)
	checkRows("after removal", exportedRows(t, h, "csv"), map[string]string{connA: connA, connB: kept + " (removed)"}, all)
	// Runs are per connection; --all and --connection exclude each other.
	page := filepath.Join(t.TempDir(), "all.html")
	h.mustRun("", "export", "--all", "--format", "html", "--out", page)
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{connA, kept + " (removed)"} {
		if !bytes.Contains(data, []byte("<h1>"+label+"</h1>")) || !bytes.Contains(data, []byte("<tr><td>"+label+"</td>")) {
			t.Errorf("the html report lacks the section or rows of %q", label)
		}
	}
	pdf := filepath.Join(t.TempDir(), "all.pdf")
	h.mustRun("", "export", "--all", "--format", "pdf", "--out", pdf)
	if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Errorf("export --all --format pdf: %v", err)
	}
	for _, args := range [][]string{{"--format", "csv", "--run", "1"}, {"--format", "csv", "--connection", connA}} {
		out := filepath.Join(t.TempDir(), "x")
		if code, _, errs := h.run("", append([]string{"export", "--all", "--out", out}, args...)...); code != 2 {
			t.Errorf("export --all %v: exit %d, %q", args, code, errs)
		}
	}
}
