package record_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// This test binary links store but not sqlitedriver, as the window does:
// opening a store then fails with an error that names the missing import.
func TestOpenWithoutDriverSaysWhatToImport(t *testing.T) {
	_, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err == nil || !strings.Contains(err.Error(), "internal/store/sqlitedriver") {
		t.Fatalf("Open without a driver: %v, want an error naming internal/store/sqlitedriver", err)
	}
}
