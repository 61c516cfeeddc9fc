package oktasim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// benchOrg is a 100k-user org with 5k groups, built once per benchmark run.
var benchOrg = sync.OnceValues(func() (*Org, error) { return Generate(1, 100_000, 5_000) })

func BenchmarkGenerate100k(b *testing.B) {
	cpu := processCPU()
	for b.Loop() {
		if _, err := Generate(1, 100_000, 5_000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// memberPagePaths lists the first page of every group's members.
func memberPagePaths(o *Org) []string {
	var paths []string
	for _, g := range o.Groups() {
		paths = append(paths, "/api/v1/groups/"+g.ID+"/users?limit=1000")
	}
	return paths
}

// BenchmarkMemberPagesHandler serves every member page of every group of a
// 100k-user org through the handler, without TLS or sockets: the
// simulator's own cost of a full read.
func BenchmarkMemberPagesHandler(b *testing.B) {
	o, err := benchOrg()
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewServer(Options{Org: o, RateLimits: RateLimits{Disabled: true}, APIToken: "bench-token"})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	first := memberPagePaths(o)
	var pages, users, bytes int
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		pages, users, bytes = 0, 0, 0
		for _, path := range first {
			for path != "" {
				req := httptest.NewRequest("GET", "https://127.0.0.1"+path, nil)
				req.Header.Set("Authorization", "SSWS bench-token")
				w := &countingWriter{header: http.Header{}}
				h.ServeHTTP(w, req)
				if w.code != 200 {
					b.Fatalf("%s: %d", path, w.code)
				}
				pages++
				bytes += w.n
				path = nextPath(w.header)
			}
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	for _, g := range o.Groups() {
		users += g.MemberCount
	}
	b.ReportMetric(float64(pages), "pages/op")
	b.ReportMetric(float64(users), "members/op")
	b.ReportMetric(float64(bytes)/1e6, "MB/op")
}

// BenchmarkMemberPagesHTTPS is the same full read over HTTPS with four
// concurrent readers, as a client sees it.
func BenchmarkMemberPagesHTTPS(b *testing.B) {
	o, err := benchOrg()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := Start(ctx, Options{Org: o, RateLimits: RateLimits{Disabled: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	client := sim.Client()
	first := memberPagePaths(o)
	var pages int
	cpu := processCPU()
	for b.Loop() {
		work := make(chan string)
		var mu sync.Mutex
		pages = 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for path := range work {
					for path != "" {
						req, _ := http.NewRequest("GET", sim.URL()+path, nil)
						req.Header.Set("Authorization", "SSWS "+sim.APIToken())
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						mu.Lock()
						pages++
						mu.Unlock()
						path = nextPath(resp.Header)
					}
				}
			})
		}
		for _, p := range first {
			work <- p
		}
		close(work)
		wg.Wait()
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(pages), "pages/op")
}

// countingWriter is a ResponseWriter that keeps only the status, headers
// and body length, so the benchmark measures the handler and not a recorder.
type countingWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *countingWriter) Header() http.Header  { return w.header }
func (w *countingWriter) WriteHeader(code int) { w.code = code }
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	w.n += len(p)
	return len(p), nil
}

// nextPath returns the path and query of the rel="next" link, if any.
func nextPath(h http.Header) string {
	for _, line := range h.Values("Link") {
		if m := linkRe.FindStringSubmatch(line); m != nil && m[2] == "next" {
			if i := indexPath(m[1]); i >= 0 {
				return m[1][i:]
			}
		}
	}
	return ""
}

func indexPath(u string) int {
	const marker = "/api/"
	for i := 0; i+len(marker) <= len(u); i++ {
		if u[i:i+len(marker)] == marker {
			return i
		}
	}
	return -1
}
