package singleinstance

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestSecondLaunchShowsTheFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	shown := make(chan struct{}, 4)
	first, err := Acquire(ctx, dir, func() { shown <- struct{}{} }, quiet)
	if err != nil {
		t.Fatalf("first launch: %v", err)
	}
	defer first.Close()

	for i := range 2 {
		second, err := Acquire(ctx, dir, func() { t.Error("the second launch was asked to show") }, quiet)
		if !errors.Is(err, ErrRunning) {
			if second != nil {
				second.Close()
			}
			t.Fatalf("launch %d: err = %v, want ErrRunning", i+2, err)
		}
		select {
		case <-shown:
		default:
			t.Fatalf("launch %d: the first instance was not asked to show its window", i+2)
		}
	}
}

func TestCloseLetsTheNextLaunchRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := Acquire(ctx, dir, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := os.Stat(SocketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind after Close: %v", err)
	}
	next, err := Acquire(ctx, dir, nil, quiet)
	if err != nil {
		t.Fatalf("launch after Close: %v", err)
	}
	next.Close()
}

func TestStaleSocketIsReplaced(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, socketName), []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := Acquire(context.Background(), dir, nil, quiet)
	if err != nil {
		t.Fatalf("launch over a stale socket: %v", err)
	}
	in.Close()
}

func TestLockedButSilentIsAClearError(t *testing.T) {
	dir := t.TempDir()
	lock, err := tryLock(filepath.Join(dir, lockName))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock(lock)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // do not wait for an answer that will not come
	_, err = Acquire(ctx, dir, nil, quiet)
	if err == nil || errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "does not answer") ||
		!strings.Contains(err.Error(), lockName) {
		t.Errorf("err = %v, want a does-not-answer error naming the lock file", err)
	}
}

func TestSocketPath(t *testing.T) {
	short := "/var/lib/rolesync"
	if got := SocketPath(short); got != filepath.Join(short, socketName) {
		t.Errorf("short dir: %q", got)
	}
	long := "/" + strings.Repeat("very-long-directory-name/", 6)
	got := SocketPath(long)
	if len(got) > maxSocketPath || !strings.HasPrefix(got, os.TempDir()) {
		t.Errorf("long dir: %q (%d bytes)", got, len(got))
	}
	if got != SocketPath(long) || got == SocketPath(long+"x") {
		t.Error("long-dir socket paths must be stable per dir and differ between dirs")
	}
}

func TestLongDataDirWorks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	shown := make(chan struct{}, 1)
	in, err := Acquire(context.Background(), dir, func() { shown <- struct{}{} }, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := Acquire(context.Background(), dir, nil, quiet); !errors.Is(err, ErrRunning) {
		t.Fatalf("err = %v, want ErrRunning", err)
	}
	<-shown
}
