package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/buildinfo"
)

// commandPaths lists every command of the tree, for the per-command tests.
func commandPaths() [][]string {
	root := newRoot(&call{env: Env{Getenv: func(string) string { return "" }}})
	out := [][]string{{"completion"}, {"completion", "bash"}}
	var visit func(path []string)
	visit = func(path []string) {
		cmd, _, err := root.Find(path)
		if err != nil {
			panic(err)
		}
		for _, sub := range cmd.Commands() {
			p := append(append([]string{}, path...), sub.Name())
			out = append(out, p)
			visit(p)
		}
	}
	visit(nil)
	return out
}

// TestHelpExitsZero: --help and -h on rolesync and on every command print
// that command's usage to stdout and exit 0, touching no data directory.
func TestHelpExitsZero(t *testing.T) {
	h := newHarness(t)
	cases := [][]string{{"--help"}, {"-h"}, {"help"}}
	for _, p := range commandPaths() {
		cases = append(cases, append(p, "--help"), append(p, "-h"))
	}
	for _, args := range cases {
		code, out, errs := h.run("", args...)
		if code != 0 || errs != "" {
			t.Errorf("rolesync %v: exit %d, stderr %q; want 0 and nothing on stderr", args, code, errs)
			continue
		}
		name := "rolesync"
		for _, a := range args {
			if !strings.HasPrefix(a, "-") && a != "help" {
				name += " " + a
			}
		}
		if !strings.Contains(out, "Usage:\n  "+name) {
			t.Errorf("rolesync %v printed no usage of %q:\n%s", args, name, out)
		}
	}
	if _, out, _ := h.run("", "--help"); !strings.Contains(out, "sync") || !strings.Contains(out, "opens the desktop app") {
		t.Errorf("rolesync --help does not list the commands or say what no command does:\n%s", out)
	}
	code, out, _ := h.run("", "sync", "--help")
	if code != 0 || !strings.Contains(out, "--once") || !strings.Contains(out, "--dry-run") || !strings.Contains(out, "--data-dir") {
		t.Errorf("rolesync sync --help: exit %d, want its flags and the global ones:\n%s", code, out)
	}
}

func TestHelpCommand(t *testing.T) {
	h := newHarness(t)
	code, out, errs := h.run("", "help", "sync")
	if code != 0 || !strings.Contains(out, "Usage:\n  rolesync sync --once") {
		t.Errorf("rolesync help sync: exit %d, %q, %q", code, out, errs)
	}
	code, out, _ = h.run("", "help", "config", "import")
	if code != 0 || !strings.Contains(out, "rolesync config import FILE") {
		t.Errorf("rolesync help config import: exit %d, %q", code, out)
	}
	code, out, errs = h.run("", "help", "bogus")
	if code != 2 || out != "" || !strings.HasPrefix(errs, "rolesync: help: unknown command \"bogus\"\n") {
		t.Errorf("rolesync help bogus: exit %d, %q, %q; want exit 2 and a one-line reason", code, out, errs)
	}
}

// TestUsageMistakes: a mistake in the command line is one line naming it,
// then where to read the usage, on stderr, with exit 2.
func TestUsageMistakes(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "rolesync: unknown flag: --bogus\nRun 'rolesync --help' for usage.\n"},
		{[]string{"sync", "--once", "--bogus"}, "rolesync: sync: unknown flag: --bogus\nRun 'rolesync sync --help' for usage.\n"},
		{[]string{"synk"}, "rolesync: unknown command \"synk\"; did you mean sync?\nRun 'rolesync --help' for usage.\n"},
		{[]string{"sync", "-once"}, "rolesync: sync: unknown shorthand flag: 'o' in -once (long flags take two dashes: --once)\nRun 'rolesync sync --help' for usage.\n"},
		{[]string{"history", "--limit", "x"}, "rolesync: history: invalid argument \"x\" for \"--limit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\nRun 'rolesync history --help' for usage.\n"},
		{[]string{"config", "import", "a", "b"}, "rolesync: config import: unexpected argument \"b\"\nRun 'rolesync config import --help' for usage.\n"},
		{[]string{"config", "bogus"}, "rolesync: config: unknown subcommand \"bogus\"; say import FILE or export [FILE]\nRun 'rolesync config --help' for usage.\n"},
		{[]string{"keys", "show"}, "rolesync: keys show: say --for client or --for dpop\nRun 'rolesync keys show --help' for usage.\n"},
		{[]string{"version", "extra"}, "rolesync: version: unexpected argument \"extra\"\nRun 'rolesync version --help' for usage.\n"},
	} {
		code, out, errs := h.run("", tc.args...)
		if code != 2 || out != "" || errs != tc.want {
			t.Errorf("rolesync %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
}

// TestNoCommand: with no command rolesync opens the app, and says so when
// the build has none.
func TestNoCommand(t *testing.T) {
	h := newHarness(t)
	code, _, errs := h.run("")
	if code != 2 || !strings.HasPrefix(errs, "rolesync: this build has no desktop app; name a subcommand\n") {
		t.Errorf("rolesync without a GUI: exit %d, %q", code, errs)
	}
	var opened string
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "ROLESYNC_DATA_DIR" {
			return h.dataDir
		}
		return ""
	}, GUI: func(ctx context.Context, d app.Desktop) error {
		conns, err := app.Connections(ctx, d.Root)
		if err != nil || len(conns) != 1 {
			return fmt.Errorf("connections %v, %v", conns, err)
		}
		opened = app.ConnectionDir(d.Root, conns[0].Slug)
		return nil
	}}
	if code := Main(context.Background(), nil, env); code != 0 || opened != h.connDir() {
		t.Errorf("rolesync with a GUI: exit %d, opened %q, want %q; stderr %q", code, opened, h.connDir(), errb.String())
	}
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	want := buildinfo.Read().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errs := h.run("", args...)
		if code != 0 || out != want || errs != "" {
			t.Errorf("rolesync %v: exit %d, %q, %q; want %q", args, code, out, errs, want)
		}
	}
	if !strings.HasPrefix(want, "rolesync ") || !strings.Contains(want, "commit ") || !strings.Contains(want, "built ") {
		t.Errorf("the version line lacks the version, commit or date: %q", want)
	}
	var in buildinfo.Info
	if err := json.Unmarshal([]byte(h.mustRun("", "version", "--json")), &in); err != nil || in.Version == "" || in.Commit == "" {
		t.Errorf("version --json: %+v, %v", in, err)
	}
}

// TestCompletion: each shell's completion script is printed, and bash
// accepts the bash one.
func TestCompletion(t *testing.T) {
	h := newHarness(t)
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errs := h.run("", "completion", sh)
		if code != 0 || len(out) < 100 || errs != "" {
			t.Errorf("completion %s: exit %d, %d bytes, %q", sh, code, len(out), errs)
		}
	}
	code, out, _ := h.run("", "__complete", "sync", "--")
	if code != 0 || !strings.Contains(out, "--once") {
		t.Errorf("completing `rolesync sync --`: exit %d, %q", code, out)
	}
	code, out, _ = h.run("", "__complete", "secrets", "set", "")
	if code != 0 || !strings.Contains(out, "okta-api-token") {
		t.Errorf("completing `rolesync secrets set `: exit %d, %q", code, out)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to check the script with")
	}
	script := h.mustRun("", "completion", "bash")
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(script)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n rejects the completion script: %v\n%s", err, msg)
	}
}
