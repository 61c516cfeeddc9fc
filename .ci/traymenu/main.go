// Command traymenu reads and clicks the system-tray menu of a running app
// the way a desktop tray host does: it finds the first StatusNotifierItem
// registered with the StatusNotifierWatcher on the session bus and talks to
// its com.canonical.dbusmenu menu.
//
//	traymenu list                      one menu label per line
//	traymenu tree                      every label, indented two spaces per submenu depth
//	traymenu click LABEL               click the item labelled LABEL
//	traymenu click LABEL --in PARENT   click the item labelled LABEL in the submenu
//	                                   labelled PARENT or "PARENT (…)"
//	traymenu icon                      the item's Status, Title and ToolTip
package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "traymenu:", err)
		os.Exit(1)
	}
}

type item struct {
	conn *dbus.Conn
	dest string
	path dbus.ObjectPath
	menu dbus.ObjectPath
}

func run(args []string) error {
	if len(args) == 0 {
		args = []string{"list"}
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	it, err := firstItem(conn)
	if err != nil {
		return err
	}
	if args[0] == "icon" {
		return it.printIcon()
	}
	menu, err := it.settledLayout()
	if err != nil {
		return err
	}
	return it.act(menu, args)
}

// settledLayout reads the menu until two reads a moment apart agree, for
// at most about a second. The app rebuilds its menu item by item on a
// change of status, and a read in the middle of that sees part of it.
func (it *item) settledLayout() ([]node, error) {
	prev, err := it.layout()
	for range 25 {
		if err != nil {
			return nil, err
		}
		time.Sleep(40 * time.Millisecond)
		var cur []node
		if cur, err = it.layout(); err == nil && reflect.DeepEqual(prev, cur) {
			return cur, nil
		}
		prev = cur
	}
	return prev, err
}

// act runs the command args (list, tree or click) on menu.
func (it *item) act(menu []node, args []string) error {
	switch {
	case args[0] == "list":
		return printLines(flatten(menu, 0), false)
	case args[0] == "tree" && len(args) == 1:
		return printLines(flatten(menu, 0), true)
	case args[0] == "click" && len(args) == 2:
		for _, n := range flatten(menu, 0) {
			if n.label == args[1] {
				return it.click(n.id)
			}
		}
		return fmt.Errorf("no item labelled %q", args[1])
	case args[0] == "click" && len(args) == 4 && args[2] == "--in":
		return it.clickIn(menu, args[1], args[3])
	}
	return errors.New("usage: traymenu list | tree | click LABEL [--in PARENT] | icon")
}

// printLines prints one label a line, indented by depth when indent, in
// one write: a reader that stops at the line it wants (grep -q) must not
// cut the output short, which a shell with pipefail takes for a failure.
func printLines(nodes []node, indent bool) error {
	var b strings.Builder
	for _, n := range nodes {
		if indent {
			b.WriteString(strings.Repeat("  ", n.depth))
		}
		b.WriteString(n.label + "\n")
	}
	_, err := os.Stdout.WriteString(b.String())
	return err
}

// click sends the item id the event a tray host sends when it is clicked.
func (it *item) click(id int32) error {
	return it.conn.Object(it.dest, it.menu).Call("com.canonical.dbusmenu.Event", 0,
		id, "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
}

// clickIn clicks the item labelled label inside the submenu whose label is
// parent or starts with parent followed by " (", such as a connection
// whose label carries its state: "Contoso → EU1 (paused)".
func (it *item) clickIn(menu []node, label, parent string) error {
	for _, p := range flatten(menu, 0) {
		if len(p.children) == 0 || (p.label != parent && !strings.HasPrefix(p.label, parent+" (")) {
			continue
		}
		for _, n := range p.children {
			if n.label == label {
				return it.click(n.id)
			}
		}
		return fmt.Errorf("no item labelled %q in the submenu %q", label, p.label)
	}
	return fmt.Errorf("no submenu labelled %q", parent)
}

// printIcon prints the tray item's Status, Title and ToolTip.
func (it *item) printIcon() error {
	obj := it.conn.Object(it.dest, it.path)
	for _, p := range []string{"Status", "Title", "ToolTip"} {
		v, err := obj.GetProperty("org.kde.StatusNotifierItem." + p)
		if err != nil {
			fmt.Printf("%s: \n", p)
			continue
		}
		fmt.Printf("%s: %s\n", p, strings.Join(stringsIn(v.Value()), " "))
	}
	return nil
}

// firstItem finds the first registered tray item and its menu.
func firstItem(conn *dbus.Conn) (*item, error) {
	v, err := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").
		GetProperty("org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems")
	if err != nil {
		return nil, fmt.Errorf("no tray watcher on the session bus: %w", err)
	}
	items, _ := v.Value().([]string)
	if len(items) == 0 {
		return nil, errors.New("no tray item is registered")
	}
	dest, path, found := strings.Cut(items[0], "/")
	it := &item{conn: conn, dest: dest, path: "/StatusNotifierItem"}
	if found {
		it.path = dbus.ObjectPath("/" + path)
	}
	m, err := conn.Object(it.dest, it.path).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		return nil, fmt.Errorf("the tray item has no menu: %w", err)
	}
	it.menu, _ = m.Value().(dbus.ObjectPath)
	return it, nil
}

// node is one labelled menu item and the labelled items of its submenu.
type node struct {
	id       int32
	label    string
	depth    int
	children []node
}

// flatten lists the nodes depth first, each with its depth below depth.
func flatten(nodes []node, depth int) []node {
	var out []node
	for _, n := range nodes {
		n.depth = depth
		out = append(out, n)
		out = append(out, flatten(n.children, depth+1)...)
	}
	return out
}

// layout returns the menu's labelled items; an item without a label (a
// separator) is left out, its submenu's items kept in its place.
func (it *item) layout() ([]node, error) {
	var revision uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := it.conn.Object(it.dest, it.menu).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{"label"})
	if call.Err != nil {
		return nil, call.Err
	}
	if err := call.Store(&revision, &root); err != nil {
		return nil, err
	}
	return nodesOf(root.Children), nil
}

// nodesOf reads the labelled items of a GetLayout children array.
func nodesOf(children []dbus.Variant) []node {
	var out []node
	for _, c := range children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) != 3 {
			continue
		}
		id, _ := fields[0].(int32)
		props, _ := fields[1].(map[string]dbus.Variant)
		sub, _ := fields[2].([]dbus.Variant)
		kids := nodesOf(sub)
		label, ok := props["label"]
		s, isString := label.Value().(string)
		if !ok || !isString {
			out = append(out, kids...)
			continue
		}
		out = append(out, node{id: id, label: s, children: kids})
	}
	return out
}

// stringsIn collects the strings inside a property value (ToolTip is a struct).
func stringsIn(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsIn(e)...)
		}
		return out
	case dbus.Variant:
		return stringsIn(x.Value())
	}
	return nil
}
