package dist

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/pe"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T) (Metadata, []byte) {
	t.Helper()
	m, err := LoadMetadata("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(filepath.Join("../..", m.Details.Icon))
	if err != nil {
		t.Fatal(err)
	}
	return m, png
}

func TestLoadMetadataRejects(t *testing.T) {
	for name, body := range map[string]string{
		"no id":       "[Details]\nName = \"rolesync\"\nIcon = \"i.png\"\nVersion = \"1.0.0\"\n",
		"bad version": "[Details]\nName = \"rolesync\"\nID = \"a.b\"\nIcon = \"i.png\"\nVersion = \"one\"\n",
		"spaced name": "[Details]\nName = \"role sync\"\nID = \"a.b\"\nIcon = \"i.png\"\nVersion = \"1\"\n",
		"not toml":    "[Details\n",
	} {
		f := filepath.Join(t.TempDir(), "FyneApp.toml")
		os.WriteFile(f, []byte(body), 0o600)
		if _, err := LoadMetadata(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{"1": "1.0.0", "v0.2": "0.2.0", "1.2.3-rc.1": "1.2.3", "2.0.1+abc": "2.0.1"} {
		v, err := ParseVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, in := range []string{"", "devel", "1..2", "1.2.3.4", "70000"} {
		if _, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) accepted", in)
		}
	}
}

// TestLinuxTarball checks the layout `fyne package` gives, and that the
// Makefile in it installs the binary, the entry and the icon.
func TestLinuxTarball(t *testing.T) {
	m, png := load(t)
	var buf bytes.Buffer
	exe := []byte("\x7fELF fake")
	if err := LinuxTarball(&buf, m, "rolesync-1.0.0-linux-amd64", exe, png, time.Unix(1e9, 0)); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*tar.Header{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
	}
	prefix := "rolesync-1.0.0-linux-amd64/"
	want := map[string]int64{
		"Makefile":               0o644,
		"usr/local/bin/rolesync": 0o755,
		"usr/local/share/applications/io.github.rolesync.rolesync.desktop": 0o644,
		"usr/local/share/pixmaps/io.github.rolesync.rolesync.png":          0o644,
	}
	for name, mode := range want {
		h := got[prefix+name]
		if h == nil {
			t.Errorf("%s missing; have %v", name, got)
			continue
		}
		if h.Mode != mode {
			t.Errorf("%s: mode %o, want %o", name, h.Mode, mode)
		}
	}
	if err := LinuxTarball(io.Discard, m, "x", nil, png, time.Now()); err == nil {
		t.Error("an empty binary was packed")
	}

	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	src := t.TempDir()
	for name, data := range map[string][]byte{
		"Makefile":               []byte(InstallMakefile(m)),
		"usr/local/bin/rolesync": exe,
		"usr/local/share/applications/io.github.rolesync.rolesync.desktop": []byte(DesktopEntry(m)),
		"usr/local/share/pixmaps/io.github.rolesync.rolesync.png":          png,
	} {
		p := filepath.Join(src, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	dest := t.TempDir()
	cmd := exec.Command("make", "install", "DESTDIR="+dest, "PREFIX=/usr")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	st, err := os.Stat(filepath.Join(dest, "usr/bin/rolesync"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("installed binary: %v %v", st, err)
	}
	entry, err := os.ReadFile(filepath.Join(dest, "usr/share/applications/io.github.rolesync.rolesync.desktop"))
	if err != nil || !strings.Contains(string(entry), "\nExec=rolesync\n") || !strings.Contains(string(entry), "\nIcon=io.github.rolesync.rolesync\n") {
		t.Fatalf("installed desktop entry: %v\n%s", err, entry)
	}
}

// TestWindowsResources checks the .syso is a COFF object for the linker
// holding an icon, a manifest and a version resource.
func TestWindowsResources(t *testing.T) {
	m, png := load(t)
	out := filepath.Join(t.TempDir(), "rsrc_windows_amd64.syso")
	if err := WindowsResources(out, m, png, "v1.4.2", "amd64"); err != nil {
		t.Fatal(err)
	}
	f, err := pe.Open(out)
	if err != nil {
		t.Fatalf("not a COFF object: %v", err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 || f.Section(".rsrc") == nil {
		t.Fatalf("machine %#x, sections %v", f.Machine, f.Sections)
	}
	raw, _ := os.ReadFile(out)
	for _, want := range []string{"asInvoker", "PerMonitorV2", "io.github.rolesync.rolesync"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the object lacks %q", want)
		}
	}
	if !bytes.Contains(raw, utf16("1.4.2.1")) || !bytes.Contains(raw, utf16("rolesync.exe")) {
		t.Error("the version resource lacks the file version or the original file name")
	}
	if err := WindowsResources(out, m, []byte("not a png"), "", "amd64"); err == nil {
		t.Error("a broken icon was accepted")
	}
}

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}
