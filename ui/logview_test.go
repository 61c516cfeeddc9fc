package ui

import (
	"log/slog"
	"strings"
	"testing"
)

// fakeJWT is a fake token, built at run time so no token-like literal sits
// in the tree.
var fakeJWT = "eyJhbGciOiJSUzI1NiJ9." + "eyJzdWIiOiJmYWtlIn0." + "c2lnbmF0dXJl"

func TestLogTabShowsRedactedLines(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	slog.New(m.deps.Log.Handler()).Info("token refreshed", "access_token", fakeJWT)
	m.tabs.SelectIndex(4)
	lines := m.logTab.lines
	if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], "token refreshed access_token=[REDACTED]") {
		t.Fatalf("log tab lines = %q", lines)
	}
	capture(t, m, "log")
}
