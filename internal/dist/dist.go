// Package dist makes rolesync's release artifacts from FyneApp.toml: the
// Linux tarball laid out as `fyne package` lays it out (the binary, a
// .desktop entry, the icon and a Makefile that installs them), and the
// Windows resource object that gives rolesync.exe its icon, manifest and
// version information.
package dist

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"
)

// Metadata is what FyneApp.toml says about the app.
type Metadata struct {
	Website string
	Details struct {
		Icon    string
		Name    string
		ID      string
		Version string
		Build   int
	}
}

// LoadMetadata reads and checks a FyneApp.toml.
func LoadMetadata(file string) (Metadata, error) {
	var m Metadata
	b, err := os.ReadFile(file)
	if err != nil {
		return m, fmt.Errorf("read app metadata: %w", err)
	}
	if _, err := toml.Decode(string(b), &m); err != nil {
		return m, fmt.Errorf("%s: %w", file, err)
	}
	d := m.Details
	switch {
	case d.Name == "" || strings.ContainsAny(d.Name, "/\\ \t\n"):
		return m, fmt.Errorf("%s: [Details] Name %q must be a plain file name", file, d.Name)
	case d.ID == "" || !strings.Contains(d.ID, "."):
		return m, fmt.Errorf("%s: [Details] ID %q must be a reverse-domain id such as io.example.app", file, d.ID)
	case d.Icon == "":
		return m, fmt.Errorf("%s: [Details] Icon is missing", file)
	}
	if _, err := ParseVersion(d.Version); err != nil {
		return m, fmt.Errorf("%s: [Details] Version: %w", file, err)
	}
	return m, nil
}

// Version is a release number as Windows version resources hold it.
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads "x", "x.y" or "x.y.z", with an optional leading "v"
// and anything after a "-" or "+" (a pre-release or build suffix) ignored.
func ParseVersion(s string) (Version, error) {
	var v Version
	core := strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if core == "" || len(parts) > 3 {
		return v, fmt.Errorf("%q is not a version such as 1.2.3", s)
	}
	dst := []*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n := 0
		if p == "" {
			return v, fmt.Errorf("%q is not a version such as 1.2.3", s)
		}
		for _, c := range p {
			if c < '0' || c > '9' || n > 0xffff {
				return v, fmt.Errorf("%q is not a version such as 1.2.3", s)
			}
			n = n*10 + int(c-'0')
		}
		if n > 0xffff {
			return v, fmt.Errorf("%q: each part must be at most 65535", s)
		}
		*dst[i] = n
	}
	return v, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

var desktopTmpl = template.Must(template.New("desktop").Parse(`[Desktop Entry]
Type=Application
Name={{.Details.Name}}
GenericName=Okta to portal role sync
Exec={{.Details.Name}}
Icon={{.Details.ID}}
Comment=Keep a portal's users and roles in line with Okta groups
Categories=Network;System;
Keywords=okta;sync;roles;
StartupWMClass={{.Details.Name}}
`))

// DesktopEntry is the tarball's .desktop file.
func DesktopEntry(m Metadata) string {
	var b bytes.Buffer
	_ = desktopTmpl.Execute(&b, m)
	return b.String()
}

var makefileTmpl = template.Must(template.New("makefile").Parse(`# Installs {{.Details.Name}}.
#   sudo make install      into $(PREFIX) (default /usr/local)
#   make user-install      into ~/.local
#   make uninstall / make user-uninstall

PREFIX ?= /usr/local
APP    := {{.Details.ID}}
EXEC   := {{.Details.Name}}

default:
	@echo 'Run "sudo make install" for all users or "make user-install" for yourself.'

install:
	install -Dm00755 usr/local/bin/$(EXEC) $(DESTDIR)$(PREFIX)/bin/$(EXEC)
	install -Dm00644 usr/local/share/applications/$(APP).desktop $(DESTDIR)$(PREFIX)/share/applications/$(APP).desktop
	install -Dm00644 usr/local/share/pixmaps/$(APP).png $(DESTDIR)$(PREFIX)/share/pixmaps/$(APP).png

uninstall:
	-rm $(DESTDIR)$(PREFIX)/bin/$(EXEC)
	-rm $(DESTDIR)$(PREFIX)/share/applications/$(APP).desktop
	-rm $(DESTDIR)$(PREFIX)/share/pixmaps/$(APP).png

user-install:
	install -Dm00755 usr/local/bin/$(EXEC) $(HOME)/.local/bin/$(EXEC)
	install -Dm00644 usr/local/share/applications/$(APP).desktop $(HOME)/.local/share/applications/$(APP).desktop
	install -Dm00644 usr/local/share/pixmaps/$(APP).png $(HOME)/.local/share/icons/$(APP).png
	sed -i -e 's,^Exec=$(EXEC)$$,Exec=$(HOME)/.local/bin/$(EXEC),' $(HOME)/.local/share/applications/$(APP).desktop

user-uninstall:
	-rm $(HOME)/.local/bin/$(EXEC)
	-rm $(HOME)/.local/share/applications/$(APP).desktop
	-rm $(HOME)/.local/share/icons/$(APP).png

.PHONY: default install uninstall user-install user-uninstall
`))

// InstallMakefile is the tarball's Makefile.
func InstallMakefile(m Metadata) string {
	var b bytes.Buffer
	_ = makefileTmpl.Execute(&b, m)
	return b.String()
}

// LinuxTarball writes a gzip-compressed tarball of the binary exe, the icon
// png and the files above, all under the folder root, dated mod.
func LinuxTarball(w io.Writer, m Metadata, root string, exe, png []byte, mod time.Time) error {
	if len(exe) == 0 {
		return errors.New("tarball: the binary is empty; build it first (make build)")
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	d := m.Details
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"Makefile", 0o644, []byte(InstallMakefile(m))},
		{"usr/local/bin/" + d.Name, 0o755, exe},
		{"usr/local/share/applications/" + d.ID + ".desktop", 0o644, []byte(DesktopEntry(m))},
		{"usr/local/share/pixmaps/" + d.ID + ".png", 0o644, png},
	}
	dirs := map[string]bool{}
	for _, f := range files {
		name := path.Join(root, f.name)
		for _, dir := range parents(name) {
			if dirs[dir] {
				continue
			}
			dirs[dir] = true
			hdr := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: mod, Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return fmt.Errorf("tarball: %w", err)
			}
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: f.mode, Size: int64(len(f.data)), ModTime: mod, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("tarball: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return fmt.Errorf("tarball: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	return gz.Close()
}

// parents lists name's folders, outermost first.
func parents(name string) []string {
	var out []string
	for dir := path.Dir(name); dir != "." && dir != "/"; dir = path.Dir(dir) {
		out = append([]string{dir}, out...)
	}
	return out
}
