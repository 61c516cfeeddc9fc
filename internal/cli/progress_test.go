package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/engine"
)

func TestProgressText(t *testing.T) {
	tests := []struct {
		pr      engine.Progress
		elapsed time.Duration
		want    string
	}{
		{engine.Progress{Phase: engine.PhaseRead, Done: 3, Total: 10}, 0, "reading groups: 3 of 10"},
		{engine.Progress{Phase: engine.PhaseApply, Done: 0, Total: 50000}, 0, "applying changes: 0 of 50000 (0%)"},
		{engine.Progress{Phase: engine.PhaseApply, Done: 200, Total: 50000}, 500 * time.Millisecond, "applying changes: 200 of 50000 (0%)"},
		{engine.Progress{Phase: engine.PhaseApply, Done: 12500, Total: 50000}, 100 * time.Second, "applying changes: 12500 of 50000 (25%), 125 changes/s"},
	}
	for _, tt := range tests {
		if got := progressText(tt.pr, tt.elapsed); got != tt.want {
			t.Errorf("progressText(%+v, %v) = %q, want %q", tt.pr, tt.elapsed, got, tt.want)
		}
	}
}

func TestSyncProgressRewritesOneLine(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	p := newSyncProgress(&buf, func() time.Time { return now })
	p.update(engine.Progress{Phase: engine.PhaseRead, Done: 1, Total: 2})
	p.update(engine.Progress{Phase: engine.PhaseRead, Done: 2, Total: 2}) // a phase's end is shown at once
	p.update(engine.Progress{Phase: engine.PhaseApply, Done: 0, Total: 1000})
	now = now.Add(100 * time.Millisecond)
	p.update(engine.Progress{Phase: engine.PhaseApply, Done: 10, Total: 1000}) // too soon: not shown
	now = now.Add(1900 * time.Millisecond)
	p.update(engine.Progress{Phase: engine.PhaseApply, Done: 400, Total: 1000})
	p.end()
	out := buf.String()
	if strings.Contains(out, "\n") {
		t.Fatalf("the progress wrote a new line: %q", out)
	}
	lines := strings.Split(strings.TrimPrefix(out, "\r"), "\r")
	want := []string{
		"reading groups: 1 of 2\x1b[K",
		"reading groups: 2 of 2\x1b[K",
		"applying changes: 0 of 1000 (0%)\x1b[K",
		"applying changes: 400 of 1000 (40%), 200 changes/s\x1b[K",
		"\x1b[K",
	}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("progress output %q, want %q", lines, want)
	}
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is taken for a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatal("a file is taken for a terminal")
	}
}
