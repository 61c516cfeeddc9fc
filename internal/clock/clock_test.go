package clock

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestRealSleepWaitsOrStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Clock = Real{}
		start := c.Now()
		if err := c.Sleep(context.Background(), time.Minute); err != nil {
			t.Fatalf("Sleep: %v", err)
		}
		if got := c.Now().Sub(start); got != time.Minute {
			t.Fatalf("slept %v, want 1m", got)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-c.After(time.Second); cancel() }()
		if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Fatalf("Sleep after cancel = %v, want context.Canceled", err)
		}
		if got := c.Now().Sub(start); got != time.Minute+time.Second {
			t.Fatalf("cancelled sleep ended at +%v, want +1m1s", got)
		}
		if err := c.Sleep(context.Background(), 0); err != nil {
			t.Fatalf("Sleep(0) = %v", err)
		}
	})
}
