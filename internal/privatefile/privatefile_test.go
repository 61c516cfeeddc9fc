package privatefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func entries(t *testing.T, dir string) int {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestWriteFileNewAndReplaced(t *testing.T) {
	skipOnWindows(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := WriteFile(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("new file mode = %o, want 600", m)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("replaced file mode = %o, want 600", m)
	}
	if data, _ := os.ReadFile(path); string(data) != "two\n" {
		t.Errorf("content = %q", data)
	}
	if n := entries(t, dir); n != 1 {
		t.Errorf("%d files in the directory, want 1", n)
	}
}

func TestWriteFailureKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		fmt.Fprintln(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want the writer's error", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old\n" {
		t.Errorf("a failed write changed the file to %q", data)
	}
	if n := entries(t, dir); n != 1 {
		t.Errorf("%d files in the directory, want 1 (temporary file left)", n)
	}
}

func TestWriteIntoAMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "report.csv")
	if err := WriteFile(path, []byte("x")); err == nil {
		t.Fatal("Write into a missing directory succeeded")
	}
}

func TestTightenDir(t *testing.T) {
	skipOnWindows(t)
	for _, tc := range []struct{ from, want os.FileMode }{
		{0o755, 0o700}, {0o750, 0o700}, {0o777, 0o700}, {0o700, 0o700}, {0o500, 0o500},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, tc.from); err != nil {
			t.Fatal(err)
		}
		if err := TightenDir(dir); err != nil {
			t.Fatal(err)
		}
		if m := mode(t, dir); m != tc.want {
			t.Errorf("TightenDir on %o gave %o, want %o", tc.from, m, tc.want)
		}
		_ = os.Chmod(dir, 0o700)
	}
	if err := TightenDir(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("TightenDir on a missing directory succeeded")
	}
}
