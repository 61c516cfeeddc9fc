package okta

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"
)

// sameSnapshot fails unless a and b hold the same groups, members and users.
func sameSnapshot(t *testing.T, got, want *Snapshot) {
	t.Helper()
	if len(got.Groups) != len(want.Groups) || !slices.Equal(got.Missing, want.Missing) {
		t.Fatalf("groups %d missing %v, want %d missing %v", len(got.Groups), got.Missing, len(want.Groups), want.Missing)
	}
	for ref, wg := range want.Groups {
		gg := got.Groups[ref]
		if gg == nil || gg.ID != wg.ID || gg.Name != wg.Name || !gg.LastMembershipUpdated.Equal(wg.LastMembershipUpdated) {
			t.Fatalf("group %q = %+v, want %+v", ref, gg, wg)
		}
		a, b := slices.Clone(gg.MemberIDs), slices.Clone(wg.MemberIDs)
		sort.Strings(a)
		sort.Strings(b)
		if !slices.Equal(a, b) {
			t.Fatalf("group %q members = %v, want %v", ref, a, b)
		}
	}
	if len(got.Users) != len(want.Users) {
		t.Fatalf("%d users, want %d", len(got.Users), len(want.Users))
	}
	for id, wu := range want.Users {
		if gu := got.Users[id]; gu == nil || *gu != *wu {
			t.Fatalf("user %s = %+v, want %+v", id, gu, wu)
		}
	}
}

func (f *orgFake) event(eventType, userID, groupID string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	target := []map[string]any{{"id": userID, "type": "User"}}
	if groupID != "" {
		target = append(target, map[string]any{"id": groupID, "type": "UserGroup"})
	}
	f.events = append(f.events, map[string]any{"eventType": eventType, "published": at.UTC().Format(time.RFC3339Nano), "target": target})
}

func (f *orgFake) mutate(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func TestSnapshotDelta(t *testing.T) {
	refs := []string{"Engineering", "Auditors", "Admins"}
	setup := func(t *testing.T) (*orgFake, *Client, *stepClock, *Snapshot) {
		f := newOrgFake(t)
		f.addGroup(gid(1), "Engineering", ids(uid, 0, 1500)...)
		f.addGroup(gid(2), "Auditors", ids(uid, 1400, 1410)...)
		f.addGroup(gid(3), "Admins", uid(1), uid(2))
		clock := newStepClock()
		c := f.client(t, func(o *Options) { o.Clock = clock })
		prev, err := c.Snapshot(context.Background(), refs)
		if err != nil {
			t.Fatal(err)
		}
		clock.Sleep(context.Background(), 15*time.Minute) // the next run
		return f, c, clock, prev
	}
	ctx := context.Background()

	t.Run("nothing changed", func(t *testing.T) {
		f, c, _, prev := setup(t)
		got, err := c.SnapshotDelta(ctx, refs, prev)
		if err != nil {
			t.Fatal(err)
		}
		if got.APICalls != 2 {
			t.Fatalf("APICalls = %d, want 2 (System Log, changed groups): %v", got.APICalls, f.requestLog()[len(f.requestLog())-got.APICalls:])
		}
		sameSnapshot(t, got, prev)
	})

	t.Run("a member added", func(t *testing.T) {
		f, c, clock, prev := setup(t)
		f.mutate(func() {
			f.groups[1].Members = append(f.groups[1].Members, uid(1))
			f.groups[1].LMU = clock.Now()
		})
		f.event("group.user_membership.add", uid(1), gid(2), clock.Now())
		got, err := c.SnapshotDelta(ctx, refs, prev)
		if err != nil {
			t.Fatal(err)
		}
		if got.APICalls != 3 {
			t.Fatalf("APICalls = %d, want 3 (log, changed groups, one page of Auditors)", got.APICalls)
		}
		full, err := c.Snapshot(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, full)
	})

	t.Run("a member suspended", func(t *testing.T) {
		f, c, clock, prev := setup(t)
		f.mutate(func() {
			u := f.users[uid(5)]
			u.Status, u.LastUpdated = StatusSuspended, clock.Now().Truncate(time.Millisecond)
			f.users[uid(5)] = u
		})
		f.event("user.lifecycle.suspend", uid(5), "", clock.Now())
		got, err := c.SnapshotDelta(ctx, refs, prev)
		if err != nil {
			t.Fatal(err)
		}
		if got.Users[uid(5)].Status != StatusSuspended {
			t.Fatalf("user 5 is %s, want SUSPENDED", got.Users[uid(5)].Status)
		}
		if got.APICalls != 3 {
			t.Fatalf("APICalls = %d, want 3 (log, changed groups, the user)", got.APICalls)
		}
		full, err := c.Snapshot(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, full)
		// Old events the previous snapshot already reflects cost nothing.
		again, err := c.SnapshotDelta(ctx, refs, got)
		if err != nil || again.APICalls != 2 {
			t.Fatalf("next delta: %v calls, %v; want 2", again.APICalls, err)
		}
	})

	t.Run("group deleted and another added", func(t *testing.T) {
		f, c, clock, prev := setup(t)
		f.mutate(func() { f.groups = f.groups[:2] })
		f.event("group.lifecycle.delete", "", gid(3), clock.Now())
		f.addGroup(gid(4), "Contractors", uid(3000))
		f.event("group.lifecycle.create", "", gid(4), clock.Now())
		refs2 := []string{"Engineering", "Auditors", "Admins", "Contractors"}
		got, err := c.SnapshotDelta(ctx, refs2, prev)
		if err != nil {
			t.Fatal(err)
		}
		full, err := c.Snapshot(ctx, refs2)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, full)
		if !slices.Equal(got.Missing, []string{"Admins"}) {
			t.Fatalf("missing = %v", got.Missing)
		}
	})

	t.Run("no change feed granted reads in full", func(t *testing.T) {
		f, c, _, prev := setup(t)
		f.mutate(func() { f.logsCode = 403 })
		got, err := c.SnapshotDelta(ctx, refs, prev)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, prev)
		// log (403) + users search (403) + a full read
		full, _ := c.Snapshot(ctx, refs)
		if got.APICalls != 2+full.APICalls {
			t.Fatalf("APICalls = %d, want 2 + %d", got.APICalls, full.APICalls)
		}
		// The client remembers: the next delta does not ask again.
		again, err := c.SnapshotDelta(ctx, refs, got)
		if err != nil || again.APICalls != full.APICalls {
			t.Fatalf("next delta: %d calls, %v; want %d", again.APICalls, err, full.APICalls)
		}
	})
}
