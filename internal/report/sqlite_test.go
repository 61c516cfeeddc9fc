package report

// The tests open SQLite files; the package itself links no driver.
import (
	"database/sql"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	_ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
)

// rawDB opens st's database file directly, as someone with write access to
// the file but not to rolesync would: edits through it bypass the store.
func rawDB(t testing.TB, st *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
