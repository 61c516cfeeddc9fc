package sqlitedriver_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"

	_ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
)

// The packages that open SQLite files link no driver and tell a refused
// statement by an error with a Code() int method whose low byte is
// SQLITE_CONSTRAINT (19). This pins that shape of the registered driver.
func TestConstraintErrorsCarryTheResultCode(t *testing.T) {
	if sqlite3.SQLITE_CONSTRAINT != 19 {
		t.Fatalf("SQLITE_CONSTRAINT = %d, want 19", sqlite3.SQLITE_CONSTRAINT)
	}
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE u (login TEXT UNIQUE); INSERT INTO u VALUES ('ann')`); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO u VALUES ('ann')`)
	var rc interface{ Code() int }
	if !errors.As(err, &rc) {
		t.Fatalf("duplicate insert: %v (%T), want an error with Code() int", err, err)
	}
	if rc.Code()&0xff != 19 {
		t.Fatalf("duplicate insert: code %d, want SQLITE_CONSTRAINT in the low byte", rc.Code())
	}
}
