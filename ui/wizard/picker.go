package wizard

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// groupIndex holds the org's groups, sorted by name, for fast filtering.
type groupIndex struct {
	groups []Group
	lower  []string // lower-cased names, same order
	all    []int
}

func newGroupIndex(gs []Group) *groupIndex {
	x := &groupIndex{groups: append([]Group(nil), gs...)}
	sort.SliceStable(x.groups, func(i, j int) bool {
		return strings.ToLower(x.groups[i].Name) < strings.ToLower(x.groups[j].Name)
	})
	x.lower = make([]string, len(x.groups))
	x.all = make([]int, len(x.groups))
	for i, g := range x.groups {
		x.lower[i] = strings.ToLower(g.Name)
		x.all[i] = i
	}
	return x
}

// find returns the group whose name or id is ref.
func (x *groupIndex) find(ref string) (Group, bool) {
	for _, g := range x.groups {
		if g.ID == ref || strings.EqualFold(g.Name, ref) {
			return g, true
		}
	}
	return Group{}, false
}

// filter returns the indexes of the groups whose name contains query, case
// folded. When query extends prevQuery, only prev (its result) is scanned.
func (x *groupIndex) filter(query, prevQuery string, prev []int) []int {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return x.all
	}
	src := x.all
	if pq := strings.ToLower(strings.TrimSpace(prevQuery)); pq != "" && strings.Contains(q, pq) && prev != nil {
		src = prev
	}
	out := make([]int, 0, min(len(src), 256))
	for _, i := range src {
		if strings.Contains(x.lower[i], q) {
			out = append(out, i)
		}
	}
	return out
}

// groupPicker is a searchable, virtualized list of groups in a pop-up.
type groupPicker struct {
	idx    *groupIndex
	query  string
	shown  []int
	entry  *widget.Entry
	count  *widget.Label
	list   *widget.List
	popup  *widget.PopUp
	onPick func(Group)
}

// newGroupPicker builds the picker; show opens it over a canvas.
func newGroupPicker(idx *groupIndex, onPick func(Group)) *groupPicker {
	p := &groupPicker{idx: idx, shown: idx.all, onPick: onPick}
	p.entry = widget.NewEntry()
	p.entry.SetPlaceHolder("Type to search the Okta groups")
	p.count = widget.NewLabel("")
	p.list = widget.NewList(
		func() int { return len(p.shown) },
		func() fyne.CanvasObject {
			members := widget.NewLabel("000,000 members")
			members.Alignment = fyne.TextAlignTrailing
			name := widget.NewLabel("group name")
			name.Truncation = fyne.TextTruncateClip
			return container.NewBorder(nil, nil, nil, members, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.shown) {
				return
			}
			g := p.idx.groups[p.shown[id]]
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Label).SetText(g.Name)
			row.Objects[1].(*widget.Label).SetText(memberText(g.Members))
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) {
		if id < len(p.shown) {
			p.pick(p.idx.groups[p.shown[id]])
		}
	}
	p.entry.OnChanged = p.setQuery
	p.entry.OnSubmitted = func(string) {
		if len(p.shown) > 0 {
			p.pick(p.idx.groups[p.shown[0]])
		}
	}
	p.updateCount()
	return p
}

// setQuery filters the list as the admin types.
func (p *groupPicker) setQuery(q string) {
	p.shown = p.idx.filter(q, p.query, p.shown)
	p.query = q
	p.updateCount()
	p.list.ScrollToTop()
	p.list.Refresh()
}

func (p *groupPicker) updateCount() {
	switch n := len(p.shown); {
	case n == 0 && len(p.idx.groups) == 0:
		p.count.SetText("The Okta org has no groups.")
	case n == 0:
		p.count.SetText(fmt.Sprintf("No group name contains %q: check the spelling, or type less.", strings.TrimSpace(p.query)))
	default:
		p.count.SetText(fmt.Sprintf("%d of %d groups", n, len(p.idx.groups)))
	}
}

func (p *groupPicker) pick(g Group) {
	if p.popup != nil {
		p.popup.Hide()
	}
	p.onPick(g)
}

// show opens the picker centred over c.
func (p *groupPicker) show(c fyne.Canvas) {
	cancel := widget.NewButton("Cancel", func() { p.popup.Hide() })
	top := container.NewVBox(p.entry, p.count)
	content := container.NewBorder(top, container.NewHBox(cancel), nil, nil, p.list)
	p.popup = widget.NewModalPopUp(content, c)
	size := fyne.NewSize(min(560, c.Size().Width-40), min(460, c.Size().Height-40))
	p.popup.Resize(size)
	p.popup.Show()
	c.Focus(p.entry)
}

// memberText says how many members a group has.
func memberText(n int) string {
	switch {
	case n < 0:
		return "members unknown"
	case n == 1:
		return "1 member"
	}
	return fmt.Sprintf("%s members", thousands(n))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
