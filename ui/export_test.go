package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store"
)

func TestExportWritesTheFileWithTheFilter(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	var got store.ChangeFilter
	var gotFormat string
	var progress [][2]int64
	m.deps.Export = func(_ context.Context, w io.Writer, format string, f store.ChangeFilter, p func(done, total int64)) error {
		got, gotFormat = f, format
		for i := int64(1); i <= 3; i++ {
			p(i, 3)
			progress = append(progress, [2]int64{i, 3})
			fmt.Fprintf(w, "row %d\n", i)
		}
		return nil
	}
	path := filepath.Join(t.TempDir(), "audit.csv")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	m.runExport(w, "csv", store.ChangeFilter{RunID: 7, Role: "Auditor"})
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "row 1\nrow 2\nrow 3\n" {
		t.Fatalf("exported file: %q, %v", data, err)
	}
	if got.RunID != 7 || got.Role != "Auditor" || gotFormat != "csv" || len(progress) != 3 {
		t.Errorf("export called with %+v, %q, %d progress calls", got, gotFormat, len(progress))
	}
}

func TestExportFailureIsShown(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	m.deps.Export = func(context.Context, io.Writer, string, store.ChangeFilter, func(int64, int64)) error {
		return errors.New("disk full")
	}
	path := filepath.Join(t.TempDir(), "audit.pdf")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	m.runExport(w, "pdf", store.ChangeFilter{})
	found := false
	for _, o := range test.LaidOutObjects(topOverlay(t, m)) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "disk full") {
			found = true
		}
		if rt, ok := o.(*widget.RichText); ok && strings.Contains(rt.String(), "disk full") {
			found = true
		}
	}
	if !found {
		t.Error("the error dialog does not give the reason")
	}
}
