package autostart

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDefaultDir(t *testing.T) {
	cases := []struct {
		name, goos string
		env        map[string]string
		want       string
		wantErr    bool
	}{
		{"XDG_CONFIG_HOME set", "linux", map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/a"}, "/cfg/autostart", false},
		{"relative XDG_CONFIG_HOME is ignored", "linux", map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "/home/a"}, "/home/a/.config/autostart", false},
		{"HOME only", "freebsd", map[string]string{"HOME": "/home/a"}, "/home/a/.config/autostart", false},
		{"neither", "linux", map[string]string{}, "", true},
		{"Windows Startup folder", "windows", map[string]string{"APPDATA": `C:\Users\Ann\AppData\Roaming`},
			`C:\Users\Ann\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup`, false},
		{"Windows APPDATA with a trailing slash", "windows", map[string]string{"APPDATA": `D:\Profiles\bob\`},
			`D:\Profiles\bob\Microsoft\Windows\Start Menu\Programs\Startup`, false},
		{"Windows without APPDATA", "windows", map[string]string{"HOME": "/home/a"}, "", true},
		{"macOS", "darwin", map[string]string{"HOME": "/Users/ann"}, "/Users/ann/Library/LaunchAgents", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DefaultDir(tc.goos, func(k string) string { return tc.env[k] })
			if tc.goos != "windows" {
				got = filepath.ToSlash(got)
			}
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestEnableDisable(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the XDG entry")
	}
	dir := filepath.Join(t.TempDir(), "autostart")
	a := &Entry{Dir: dir, Exec: "/opt/role sync/bin/rolesync"}
	if a.Enabled() {
		t.Fatal("enabled before Enable")
	}
	if err := a.Enable(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "rolesync.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=rolesync\n",
		`Exec="/opt/role sync/bin/rolesync"` + "\n", "X-GNOME-Autostart-enabled=true\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("entry lacks %q:\n%s", want, data)
		}
	}
	if !a.Enabled() {
		t.Error("not enabled after Enable")
	}
	if err := a.Disable(); err != nil {
		t.Fatal(err)
	}
	if a.Enabled() {
		t.Error("still enabled after Disable")
	}
	if err := a.Disable(); err != nil {
		t.Errorf("second Disable: %v", err)
	}
}

// TestEnableWindowsEntry writes the Windows entry into a folder here: the
// file is the shell link, named rolesync.lnk.
func TestEnableWindowsEntry(t *testing.T) {
	a := &Entry{Dir: t.TempDir(), Exec: `C:\Program Files\rolesync\rolesync.exe`, GOOS: "windows"}
	if err := a.Enable(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(a.Dir, "rolesync.lnk"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readLink(t, data); got.target != a.Exec {
		t.Errorf("link target %q, want %q", got.target, a.Exec)
	}
}

func TestRefusesARelativeProgram(t *testing.T) {
	for goos, exe := range map[string]string{"linux": "rolesync", "windows": `rolesync.exe`, "darwin": "bin/rolesync"} {
		a := &Entry{Dir: t.TempDir(), Exec: exe, GOOS: goos}
		err := a.Enable()
		if err == nil || !strings.Contains(err.Error(), "not absolute") {
			t.Errorf("%s: err = %v, want a not-absolute error", goos, err)
		}
	}
	for _, p := range []string{`C:rolesync.exe`, `\rolesync.exe`, `1:\x.exe`} {
		if isAbs("windows", p) {
			t.Errorf("%q taken for an absolute Windows path", p)
		}
	}
	for _, p := range []string{`C:\x.exe`, `d:/apps/x.exe`, `\\server\share\x.exe`} {
		if !isAbs("windows", p) {
			t.Errorf("%q not taken for an absolute Windows path", p)
		}
	}
}

func TestQuoteExec(t *testing.T) {
	cases := map[string]string{
		"/usr/bin/rolesync":   "/usr/bin/rolesync",
		"/opt/a b/rolesync":   `"/opt/a b/rolesync"`,
		`/opt/a"b/rolesync`:   `"/opt/a\\"b/rolesync"`,
		"/opt/100%/rolesync":  "/opt/100%%/rolesync",
		"/opt/$HOME/rolesync": `"/opt/\\$HOME/rolesync"`,
	}
	for in, want := range cases {
		if got := quoteExec(in); got != want {
			t.Errorf("quoteExec(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLaunchAgent(t *testing.T) {
	a := &Entry{Dir: t.TempDir(), Exec: "/Applications/rolesync & co.app/Contents/MacOS/rolesync", GOOS: "darwin"}
	if a.FileName() != "io.github.rolesync.rolesync.plist" {
		t.Errorf("file name %q", a.FileName())
	}
	data, err := a.Contents()
	if err != nil {
		t.Fatal(err)
	}
	var plist struct {
		Dict struct {
			Keys    []string  `xml:"key"`
			Strings []string  `xml:"string"`
			Args    []string  `xml:"array>string"`
			True    *struct{} `xml:"true"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal(data, &plist); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	d := plist.Dict
	if len(d.Args) != 1 || d.Args[0] != a.Exec || d.True == nil || d.Strings[0] != LaunchAgentLabel {
		t.Errorf("plist %+v", d)
	}
	if strings.Join(d.Keys, ",") != "Label,ProgramArguments,RunAtLoad,ProcessType" {
		t.Errorf("keys %v", d.Keys)
	}
}
