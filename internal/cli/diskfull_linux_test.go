//go:build linux

package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
)

// fillDisk writes a file in dir until the file system is full, then frees
// leave bytes of it, and returns the file's path.
func fillDisk(t *testing.T, dir string, leave int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	var size int64
	for len(chunk) > 0 {
		n, err := f.Write(chunk)
		size += int64(n)
		if errors.Is(err, syscall.ENOSPC) {
			chunk = chunk[:len(chunk)/2]
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(max(size-leave, 0)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFullDiskDuringApply runs a sync whose apply fills the file system
// of the data directory (a 24 MiB tmpfs): the run fails with an error
// that says the disk is full; once space is freed the database opens, the
// run is recorded as failed or interrupted, audit verify passes, the
// recorded changes give every user the roles the directory holds (but for
// the changes the apply journal noted in flight), and the next run
// converges.
func TestFullDiskDuringApply(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("a full disk is made with a small tmpfs, which only root can mount")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size=24m,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): a container without CAP_SYS_ADMIN", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })

	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 4000, Groups: 100, Seed: 1,
		RateLimits: oktasim.RateLimits{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	h := newHarness(t)
	h.dataDir = filepath.Join(mnt, "data")
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	h.mustSync("first sync")

	reshuffle(t, sim, 1000)
	filler := fillDisk(t, mnt, 3<<20)
	code, res, errs := h.syncJSON()
	t.Logf("sync on a full disk: exit %d, %s: %s", code, res.Status, strings.TrimSpace(errs))
	if code == 0 || res.Status == store.StatusSucceeded {
		t.Fatalf("a sync on a full disk succeeded: %+v", res)
	}
	if !strings.Contains(errs, "full") && !strings.Contains(errs, "no space") {
		t.Errorf("the error does not say the disk is full: %q", errs)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}

	checkRecorded(t, h, []string{store.StatusFailed, store.StatusInterrupted}, directoryRoles(h))
	h.mustSync("the sync after space was freed")
	crashState(t, h, false)
	active, _ := h.directory()
	sameRoles(t, active, expected(sim))
	if code, res, errs := h.syncJSON(); code != 0 || res.Created+res.Granted+res.Revoked != 0 {
		t.Fatalf("the run after the converging one: exit %d %+v %s", code, res, errs)
	}
}
