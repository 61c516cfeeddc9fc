package okta

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTruncatedGroupReadFails reads a group whose statistics count 1,500
// members while its member listing stops after one page of 1,000 (no
// rel="next" link): the read must fail and name the group.
func TestTruncatedGroupReadFails(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 1500)...)
	f.addGroup(gid(2), "Small", uid(1))
	f.noNext = true
	s, err := f.client(t, nil).Snapshot(context.Background(), []string{"Engineering", "Small"})
	if s != nil || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Snapshot = %v, %v; want ErrIncomplete", s, err)
	}
	for _, want := range []string{"Engineering", gid(1), "1500", "1000"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to name %q", err, want)
		}
	}
}

// TestGroupReadShortByAFewPasses removes members while the group is read:
// a count short of the statistics by a few is a change during the read,
// not a truncated listing.
func TestGroupReadShortByAFewPasses(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 1500)...)
	var once sync.Once
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/users") {
			once.Do(func() {
				f.mu.Lock()
				f.groups[0].Members = f.groups[0].Members[:1497]
				f.mu.Unlock()
			})
		}
		return false
	}
	s, err := f.client(t, nil).Snapshot(context.Background(), []string{"Engineering"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Groups["Engineering"].MemberIDs); n != 1497 {
		t.Fatalf("read %d members, want 1497", n)
	}
}

func TestMemberCountShortfall(t *testing.T) {
	tests := []struct {
		read, counted int
		ok            bool
	}{
		{0, 0, true},
		{5, 3, true}, // members added during the read
		{1000, 1500, false},
		{1497, 1500, true},
		{1480, 1500, false},
		{98, 100, true},
		{97, 100, false},
		{0, 1, true},
		{0, 3, false},
		{99_500, 100_000, true},
		{99_499, 100_000, false},
		{99_000, 100_000, false}, // one page of 1,000 missing
	}
	for _, tt := range tests {
		err := checkMemberCount(tt.read, tt.counted)
		if (err == nil) != tt.ok {
			t.Errorf("checkMemberCount(%d, %d) = %v, want ok %v", tt.read, tt.counted, err, tt.ok)
		}
	}
}

// TestDeltaTruncatedGroupReadFails re-reads a changed group in a delta
// read whose listing stops after one page: the changed groups' listing
// carries their member counts, so the short read fails as in Snapshot.
func TestDeltaTruncatedGroupReadFails(t *testing.T) {
	ctx := context.Background()
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 1500)...)
	clock := newStepClock()
	c := f.client(t, func(o *Options) { o.Clock = clock })
	prev, err := c.Snapshot(ctx, []string{"Engineering"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Sleep(ctx, 15*time.Minute)
	f.addGroup(gid(2), "Other", uid(1600))
	f.mutate(func() {
		f.groups[0].Members = append(f.groups[0].Members, uid(1600))
		f.groups[0].LMU = clock.Now()
		f.noNext = true
	})
	f.event("group.user_membership.add", uid(1600), gid(1), clock.Now())
	s, err := c.SnapshotDelta(ctx, []string{"Engineering"}, prev)
	if s != nil || !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "Engineering") {
		t.Fatalf("SnapshotDelta = %v, %v; want ErrIncomplete naming Engineering", s, err)
	}
}
