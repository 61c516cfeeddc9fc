// Package singleinstance keeps one rolesync per data directory. The first
// launch takes a lock in the data directory and listens on a Unix socket
// there; a second launch finds the lock taken, asks the first one over the
// socket to bring its window to the front, and exits instead of starting a
// second sync loop.
package singleinstance

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrRunning is returned to a second launch after the first one was asked
// to show its window.
var ErrRunning = errors.New("rolesync is already running; its window was brought to the front")

const (
	lockName   = "rolesync.lock"
	socketName = "rolesync.sock"
	// maxSocketPath stays under the smallest sun_path (104 bytes on macOS).
	maxSocketPath = 100
	requestShow   = "show"
	replyOK       = "ok"
	ioTimeout     = 2 * time.Second
)

// Instance is the running first instance. Close it on exit.
type Instance struct {
	ln     net.Listener
	lock   *os.File
	socket string
	onShow func()
	log    *slog.Logger
	wg     sync.WaitGroup
	once   sync.Once
}

// Acquire makes this process the instance for dir, calling onShow (from
// its own goroutine) whenever a later launch asks for the window. If
// another process already holds dir, Acquire asks it to show its window and
// returns ErrRunning.
func Acquire(ctx context.Context, dir string, onShow func(), log *slog.Logger) (*Instance, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("single instance: create data dir %s: %w", dir, err)
	}
	socket := SocketPath(dir)
	lock, err := tryLock(filepath.Join(dir, lockName))
	if errors.Is(err, errLocked) {
		if err := askToShow(ctx, socket); err != nil {
			return nil, fmt.Errorf("single instance: another rolesync holds %s but does not answer (%w); if none is running, delete %s",
				dir, err, filepath.Join(dir, lockName))
		}
		return nil, ErrRunning
	}
	if err != nil {
		return nil, fmt.Errorf("single instance: %w", err)
	}
	// The lock is ours, so any socket left here is stale.
	if err := os.Remove(socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
		unlock(lock)
		return nil, fmt.Errorf("single instance: remove stale socket %s: %w", socket, err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "unix", socket)
	if err != nil {
		unlock(lock)
		return nil, fmt.Errorf("single instance: listen on %s: %w", socket, err)
	}
	if err := os.Chmod(socket, 0o600); err != nil {
		log.Warn("single instance: restrict socket permissions", "path", socket, "err", err)
	}
	in := &Instance{ln: ln, lock: lock, socket: socket, onShow: onShow, log: log}
	in.wg.Add(1)
	go in.serve()
	return in, nil
}

// SocketPath is where the instance for dir listens: in dir itself, or,
// when that path is too long for a Unix socket, in the temporary directory
// under a name derived from dir.
func SocketPath(dir string) string {
	p := filepath.Join(dir, socketName)
	if len(p) <= maxSocketPath {
		return p
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "rolesync-"+hex.EncodeToString(sum[:8])+".sock")
}

func (in *Instance) serve() {
	defer in.wg.Done()
	for {
		conn, err := in.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				in.log.Warn("single instance: accept", "err", err)
			}
			return
		}
		in.handle(conn)
	}
}

func (in *Instance) handle(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(ioTimeout))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		in.log.Warn("single instance: read request", "err", err)
		return
	}
	if strings.TrimSpace(line) != requestShow {
		in.log.Warn("single instance: unknown request", "request", strings.TrimSpace(line))
		return
	}
	if in.onShow != nil {
		in.onShow()
	}
	if _, err := conn.Write([]byte(replyOK + "\n")); err != nil {
		in.log.Warn("single instance: reply", "err", err)
	}
}

// askToShow asks the instance listening on socket to show its window. The
// first instance may still be starting, so it tries for a little while.
func askToShow(ctx context.Context, socket string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*ioTimeout)
	defer cancel()
	var lastErr error
	for {
		if lastErr = showOnce(ctx, socket); lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return lastErr
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func showOnce(ctx context.Context, socket string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := conn.Write([]byte(requestShow + "\n")); err != nil {
		return fmt.Errorf("send request: %w", err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read reply: %w", err)
	}
	if strings.TrimSpace(line) != replyOK {
		return fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}

// Close stops listening, removes the socket and releases the lock.
func (in *Instance) Close() error {
	var err error
	in.once.Do(func() {
		err = in.ln.Close()
		in.wg.Wait()
		if rmErr := os.Remove(in.socket); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
			err = rmErr
		}
		unlock(in.lock)
	})
	if err != nil {
		return fmt.Errorf("single instance: close: %w", err)
	}
	return nil
}
