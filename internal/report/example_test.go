package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rolesync/rolesync/internal/report"
	"github.com/rolesync/rolesync/internal/store"
)

// Filling Options from the flags of
// "rolesync export --format pdf --since 2026-03-01 --until 2026-03-31 --group Engineering --out march.pdf".
func ExampleExport() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rolesync-example")
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	format, err := report.ParseFormat("pdf")
	if err != nil {
		fmt.Println(err)
		return
	}
	since, err := report.ParseTime("2026-03-01")
	if err != nil {
		fmt.Println(err)
		return
	}
	until, err := report.ParseUntil("2026-03-31") // the whole of March 31
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := os.Create(filepath.Join(dir, "march"+format.Extension()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer out.Close()
	err = report.Export(ctx, st, out, report.Options{
		Format:   format,
		Filter:   store.ChangeFilter{Since: since, Until: until, Group: "Engineering"},
		Progress: func(done, total int64) { /* move a progress bar */ },
	})
	fmt.Println(err)
	// Output: <nil>
}
