package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// pdfText extracts the text of a PDF with pdftotext, keeping the layout,
// or skips the test when pdftotext is not installed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// squash collapses runs of spaces so checks do not depend on column widths.
func squash(s string) string { return regexp.MustCompile(`[ \t]+`).ReplaceAllString(s, " ") }

func TestPDF(t *testing.T) {
	st := newFixture(t)
	b := export(t, st, Options{Format: FormatPDF})
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 16)])
	}
	text := pdfText(t, b)
	golden(t, "fixture.pdf.txt", []byte(text))
	_, headHash, err := st.ChainHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(text, "\f")
	if pages[len(pages)-1] == "" {
		pages = pages[:len(pages)-1]
	}
	flat := squash(text)
	for _, want := range []string{
		"Period: 2026-03-02 to 2026-03-05",
		"15 5 4 3", // changes, runs in the period, runs with changes, people who lost access
		"2 held for approval",
		"1 failed, 1 held, 3 succeeded",
		"grant 5 0 5",
		"revoke_all 1 1 2",
		"Engineering 5",
		"Read Only 3",
		"dave@example.com 00u8dave all roles, disabled",
		"José Müller joined Engineering",
		"Alice Ødegård",
		"=HYPERLINK(\"http://evil.exampl…", // shortened to fit its column
		"said \"hi\", then left second line",
		"<script>alert(1)</script>",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// The report closes with the chain of custody and the signed chain head,
	// which starts a page of its own when the custody leaves too little room.
	last := squash(pages[len(pages)-1])
	if !strings.Contains(last, "Signed chain head") {
		t.Errorf("last page lacks the signed chain head:\n%s", last)
	}
	if strings.HasPrefix(last, "Signed chain head") {
		last = squash(pages[len(pages)-2]) + last
	}
	for _, want := range []string{"Chain of custody", "Audit verify passed", headHash, "Chain head: change 15"} {
		if !strings.Contains(last, want) {
			t.Errorf("last page lacks %q:\n%s", want, last)
		}
	}
	for i, p := range pages {
		want := "Page " + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(pages))
		if !strings.Contains(p, want) || !strings.Contains(p, "Period: 2026-03-02 to 2026-03-05") {
			t.Errorf("page %d footer lacks %q or the period", i+1, want)
		}
	}
}

func TestPDFRepeatsTableHeader(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	id, err := st.StartRun(ctx, store.TriggerSchedule, t0)
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]store.Change, 120)
	for i := range cs {
		cs[i] = store.Change{At: t0, User: "user" + string(rune('a'+i%26)) + "@example.com", Action: store.ActionGrant, Role: "Read Only", Group: "Engineering"}
	}
	if err := st.AddChanges(ctx, id, cs); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, export(t, st, Options{Format: FormatPDF}))
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if len(pages) < 4 {
		t.Fatalf("%d pages, want a summary and at least three table pages", len(pages))
	}
	for i, p := range pages[1:] {
		if strings.HasPrefix(squash(p), "Signed chain head") {
			continue // the closing page after the table: the signed head
		}
		if !strings.Contains(squash(p), "ID Time (UTC) Run User Okta ID Action Role Group Reason Held Hash") {
			t.Errorf("table page %d lacks the column headings:\n%s", i+2, p)
		}
	}
}

func TestPDFReportsBrokenChain(t *testing.T) {
	st := newFixture(t)
	if _, err := rawDB(t, st).Exec(`UPDATE changes SET role = 'Administrator' WHERE id = 9`); err != nil {
		t.Fatal(err)
	}
	text := squash(pdfText(t, export(t, st, Options{Format: FormatPDF})))
	if !strings.Contains(text, "Audit verify FAILED at change 9 (edited)") {
		t.Errorf("PDF does not report the edited change:\n%s", text)
	}
	h := string(export(t, st, Options{Format: FormatHTML}))
	if !strings.Contains(h, `class="integrity bad"`) || !strings.Contains(h, "FAILED at change 9 (edited)") {
		t.Error("HTML does not report the edited change")
	}
}

func TestPDFIsDeterministic(t *testing.T) {
	st := newFixture(t)
	a := export(t, st, Options{Format: FormatPDF})
	b := export(t, st, Options{Format: FormatPDF})
	if !bytes.Equal(a, b) {
		t.Error("two PDF exports of the same history at the same time differ")
	}
}

func TestPDFColumnsFillTheTable(t *testing.T) {
	var sum float64
	for _, c := range pdfColumns {
		sum += c.width
	}
	if sum != pdfTableWidth {
		t.Errorf("columns add up to %.1f mm, the table is %.1f mm", sum, pdfTableWidth)
	}
	if w := 297 - 2*pdfMargin; pdfTableWidth != w {
		t.Errorf("table width %.1f mm, the A4 landscape page less margins is %.1f mm", pdfTableWidth, w)
	}
}

func TestPDFRefusesTooManyRows(t *testing.T) {
	st := newFixture(t)
	defer func(n int64) { maxPDFRows = n }(maxPDFRows)
	maxPDFRows = 10
	var buf bytes.Buffer
	err := Export(context.Background(), st, &buf, Options{Format: FormatPDF, Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "15 changes selected, more than the 10 a PDF report holds; narrow the period") {
		t.Fatalf("error %v, want one saying to narrow the selection", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes of a refused PDF", buf.Len())
	}
	// A narrower filter passes.
	export(t, st, Options{Format: FormatPDF, Filter: store.ChangeFilter{RunID: 4}})
}
