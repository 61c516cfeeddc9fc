package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/wording"
)

// openRun selects the run with id in the history table.
func openRun(t *testing.T, m *MainWindow, id int64) {
	t.Helper()
	m.tabs.SelectIndex(1)
	for row, r := range m.history.runs {
		if r.ID == id {
			m.history.table.Select(widget.TableCellID{Row: row, Col: 0})
			return
		}
	}
	t.Fatalf("run %d not in the history table", id)
}

func TestHistoryListsRunsNewestFirst(t *testing.T) {
	m, h, _ := newDemoWindow(t)
	if got, want := len(m.history.runs), len(h.runs); got != want {
		t.Fatalf("history shows %d runs, want %d", got, want)
	}
	first := m.history.runs[0]
	if first.ID != 30 {
		t.Errorf("first row is run %d, want the newest, 30", first.ID)
	}
	row := make([]string, len(runColumns))
	for i, c := range runColumns {
		row[i] = c.cell(first, m)
	}
	want := []string{"2026-11-28 14:15:00", "schedule", "Held for approval", "1", "3", "1", "3", "6", "2.1s"}
	if !equalStrings(row, want) {
		t.Errorf("row = %q, want %q", row, want)
	}
}

func TestHistoryFiltersChanges(t *testing.T) {
	m, h, _ := newDemoWindow(t)
	openRun(t, m, 1) // the demo's first run: 24 changes
	v := m.history.changes
	all := len(v.rows)
	if all != 24 {
		t.Fatalf("run 1 shows %d changes, want 24", all)
	}

	cases := []struct {
		name              string
		user, group, role string
		action            string
		match             func(c store.Change) bool
	}{
		{"user", "user03@example.com", "", "", allActions, func(c store.Change) bool { return c.User == "user03@example.com" }},
		{"Okta group", "", "Security", "", allActions, func(c store.Change) bool { return c.Group == "Security" }},
		{"role", "", "", "Auditor", allActions, func(c store.Change) bool { return c.Role == "Auditor" }},
		{"action", "", "", "", store.ActionRevoke, func(c store.Change) bool { return c.Action == store.ActionRevoke }},
		{"group and action", "", "Engineering", "", store.ActionGrant, func(c store.Change) bool {
			return c.Group == "Engineering" && c.Action == store.ActionGrant
		}},
		{"nothing matches", "nobody@example.com", "", "", allActions, func(store.Change) bool { return false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			test.Tap(v.clear)
			test.Type(v.user, tc.user)
			test.Type(v.group, tc.group)
			test.Type(v.role, tc.role)
			v.action.SetSelected(tc.action)
			test.Tap(v.apply)

			var want []int64
			for _, c := range h.changes {
				if c.RunID == 1 && tc.match(c) {
					want = append(want, c.ID)
				}
			}
			var got []int64
			for _, c := range v.rows {
				got = append(got, c.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("rows = %v, want %v", got, want)
			}
			if len(want) == 0 && v.count.Text != "no changes match" {
				t.Errorf("count = %q, want the empty message", v.count.Text)
			}
			if len(want) > 0 && v.count.Text != wording.Plural(len(want), "change", "changes") {
				t.Errorf("count = %q for %d rows", v.count.Text, len(want))
			}
		})
	}

	t.Run("clear shows every change again", func(t *testing.T) {
		test.Tap(v.clear)
		if len(v.rows) != all {
			t.Errorf("after Clear %d rows, want %d", len(v.rows), all)
		}
	})
	t.Run("the filter reaches the store", func(t *testing.T) {
		test.Type(v.role, "Auditor")
		test.Tap(v.apply)
		q := h.queries[len(h.queries)-1]
		if q.RunID != 1 || q.Role != "Auditor" || q.Limit != changesPage {
			t.Errorf("query = %+v, want run 1, role Auditor, limit %d", q, changesPage)
		}
	})
	capture(t, m, "history-run")
}

// bigHistory is one run with n changes, for paging.
func bigHistory(n int) *fakeHistory {
	h := &fakeHistory{}
	at := demoNow.Add(-time.Hour)
	h.runs = []store.Run{{ID: 1, Trigger: store.TriggerManual, Status: store.StatusSucceeded, StartedAt: at, FinishedAt: at.Add(time.Minute), Granted: n}}
	for i := range n {
		h.changes = append(h.changes, store.Change{ID: int64(i + 1), RunID: 1, At: at, User: fmt.Sprintf("u%05d", i),
			Action: store.ActionGrant, Role: "Read Only", Group: "Everyone", Reason: "member of Everyone"})
	}
	return h
}

func TestHistoryReadsChangesPageByPage(t *testing.T) {
	a := test.NewTempApp(t)
	h := bigHistory(3*changesPage + 7)
	m := NewMainWindow(a, Deps{History: h, Config: func() config.Config { return config.Config{} },
		Now: func() time.Time { return demoNow }, Logger: slogTo(logbuffer.New(5, nil))})
	m.win.Resize(fyne.NewSize(1000, 680))
	openRun(t, m, 1)
	v := m.history.changes
	if len(v.rows) != changesPage {
		t.Fatalf("first page has %d rows, want %d", len(v.rows), changesPage)
	}
	if v.count.Text != fmt.Sprintf("%d+ changes", changesPage) {
		t.Errorf("count = %q", v.count.Text)
	}
	for i := 0; i < 10 && len(v.rows) < len(h.changes); i++ {
		v.table.ScrollToBottom()
		m.win.Canvas().Capture()
	}
	if len(v.rows) != len(h.changes) {
		t.Fatalf("after scrolling to the end %d rows, want %d", len(v.rows), len(h.changes))
	}
	for i, q := range h.queries {
		if i > 0 && q.AfterID != int64(i*changesPage) {
			t.Errorf("page %d read after ID %d, want %d", i, q.AfterID, i*changesPage)
		}
	}
	if v.count.Text != wording.Plural(len(h.changes), "change", "changes") {
		t.Errorf("count = %q", v.count.Text)
	}
}

func TestHistoryReadsRunsPageByPage(t *testing.T) {
	h := &fakeHistory{}
	for i := range 2*runsPage + 50 {
		at := demoNow.Add(time.Duration(i-1000) * time.Minute)
		h.runs = append(h.runs, store.Run{ID: int64(i + 1), Trigger: store.TriggerSchedule, Status: store.StatusSucceeded,
			StartedAt: at, FinishedAt: at.Add(time.Second)})
	}
	m := NewMainWindow(test.NewTempApp(t), Deps{History: h, Now: func() time.Time { return demoNow },
		Logger: slogTo(logbuffer.New(5, nil))})
	m.win.Resize(fyne.NewSize(1000, 680))
	m.tabs.SelectIndex(1)
	if len(m.history.runs) != runsPage {
		t.Fatalf("first page has %d runs, want %d", len(m.history.runs), runsPage)
	}
	for i := 0; i < 10 && len(m.history.runs) < len(h.runs); i++ {
		m.history.table.ScrollToBottom()
		m.win.Canvas().Capture()
	}
	if len(m.history.runs) != len(h.runs) {
		t.Fatalf("after scrolling to the end %d runs, want %d", len(m.history.runs), len(h.runs))
	}
	for i, r := range m.history.runs {
		if want := int64(len(h.runs) - i); r.ID != want {
			t.Fatalf("row %d is run %d, want %d (newest first, no gaps or repeats)", i, r.ID, want)
		}
	}
}
