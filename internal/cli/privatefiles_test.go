package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestConfigExportReplacesAFilePrivately: `config export FILE` over an
// existing world-readable file leaves a 0600 file, as every other export.
func TestConfigExportReplacesAFilePrivately(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
	h := newHarness(t)
	in := filepath.Join(t.TempDir(), "in.yaml")
	if err := os.WriteFile(in, []byte("okta:\n  domain: https://example.okta.com\n  auth: api_token\nmappings:\n  - group: Engineering\n    roles: [Read Only]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "config", "import", in)
	dir := t.TempDir()
	out := filepath.Join(dir, "rolesync.yaml")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "config", "export", out)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("config export left the file mode %o, want 600", mode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("config export left %d files in the directory, want 1", len(entries))
	}
}

// TestOpenTightensTheDataDirectory: a data directory made by hand with a
// umask's 0755 is tightened to 0700 when rolesync opens it.
func TestOpenTightensTheDataDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rt, err := openRuntime(context.Background(), dir, Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o700 {
		t.Errorf("data directory mode after Open = %o, want 700", mode)
	}
}

// TestReportExportReplacesAFilePrivately: `export --out FILE` over an
// existing world-readable file leaves a 0600 file and nothing else.
func TestReportExportReplacesAFilePrivately(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
	h := newHarness(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "audit.csv")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun("", "export", "--format", "csv", "--out", out)
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("export left the report mode %o, want 600", mode)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("export left %d files in the directory, want 1", len(entries))
	}
}
