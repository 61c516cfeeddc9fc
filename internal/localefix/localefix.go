// Package localefix keeps the GUI toolkit quiet under the C locale.
//
// Fyne reads the user's locale while its packages initialize, before main
// runs. Under LANG=C.UTF-8 (the default of Debian's containers, cron and
// many systemd units) it takes "C" for a language, fails to parse it and logs
// three "Fyne error" lines: every headless command would print them.
//
// Importing this package first (cmd/rolesync imports it for its side effect)
// sets LANGUAGE=en for that moment, which Fyne's locale lookup prefers; main
// calls Restore to put the environment back before anything else reads it.
//
// It imports only os, so Go's initialization order (a package initializes
// once its imports have, lexically first among those ready) runs it before
// Fyne's lang package, which needs log and fmt, and they need os.
package localefix

import "os"

// set is true when init set LANGUAGE.
var set bool

func init() {
	if Needed(os.Getenv) {
		set = os.Setenv("LANGUAGE", "en") == nil
	}
}

// Needed reports whether the locale environment names a C or POSIX locale
// with a suffix ("C.UTF-8", "POSIX@euro"), which Fyne cannot parse, and
// LANGUAGE leaves Fyne nothing else to read.
func Needed(getenv func(string) string) bool {
	if getenv("LANGUAGE") != "" {
		return false
	}
	loc := ""
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(name); loc != "" {
			break
		}
	}
	for _, base := range [...]string{"C", "POSIX"} {
		if len(loc) > len(base) && loc[:len(base)] == base && (loc[len(base)] == '.' || loc[len(base)] == '@') {
			return true
		}
	}
	return false
}

// Restore removes the LANGUAGE that init set, so that programs rolesync
// starts see the user's environment.
func Restore() {
	if set {
		os.Unsetenv("LANGUAGE")
		set = false
	}
}
