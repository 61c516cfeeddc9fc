package oktasim

import (
	"net/url"
	"testing"
	"time"
)

// TestLogDelay: with a System Log delay, fresh events are not shown yet,
// and events show out of published order.
func TestLogDelay(t *testing.T) {
	sim := startSim(t, Options{Fixture: "../../testdata/oktasim/small.yaml"})
	org := sim.Org()
	bob, _ := org.User("bob.builder@example.com")
	since := formatTime(time.Now().UTC().Add(-time.Second))
	mustNil(t, org.Lifecycle(bob.ID, LifecycleSuspend))
	until := formatTime(time.Now().UTC().Add(time.Hour))
	count := func() int {
		t.Helper()
		r := call(t, sim, "GET", "/api/v1/logs?"+url.Values{"since": {since}, "until": {until}}.Encode(), "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		return len(decode[[]logEventJSON](t, r))
	}
	sim.SetLogDelay(time.Hour)
	if n := count(); n != 0 {
		t.Fatalf("%d events shown within the delay, want 0", n)
	}
	sim.SetLogDelay(0)
	if n := count(); n != 1 {
		t.Fatalf("%d events shown without a delay, want 1", n)
	}

	// A later event may become visible before an earlier one.
	t0 := time.Now()
	outOfOrder := false
	for seq := 1; seq < 20 && !outOfOrder; seq++ {
		a := &logEvent{seq: seq, published: t0}
		b := &logEvent{seq: seq + 1, published: t0.Add(time.Second)}
		outOfOrder = visibleAt(b, time.Minute).Before(visibleAt(a, time.Minute))
	}
	if !outOfOrder {
		t.Fatal("events always show in published order")
	}
}
