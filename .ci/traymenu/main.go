// Command traymenu reads and clicks the system-tray menu of a running app
// the way a desktop tray host does: it finds the first StatusNotifierItem
// registered with the StatusNotifierWatcher on the session bus and talks to
// its com.canonical.dbusmenu menu.
//
//	traymenu list          one menu label per line
//	traymenu click LABEL   click the item labelled LABEL
//	traymenu icon          the item's Status, Title and ToolTip
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

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
	switch {
	case args[0] == "list":
		labels, _, err := it.layout()
		if err != nil {
			return err
		}
		for _, l := range labels {
			fmt.Println(l)
		}
	case args[0] == "click" && len(args) == 2:
		labels, ids, err := it.layout()
		if err != nil {
			return err
		}
		for i, l := range labels {
			if l == args[1] {
				return it.conn.Object(it.dest, it.menu).Call("com.canonical.dbusmenu.Event", 0,
					ids[i], "clicked", dbus.MakeVariant(int32(0)), uint32(0)).Err
			}
		}
		return fmt.Errorf("no item labelled %q", args[1])
	case args[0] == "icon":
		obj := it.conn.Object(it.dest, it.path)
		for _, p := range []string{"Status", "Title", "ToolTip"} {
			v, err := obj.GetProperty("org.kde.StatusNotifierItem." + p)
			if err != nil {
				fmt.Printf("%s: \n", p)
				continue
			}
			fmt.Printf("%s: %s\n", p, strings.Join(stringsIn(v.Value()), " "))
		}
	default:
		return errors.New("usage: traymenu list | click LABEL | icon")
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

// layout returns the labels and ids of the menu's items, depth first.
func (it *item) layout() ([]string, []int32, error) {
	var revision uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := it.conn.Object(it.dest, it.menu).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{"label"})
	if call.Err != nil {
		return nil, nil, call.Err
	}
	if err := call.Store(&revision, &root); err != nil {
		return nil, nil, err
	}
	var labels []string
	var ids []int32
	var walk func(children []dbus.Variant)
	walk = func(children []dbus.Variant) {
		for _, c := range children {
			fields, ok := c.Value().([]any)
			if !ok || len(fields) != 3 {
				continue
			}
			id, _ := fields[0].(int32)
			props, _ := fields[1].(map[string]dbus.Variant)
			if l, ok := props["label"]; ok {
				if s, ok := l.Value().(string); ok {
					labels = append(labels, s)
					ids = append(ids, id)
				}
			}
			sub, _ := fields[2].([]dbus.Variant)
			walk(sub)
		}
	}
	walk(root.Children)
	return labels, ids, nil
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
