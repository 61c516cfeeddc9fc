package wizard

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

func TestGroupIndexFilter(t *testing.T) {
	idx := newGroupIndex(newFakeGroups(20000).groups)
	cases := []struct {
		name, query, prev string
		want              int
		first             string
	}{
		{"empty lists all", "", "", 20000, "Engineering"},
		{"case folded", "PORTAL", "", 1, "Portal Admins"},
		{"substring", "team 0199", "", 100, "Team 019900"},
		{"narrowed from previous", "team 01999", "team 0199", 10, "Team 019990"},
		{"no match", "zzz", "", 0, ""},
		{"spaces trimmed", "  helpdesk ", "", 1, "Helpdesk"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var prev []int
			if tc.prev != "" {
				prev = idx.filter(tc.prev, "", nil)
			}
			got := idx.filter(tc.query, tc.prev, prev)
			if len(got) != tc.want {
				t.Fatalf("%d matches, want %d", len(got), tc.want)
			}
			if tc.want > 0 && idx.groups[got[0]].Name != tc.first {
				t.Fatalf("first match %q, want %q", idx.groups[got[0]].Name, tc.first)
			}
		})
	}
	if g, ok := idx.find("00g-help"); !ok || g.Name != "Helpdesk" {
		t.Fatalf("find by id = %+v, %v", g, ok)
	}
	if g, ok := idx.find("portal admins"); !ok || g.ID != "00g-admins" {
		t.Fatalf("find by name = %+v, %v", g, ok)
	}
}

func TestGroupPickerTyping(t *testing.T) {
	test.NewTempApp(t)
	var picked Group
	p := newGroupPicker(newGroupIndex(newFakeGroups(20000).groups), func(g Group) { picked = g })
	win := test.NewTempWindow(t, container.NewWithoutLayout())
	win.Resize(fyne.NewSize(900, 650))
	p.show(win.Canvas())
	if p.count.Text != "20000 of 20000 groups" {
		t.Fatalf("count %q", p.count.Text)
	}
	test.Type(p.entry, "team 01234")
	if len(p.shown) != 10 || p.count.Text != "10 of 20000 groups" {
		t.Fatalf("after typing: %d shown, %q", len(p.shown), p.count.Text)
	}
	test.Type(p.entry, "5")
	if len(p.shown) != 1 {
		t.Fatalf("after one more key: %d shown", len(p.shown))
	}
	p.entry.OnSubmitted(p.entry.Text)
	if picked.Name != "Team 012345" || p.popup.Visible() {
		t.Fatalf("picked %+v, popup visible %v", picked, p.popup.Visible())
	}
	p.setQuery("no such group")
	if p.count.Text != `No group name contains "no such group": check the spelling, or type less.` {
		t.Fatalf("empty result message %q", p.count.Text)
	}
}

// BenchmarkGroupFilterKeystroke measures one keystroke of typing a group
// name into the picker over 20,000 groups, list refresh included.
func BenchmarkGroupFilterKeystroke(b *testing.B) {
	test.NewTempApp(b)
	p := newGroupPicker(newGroupIndex(newFakeGroups(20000).groups), func(Group) {})
	win := test.NewTempWindow(b, container.NewWithoutLayout())
	win.Resize(fyne.NewSize(900, 650))
	p.show(win.Canvas())
	queries := []string{"t", "te", "tea", "team", "team ", "team 1", "team 12", "team 123"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		if q == "t" {
			p.setQuery("")
		}
		p.setQuery(q)
	}
}

// BenchmarkGroupFilterScan measures a full scan (no previous result to
// narrow) over 20,000 groups.
func BenchmarkGroupFilterScan(b *testing.B) {
	idx := newGroupIndex(newFakeGroups(20000).groups)
	for i := 0; b.Loop(); i++ {
		_ = idx.filter(fmt.Sprintf("team %d", i%10), "", nil)
	}
}
