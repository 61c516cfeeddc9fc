package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestDefaultAutostartDir(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"XDG_CONFIG_HOME set", map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/a"}, "/cfg/autostart", false},
		{"relative XDG_CONFIG_HOME is ignored", map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "/home/a"}, "/home/a/.config/autostart", false},
		{"HOME only", map[string]string{"HOME": "/home/a"}, "/home/a/.config/autostart", false},
		{"neither", map[string]string{}, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DefaultAutostartDir(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestAutostartEnableDisable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "autostart")
	a := &Autostart{Dir: dir, Exec: "/opt/role sync/bin/rolesync"}
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

func TestAutostartRefusesARelativeProgram(t *testing.T) {
	a := &Autostart{Dir: t.TempDir(), Exec: "rolesync"}
	err := a.Enable()
	if err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Fatalf("err = %v, want a not-absolute error", err)
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
		t.Run(in, func(t *testing.T) {
			if got := quoteExec(in); got != want {
				t.Errorf("quoteExec(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestSettingsTabStartAtLogin(t *testing.T) {
	dir := t.TempDir()
	m, _, _ := newDemoWindow(t)
	m.deps.Autostart = &Autostart{Dir: dir, Exec: "/usr/bin/rolesync"}
	st := newSettingsTab(m)
	test.Tap(st.autostart)
	if _, err := os.Stat(filepath.Join(dir, "rolesync.desktop")); err != nil {
		t.Fatalf("checking the box wrote no entry: %v", err)
	}
	test.Tap(st.autostart)
	if _, err := os.Stat(filepath.Join(dir, "rolesync.desktop")); !os.IsNotExist(err) {
		t.Fatalf("unchecking the box left the entry: %v", err)
	}
}

func TestSettingsTabOpensTheWizard(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	var opened []Screen
	m.deps.OpenWizard = func(_ fyne.Window, s Screen) { opened = append(opened, s) }
	st := newSettingsTab(m)
	test.Tap(findButton(t, st.content, "Edit mappings…"))
	test.Tap(findButton(t, st.content, "Okta connection and settings…"))
	if len(opened) != 2 || opened[0] != ScreenMappings || opened[1] != ScreenSettings {
		t.Errorf("opened %v, want mappings then settings", opened)
	}
}
