package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store"
)

// benchChanges is the size of the history the benchmark opens the window
// over: small runs of 900 changes and, last, one large run of a tenth of
// them. ROLESYNC_BENCH_CHANGES overrides it.
func benchChanges() int {
	if n, err := strconv.Atoi(os.Getenv("ROLESYNC_BENCH_CHANGES")); err == nil && n >= 10000 {
		return n
	}
	return 1_000_000
}

func fillStore(b *testing.B, s *store.Store, total int) (bigRun int64) {
	b.Helper()
	ctx := context.Background()
	at := demoNow.Add(-365 * 24 * time.Hour)
	big := total / 10
	n := 0
	record := func(size int) int64 {
		id, err := s.StartRun(ctx, store.TriggerSchedule, at)
		if err != nil {
			b.Fatal(err)
		}
		cs := make([]store.Change, size)
		for i := range cs {
			u := (n * 7919) % 50000
			cs[i] = store.Change{At: at.Add(time.Duration(i) * time.Millisecond),
				User: fmt.Sprintf("user%d@example.com", u), OktaID: fmt.Sprintf("00u%08d", u),
				Action: []string{store.ActionGrant, store.ActionRevoke, store.ActionCreate, store.ActionGrant}[n%4],
				Role:   []string{"Administrator", "Read Only", "Auditor"}[n%3],
				Group:  fmt.Sprintf("Group %d", n%200), Reason: fmt.Sprintf("in group Group %d", n%200)}
			n++
		}
		if err := s.AddChanges(ctx, id, cs); err != nil {
			b.Fatal(err)
		}
		if err := s.FinishRun(ctx, store.Run{ID: id, Trigger: store.TriggerSchedule, Status: store.StatusSucceeded,
			StartedAt: at, FinishedAt: at.Add(time.Second), Granted: size}); err != nil {
			b.Fatal(err)
		}
		at = at.Add(15 * time.Minute)
		return id
	}
	for n+900 <= total-big {
		record(900)
	}
	return record(total - n)
}

// BenchmarkHistoryWindow opens the window over a store of a million change
// rows and times what an admin does in the History tab: list the runs, open
// the largest run, and filter its changes. Each operation ends with the
// first page of rows in the table.
func BenchmarkHistoryWindow(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "history.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	total := benchChanges()
	start := time.Now()
	bigID := fillStore(b, s, total)
	b.Logf("store holds %d changes (largest run %d: %d changes), filled in %v", total, bigID, total/10, time.Since(start).Round(time.Second))

	a := test.NewTempApp(b)
	m := NewMainWindow(a, Deps{History: s, Config: func() config.Config { return config.Config{} },
		Now: func() time.Time { return demoNow }, Logger: slogTo(logbuffer.New(5, nil))})
	m.win.Resize(fyne.NewSize(1000, 680))
	big, err := s.Run(ctx, bigID)
	if err != nil {
		b.Fatal(err)
	}
	v := m.history.changes
	want := func(b *testing.B, min int) {
		if len(v.rows) < min {
			b.Fatalf("%d rows shown, want at least %d", len(v.rows), min)
		}
	}

	b.Run("list runs", func(b *testing.B) {
		for b.Loop() {
			m.history.reload()
			if len(m.history.runs) == 0 {
				b.Fatal("no runs listed")
			}
		}
	})
	b.Run("open largest run", func(b *testing.B) {
		for b.Loop() {
			v.open(big)
			want(b, changesPage)
		}
	})
	lastUser := fmt.Sprintf("user%d@example.com", ((total-1)*7919)%50000) // in the largest run
	filters := []struct {
		name       string
		user, role string
		action     string
	}{
		{"filter user", lastUser, "", allActions},
		{"filter role", "", "Auditor", allActions},
		{"filter action", "", "", store.ActionRevoke},
		{"filter role and action", "", "Auditor", store.ActionRevoke},
	}
	for _, f := range filters {
		b.Run(f.name, func(b *testing.B) {
			v.user.SetText(f.user)
			v.role.SetText(f.role)
			v.action.Selected = f.action
			for b.Loop() {
				v.applyFilter()
				want(b, 1)
			}
		})
	}
	b.Run("scroll to next page", func(b *testing.B) {
		v.user.SetText("")
		v.role.SetText("")
		v.action.Selected = allActions
		for b.Loop() {
			v.applyFilter()
			v.loadMore()
			want(b, 2*changesPage)
		}
	})
}
