package ui

// The tests open SQLite files; the package itself links no driver.
import _ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
