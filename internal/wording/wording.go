// Package wording words times, durations, sync intervals and runs for
// people: the main window, the tray and the notifications show them ("14:05",
// "12.4s", "in 12 min", "Held for approval", "3 users").
package wording

import (
	"fmt"
	"time"

	"github.com/rolesync/rolesync/internal/store/record"
)

// Time formats t for the window: the time alone when t is today, the
// date and time otherwise; "never" for the zero time.
func Time(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// Duration formats d rounded for reading: 850ms, 12.4s, 3m05s.
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}

// Until says when t comes relative to now: "in 12 min", "now".
func Until(t, now time.Time) string {
	if t.IsZero() {
		return "not scheduled"
	}
	d := t.Sub(now)
	switch {
	case d <= 30*time.Second:
		return Time(t, now) + " (now)"
	case d < time.Hour:
		return fmt.Sprintf("%s (in %d min)", Time(t, now), int(d.Round(time.Minute).Minutes()))
	default:
		return fmt.Sprintf("%s (in %.1f h)", Time(t, now), d.Hours())
	}
}

// RunDuration is how long r took; zero while it is running.
func RunDuration(r record.Run) time.Duration {
	if r.FinishedAt.IsZero() || r.StartedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

// RunChanges counts the changes r made or held.
func RunChanges(r record.Run) int { return r.Created + r.Granted + r.Revoked + r.Held }

// RunResult is r's status in the admin's words.
func RunResult(r record.Run) string {
	switch r.Status {
	case record.StatusSucceeded:
		if r.DryRun {
			return "Dry run"
		}
		return "Succeeded"
	case record.StatusFailed:
		return "Failed"
	case record.StatusHeld:
		return "Held for approval"
	case record.StatusRunning:
		return "Running"
	case record.StatusInterrupted:
		return "Interrupted"
	}
	return r.Status
}

// Plural returns "1 user" or "3 users".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Interval formats a sync interval: "15 minutes", "1 hour", "12 hours".
func Interval(d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return Plural(int(d/time.Hour), "hour", "hours")
	}
	if d >= time.Minute && d%time.Minute == 0 {
		return Plural(int(d/time.Minute), "minute", "minutes")
	}
	return d.String()
}
