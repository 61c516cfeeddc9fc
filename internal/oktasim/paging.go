package oktasim

import (
	"net/http"
	"strconv"
	"sync"
)

// baseURL is the org URL as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// parseLimit reads the limit query parameter: def when absent, capped at max.
func parseLimit(r *http.Request, def, maxLimit int) (int, *apiError) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, errValidation("limit: " + strconv.Quote(v) + " is not a positive whole number")
	}
	return min(n, maxLimit), nil
}

// setLinks writes Okta's Link headers, one line per relation: self for the
// page asked for and, when more results follow, next with the after cursor.
func setLinks(w http.ResponseWriter, r *http.Request, limit int, next string) {
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(limit))
	base := baseURL(r) + r.URL.Path + "?"
	w.Header().Add("Link", "<"+base+q.Encode()+`>; rel="self"`)
	if next != "" {
		q.Set("after", next)
		w.Header().Add("Link", "<"+base+q.Encode()+`>; rel="next"`)
	}
}

// pageBufs recycles the buffers that pages are rendered into.
var pageBufs = sync.Pool{New: func() any { return new([]byte) }}

func getBuf() *[]byte { return pageBufs.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 4<<20 {
		return
	}
	*b = (*b)[:0]
	pageBufs.Put(b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// pageAfter returns the index of the first id greater than after in sorted ids.
func pageAfter(ids []string, after string) int {
	if after == "" {
		return 0
	}
	i, found := searchSorted(ids, after)
	if found {
		i++
	}
	return i
}

func searchSorted(s []string, v string) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s) && s[lo] == v
}
