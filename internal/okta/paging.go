package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// link is one entry of a Link header (RFC 8288).
type link struct {
	URL string
	Rel []string
}

// parseLinks reads every Link header line; a line may also hold several
// comma-separated links.
func parseLinks(h http.Header) ([]link, error) {
	var links []link
	for _, line := range h.Values("Link") {
		s := strings.TrimSpace(line)
		for s != "" {
			if s[0] != '<' {
				return nil, fmt.Errorf("%w: Link header %q: expected <url>", ErrMalformed, line)
			}
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil, fmt.Errorf("%w: Link header %q: unterminated <url>", ErrMalformed, line)
			}
			l := link{URL: s[1:end]}
			s = s[end+1:]
			// Parameters up to the next comma outside quotes.
			for {
				s = strings.TrimLeft(s, " \t")
				if s == "" || s[0] == ',' {
					s = strings.TrimLeft(strings.TrimPrefix(s, ","), " \t")
					break
				}
				if s[0] != ';' {
					return nil, fmt.Errorf("%w: Link header %q: expected ';' or ','", ErrMalformed, line)
				}
				s = strings.TrimLeft(s[1:], " \t")
				name, value, rest := parseParam(s)
				s = rest
				if strings.EqualFold(name, "rel") {
					l.Rel = append(l.Rel, strings.Fields(strings.ToLower(value))...)
				}
			}
			links = append(links, l)
		}
	}
	return links, nil
}

// parseParam reads name=value or name="value" and returns the rest.
func parseParam(s string) (name, value, rest string) {
	i := strings.IndexAny(s, "=;,")
	if i < 0 {
		return strings.TrimSpace(s), "", ""
	}
	name = strings.TrimSpace(s[:i])
	if s[i] != '=' {
		return name, "", s[i:]
	}
	s = strings.TrimLeft(s[i+1:], " \t")
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				if j+1 < len(s) {
					j++
					b.WriteByte(s[j])
				}
			case '"':
				return name, b.String(), s[j+1:]
			default:
				b.WriteByte(s[j])
			}
		}
		return name, b.String(), ""
	}
	j := strings.IndexAny(s, ";,")
	if j < 0 {
		return name, strings.TrimSpace(s), ""
	}
	return name, strings.TrimSpace(s[:j]), s[j:]
}

// nextCursor returns the after cursor of the rel="next" link, or "" on the
// last page. The next link's host is not followed: Okta names its own host
// there, which differs behind a custom domain or a proxy, so the cursor is
// applied to the client's own org URL.
func nextCursor(h http.Header) (string, error) {
	links, err := parseLinks(h)
	if err != nil {
		return "", err
	}
	for _, l := range links {
		for _, rel := range l.Rel {
			if rel != "next" {
				continue
			}
			u, err := url.Parse(l.URL)
			if err != nil {
				return "", fmt.Errorf("%w: next link %q: %v", ErrMalformed, l.URL, err)
			}
			after := u.Query().Get("after")
			if after == "" {
				return "", fmt.Errorf("%w: next link %q has no after cursor", ErrMalformed, l.URL)
			}
			return after, nil
		}
	}
	return "", nil
}

// eachPage calls fetch for the first page and for every page after it,
// following the after cursor, and stops at the last page, at the first
// error, or when ctx is done. fetch returns the page's headers.
func eachPage(ctx context.Context, what string, fetch func(ctx context.Context, after string) (http.Header, error)) error {
	after := ""
	seen := map[string]bool{}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := fetch(ctx, after)
		if err != nil {
			return err
		}
		next, err := nextCursor(h)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if next == "" {
			return nil
		}
		if seen[next] {
			return fmt.Errorf("%w: %s: Okta returned the page cursor %q twice", ErrMalformed, what, next)
		}
		seen[next] = true
		after = next
	}
}
