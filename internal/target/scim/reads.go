package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// list reads every resource at path matching filter (empty: all), in the
// provider's order, with pages as large as maxResults allows. When the
// first page announces totalResults, the other pages are read
// concurrently, up to the client's concurrency; should they not add up
// (the resources changed meanwhile), they are read again one after the
// other.
func (c *Client) list(ctx context.Context, path, filter string) ([]json.RawMessage, error) {
	spc, err := c.config(ctx)
	if err != nil {
		return nil, err
	}
	first, err := c.page(ctx, path, filter, 1, spc.pageSize())
	if err != nil {
		return nil, err
	}
	step := len(first.Resources)
	if step == 0 || step >= first.TotalResults {
		return complete(path, first.Resources, first.TotalResults)
	}
	rest, ok, err := c.pages(ctx, path, filter, step, first.TotalResults)
	if err != nil {
		return nil, err
	}
	if ok {
		return append(first.Resources, rest...), nil
	}
	c.log.Debug("scim pages did not add up; reading them one after the other", "path", path)
	return c.listInTurn(ctx, path, filter, spc.pageSize())
}

// page reads the page of count resources from start.
func (c *Client) page(ctx context.Context, path, filter string, start, count int) (listReply, error) {
	q := url.Values{}
	q.Set("startIndex", strconv.Itoa(start))
	q.Set("count", strconv.Itoa(count))
	if filter != "" {
		q.Set("filter", filter)
	}
	var page listReply
	_, err := c.do(ctx, http.MethodGet, path, q, nil, "", &page)
	return page, err
}

// pages reads the pages of step resources after the first of total, up to
// the client's concurrency at once. ok says every page but the last held
// step resources and the last the rest.
func (c *Client) pages(ctx context.Context, path, filter string, step, total int) (rest []json.RawMessage, ok bool, err error) {
	n := (total - 1) / step // pages after the first
	got := make([][]json.RawMessage, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	slots := make(chan struct{}, c.conc)
	// A batch's worker holds c.mu through the read: the pages' requests
	// must not let go of it.
	ctx = context.WithValue(ctx, workerKey{}, nil)
	for i := range n {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			p, err := c.page(ctx, path, filter, 1+(i+1)*step, step)
			got[i], errs[i] = p.Resources, err
		}()
	}
	wg.Wait()
	rest = make([]json.RawMessage, 0, total-step)
	for i := range n {
		if errs[i] != nil {
			return nil, false, errs[i]
		}
		if want := min(step, total-(i+1)*step); len(got[i]) != want {
			return nil, false, nil
		}
		rest = append(rest, got[i]...)
	}
	return rest, true, nil
}

// listInTurn reads the pages one after the other, each from where the
// last ended.
func (c *Client) listInTurn(ctx context.Context, path, filter string, count int) ([]json.RawMessage, error) {
	var all []json.RawMessage
	start := 1
	for {
		page, err := c.page(ctx, path, filter, start, count)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Resources...)
		if len(page.Resources) == 0 || len(all) >= page.TotalResults {
			return complete(path, all, page.TotalResults)
		}
		start += len(page.Resources)
	}
}

// complete returns all unless the provider announced more resources.
func complete(path string, all []json.RawMessage, total int) ([]json.RawMessage, error) {
	if len(all) < total {
		return nil, fmt.Errorf("scim: GET %s: the provider announced %d resources but returned %d; the read is incomplete", path, total, len(all))
	}
	return all, nil
}
