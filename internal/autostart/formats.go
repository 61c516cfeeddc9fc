package autostart

import (
	"encoding/xml"
	"strings"
)

// desktopEntry is the XDG autostart entry.
func desktopEntry(exec string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=rolesync\n" +
		"Comment=Keep portal users and roles in line with Okta groups\n" +
		"Exec=" + quoteExec(exec) + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// quoteExec quotes a path for a desktop entry's Exec key, as the Desktop
// Entry specification asks for arguments with reserved characters.
func quoteExec(p string) string {
	if !strings.ContainsAny(p, " \t\n\"'\\><~|&;$*?#()`") {
		return strings.ReplaceAll(p, "%", "%%")
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`, `%`, `%%`)
	return `"` + r.Replace(p) + `"`
}

// launchAgent is the macOS LaunchAgent: run the binary at login, once.
func launchAgent(exec string) string {
	var b strings.Builder
	esc := func(s string) string {
		var e strings.Builder
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + esc(LaunchAgentLabel) + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + esc(exec) + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String()
}
