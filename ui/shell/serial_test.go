package shell

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/app"
)

// serialApp is a test app whose fyne.Do calls run one at a time on a single
// goroutine, as the real driver's main loop runs them. Fyne's test driver
// runs them on the caller's goroutine instead, which makes the shell's
// background goroutines (the loop, the status ticker) race each other on the
// widgets in a way the real app never does.
type serialApp struct {
	fyne.App
	drv *serialDriver
}

func (a *serialApp) Driver() fyne.Driver { return a.drv }

type serialDriver struct {
	fyne.Driver
	work   chan func()
	worker atomic.Uint64
}

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

func (d *serialDriver) DoFromGoroutine(fn func(), wait bool) {
	if goid() == d.worker.Load() {
		fn() // already on the UI goroutine
		return
	}
	if !wait {
		d.work <- fn
		return
	}
	done := make(chan struct{})
	d.work <- func() { fn(); close(done) }
	<-done
}

// newSerialApp returns a test app with a single UI goroutine.
func newSerialApp(t testing.TB) fyne.App {
	t.Helper()
	base := test.NewTempApp(t)
	d := &serialDriver{Driver: base.Driver(), work: make(chan func(), 1024)}
	started := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		d.worker.Store(goid())
		close(started)
		for {
			select {
			case fn := <-d.work:
				fn()
			case <-stop:
				return
			}
		}
	}()
	<-started
	a := &serialApp{App: base, drv: d}
	fyne.SetCurrentApp(a)
	t.Cleanup(func() {
		fyne.DoAndWait(func() {}) // let queued updates finish
		close(stop)
	})
	return a
}

// newTestShell builds the shell on the app's UI goroutine.
func newTestShell(t testing.TB, rt *app.Runtime) (*Shell, fyne.App) {
	t.Helper()
	a := newSerialApp(t)
	var s *Shell
	fyne.DoAndWait(func() { s = New(context.Background(), a, rt) })
	t.Cleanup(func() {
		s.Stop()
		// Updates queued by the last background reads may start more.
		for range 3 {
			fyne.DoAndWait(func() {})
			s.desk.Wait()
		}
	})
	return s, a
}
