package report

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/cputime"
	"github.com/rolesync/rolesync/internal/store"
)

// procStatusKB reads a "Name: N kB" line of /proc/self/status; 0 when the
// file or the line is missing (not Linux).
func procStatusKB(name string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// rssMeter follows the process's memory while a benchmark runs: the kernel's
// peak resident set (VmHWM, reset at start; it includes the database pages
// SQLite reads through mmap) and, sampled every few milliseconds, the peak
// anonymous resident memory (heap and stacks, without mapped files).
type rssMeter struct {
	stop     chan struct{}
	wg       sync.WaitGroup
	peakAnon int64
}

func startRSS() *rssMeter {
	debug.FreeOSMemory() // start from the live heap, not the garbage of the fill
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m := &rssMeter{stop: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			m.peakAnon = max(m.peakAnon, procStatusKB("RssAnon"))
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *rssMeter) report(b *testing.B) {
	close(m.stop)
	m.wg.Wait()
	b.ReportMetric(float64(procStatusKB("VmHWM"))/1024, "peak-rss-MB")
	b.ReportMetric(float64(m.peakAnon)/1024, "peak-anon-MB")
}

// cpuTime is the processor time the process has used, user and system.
func cpuTime() time.Duration { return cputime.Used() }

// benchExport exports the whole history in format f once per iteration. It
// reports the processor time per export besides the wall time, since the
// wall time of a loaded machine says little.
func benchExport(b *testing.B, st *store.Store, f Format, want int64) {
	ctx := context.Background()
	m := startRSS()
	cpu0 := cpuTime()
	var bytesOut int64
	for b.Loop() {
		var w countingWriter
		var done int64
		err := Export(ctx, st, &w, Options{Format: f, Now: fixedNow, Progress: func(d, _ int64) { done = d }})
		if err != nil || done != want {
			b.Fatalf("exported %d of %d changes: %v", done, want, err)
		}
		bytesOut = w.n
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	m.report(b)
	b.ReportMetric(float64(bytesOut)/(1<<20), "out-MB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*want), "ns/change")
}

// BenchmarkExport1M builds a history of 1,000,000 changes once (1,000 runs
// of 1,000), then exports all of it.
func BenchmarkExport1M(b *testing.B) {
	st := openStore(b)
	start := time.Now()
	fillHistory(b, st, 1000, 1000)
	b.Logf("filled 1,000,000 changes in %v", time.Since(start))
	// The floor: reading the rows from the store and doing nothing else.
	b.Run("store-read", func(b *testing.B) {
		m := startRSS()
		cpu0 := cpuTime()
		for b.Loop() {
			n := 0
			if err := st.EachChange(context.Background(), store.ChangeFilter{}, func(store.Change) error { n++; return nil }); err != nil || n != 1_000_000 {
				b.Fatalf("read %d changes: %v", n, err)
			}
		}
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		m.report(b)
	})
	for _, f := range []Format{FormatCSV, FormatJSONL, FormatHTML} {
		b.Run(string(f), func(b *testing.B) { benchExport(b, st, f, 1_000_000) })
	}
}

// BenchmarkExportPDF10k exports 10,000 changes (10 runs of 1,000) to PDF.
func BenchmarkExportPDF10k(b *testing.B) {
	st := openStore(b)
	fillHistory(b, st, 10, 1000)
	benchExport(b, st, FormatPDF, 10_000)
}
