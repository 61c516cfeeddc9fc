// Package sqlitedriver registers the SQLite driver (modernc.org/sqlite, pure
// Go, no cgo) with database/sql under the name "sqlite", which is what
// store.Open and the local directory target open their files with. Import it
// for its side effect, in a program's main package (or its command-line
// entry) and in the tests that open a database, so that packages that only
// show the history, such as the window, do not link the driver:
//
//	import _ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
package sqlitedriver

import (
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)
