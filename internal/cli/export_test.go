package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/store"
)

func TestExportAndAuditVerify(t *testing.T) {
	sim := startSim(t, 300, 30)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	if code, res, errs := h.syncJSON(); code != 0 || res.Created == 0 {
		t.Fatalf("sync: %d %+v %s", code, res, errs)
	}
	out := t.TempDir()
	for _, format := range []string{"csv", "jsonl", "html", "pdf"} {
		path := filepath.Join(out, "audit."+format)
		msg := h.mustRun("", "export", "--format", format, "--out", path)
		data, err := os.ReadFile(path)
		if err != nil || len(data) == 0 {
			t.Fatalf("%s export: %v (%s)", format, err, msg)
		}
		if !strings.Contains(msg, path) {
			t.Errorf("%s export does not say where it wrote: %q", format, msg)
		}
		switch format {
		case "csv":
			if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || !bytes.Contains(data, []byte("\r\n")) {
				t.Error("the CSV lacks the UTF-8 BOM or CRLF line ends")
			}
		case "pdf":
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Error("the PDF export is not a PDF")
			}
		}
	}
	// A filtered export holds only the filtered changes.
	path := filepath.Join(out, "grants.jsonl")
	h.mustRun("", "export", "--format", "jsonl", "--action", "grant", "--out", path)
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		t.Fatalf("filtered export: %d lines", len(lines))
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, `"grant"`) {
			t.Errorf("a filtered export line is not a grant: %s", l)
		}
	}
	if code, _, errs := h.run("", "export", "--format", "docx", "--out", path); code != 2 || !strings.Contains(errs, "docx") {
		t.Errorf("an unknown format: exit %d, %q", code, errs)
	}

	if msg := h.mustRun("", "audit", "verify"); !strings.Contains(msg, "intact") {
		t.Errorf("audit verify on an untouched log: %q", msg)
	}
	// Someone edits a change row behind rolesync's back.
	st, err := store.Open(context.Background(), filepath.Join(h.connDir(), app.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, st).Exec(`UPDATE changes SET role = 'Administrator' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, errs := h.run("", "audit", "verify")
	if code != 1 || !strings.Contains(errs, "change 3") || !strings.Contains(errs, "edited") {
		t.Errorf("audit verify after an edit: exit %d, %q", code, errs)
	}
}
