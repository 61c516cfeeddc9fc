package shell

import "time"

// rate measures how many changes a second an apply makes, from when it
// began: the first report of the apply.
type rate struct {
	from time.Time
}

// at returns the rate once done changes are applied at now; 0 before a
// second has passed.
func (r *rate) at(done int, now time.Time) float64 {
	if r.from.IsZero() {
		r.from = now
	}
	elapsed := now.Sub(r.from)
	if elapsed < time.Second || done <= 0 {
		return 0
	}
	return float64(done) / elapsed.Seconds()
}
