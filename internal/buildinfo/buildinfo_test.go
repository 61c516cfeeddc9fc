package buildinfo

import (
	"strings"
	"testing"
)

func TestLinkerValuesWin(t *testing.T) {
	old := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = old[0], old[1], old[2] })
	Version, Commit, Date = "v1.2.3", "0123456789abcdef0123", "2026-12-04T10:00:00Z"
	in := Read()
	if in.Version != "v1.2.3" || in.Commit != Commit || in.Date != Date {
		t.Fatalf("Read() = %+v", in)
	}
	s := in.String()
	for _, want := range []string{"rolesync v1.2.3", "commit 0123456789ab", "built 2026-12-04T10:00:00Z"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, want it to contain %q", s, want)
		}
	}
}

func TestUnstampedBuildSaysSo(t *testing.T) {
	old := [3]string{Version, Commit, Date}
	t.Cleanup(func() { Version, Commit, Date = old[0], old[1], old[2] })
	Version, Commit, Date = "", "", ""
	in := Read()
	// A test binary carries no module version and no VCS stamp.
	if in.Version != "devel" {
		t.Errorf("Version = %q, want devel", in.Version)
	}
	if in.Commit == "" || in.Date == "" {
		t.Errorf("empty fields in %+v", in)
	}
	if !strings.HasPrefix(in.String(), "rolesync devel (commit ") {
		t.Errorf("String() = %q", in.String())
	}
}
