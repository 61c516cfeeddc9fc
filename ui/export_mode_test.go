package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2/storage"

	"github.com/rolesync/rolesync/internal/store"
)

// TestExportReplacesTheFilePrivately: a report holds who has which role, so
// the file is 0600 whatever mode a file it replaces had, and it appears only
// when the export is complete.
func TestExportReplacesTheFilePrivately(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
	m, _, _ := newDemoWindow(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.csv")
	if err := os.WriteFile(path, []byte("an older report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	m.deps.Export = func(_ context.Context, w io.Writer, _ string, _ store.ChangeFilter, _ func(int64, int64)) error {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "row %d\n", i)
		}
		return nil
	}
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	m.runExport(w, "csv", store.ChangeFilter{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("exported report mode = %o, want 600", mode)
	}
	if data, _ := os.ReadFile(path); string(data) != "row 1\nrow 2\nrow 3\n" {
		t.Errorf("exported report = %q", data)
	}
	onlyFile(t, dir, "audit.csv")
}

// TestFailedExportLeavesNoHalfReport: an export that fails after writing
// some rows leaves no file that looks like a report.
func TestFailedExportLeavesNoHalfReport(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.csv")
	m.deps.Export = func(_ context.Context, w io.Writer, _ string, _ store.ChangeFilter, _ func(int64, int64)) error {
		fmt.Fprintln(w, "row 1")
		return errors.New("disk full")
	}
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	m.runExport(w, "csv", store.ChangeFilter{})
	if data, err := os.ReadFile(path); err == nil {
		t.Errorf("a failed export left %s holding %q", path, data)
	}
	onlyFile(t, dir, "")
}

// onlyFile fails unless dir holds exactly the file name (nothing when name
// is empty): no temporary file is left behind.
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if (name == "" && len(names) != 0) || (name != "" && (len(names) != 1 || names[0] != name)) {
		t.Errorf("directory holds %q; want only %q", names, name)
	}
}
