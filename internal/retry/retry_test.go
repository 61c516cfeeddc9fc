package retry

import (
	"net/http"
	"testing"
	"time"
)

func TestDelayDoublesAndCaps(t *testing.T) {
	b := Backoff{First: 250 * time.Millisecond, Max: 8 * time.Second, Jitter: None}
	want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
		4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	for _, n := range []int{40, 64, 1 << 20} {
		if got := b.Delay(n); got != 8*time.Second {
			t.Errorf("Delay(%d) = %v, want the cap 8s", n, got)
		}
	}
	if got := b.Delay(0); got != 250*time.Millisecond {
		t.Errorf("Delay(0) = %v, want the first delay", got)
	}
	huge := Backoff{First: time.Duration(1) << 62, Max: time.Hour, Jitter: None}
	if got := huge.Delay(3); got != time.Hour {
		t.Errorf("overflowing Delay = %v, want the cap", got)
	}
}

func TestDelayJitterStaysInRange(t *testing.T) {
	eq := Backoff{First: time.Second, Max: 5 * time.Second}
	full := Backoff{First: time.Second, Max: 5 * time.Second, Jitter: Full}
	for range 200 {
		for n := 1; n <= 5; n++ {
			hi := min(time.Second<<(n-1), 5*time.Second)
			if d := eq.Delay(n); d < hi/2 || d > hi {
				t.Fatalf("equal jitter Delay(%d) = %v, want in [%v, %v]", n, d, hi/2, hi)
			}
			if d := full.Delay(n); d < 0 || d >= hi {
				t.Fatalf("full jitter Delay(%d) = %v, want in [0, %v)", n, d, hi)
			}
		}
	}
	wild := Backoff{First: time.Second, Max: 2 * time.Second, Jitter: func(d time.Duration) time.Duration { return 10 * d }}
	if d := wild.Delay(1); d != 2*time.Second {
		t.Fatalf("a jitter past the cap gave %v, want the cap", d)
	}
	if Full(0) != 0 || Full(-time.Second) != 0 || Equal(0) != 0 || Equal(1) != 1 {
		t.Fatal("jitter of a zero or tiny delay is not that delay")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	limit := time.Minute
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
		{"0", 0, true},
		{" 7 ", 7 * time.Second, true},
		{"3600", time.Minute, true},
		{"99999999999999999", time.Minute, true},
		{now.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Minute, true},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.value, now, limit)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}
