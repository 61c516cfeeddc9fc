package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"

	"fyne.io/fyne/v2"
)

// TrayState is what the tray icon shows.
type TrayState int

// The tray icon's states.
const (
	TrayIdle    TrayState = iota // idle and fine
	TraySyncing                  // a run is going
	TrayFailed                   // the last run failed
	TrayWaiting                  // revocations wait for approval
)

func (s TrayState) String() string {
	switch s {
	case TraySyncing:
		return "syncing"
	case TrayFailed:
		return "failed"
	case TrayWaiting:
		return "waiting for approval"
	}
	return "idle"
}

// trayIcons are the four tray icons, drawn once at start.
var trayIcons = map[TrayState]fyne.Resource{
	TrayIdle:    drawIcon("rolesync-idle.png", color.NRGBA{0x2e, 0x9e, 0x4f, 0xff}, glyphCheck),
	TraySyncing: drawIcon("rolesync-syncing.png", color.NRGBA{0x1e, 0x6f, 0xd9, 0xff}, glyphArc),
	TrayFailed:  drawIcon("rolesync-failed.png", color.NRGBA{0xd3, 0x2f, 0x2f, 0xff}, glyphCross),
	TrayWaiting: drawIcon("rolesync-waiting.png", color.NRGBA{0xe0, 0x8e, 0x0b, 0xff}, glyphPause),
}

// TrayIcon returns the icon for state s.
func TrayIcon(s TrayState) fyne.Resource { return trayIcons[s] }

const iconSize = 64

// glyph reports whether the white mark covers the point (x, y), with the
// icon's centre at 0,0 and its radius 1.
type glyph func(x, y float64) bool

// distToSegment is the distance from p to the segment a–b.
func distToSegment(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := ((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}

func glyphCheck(x, y float64) bool {
	return distToSegment(x, y, -0.45, 0.0, -0.12, 0.35) < 0.11 ||
		distToSegment(x, y, -0.12, 0.35, 0.45, -0.3) < 0.11
}

func glyphCross(x, y float64) bool {
	return distToSegment(x, y, -0.38, -0.38, 0.38, 0.38) < 0.11 ||
		distToSegment(x, y, -0.38, 0.38, 0.38, -0.38) < 0.11
}

func glyphPause(x, y float64) bool {
	return (math.Abs(x+0.2) < 0.1 || math.Abs(x-0.2) < 0.1) && math.Abs(y) < 0.4
}

// glyphArc is a three-quarter ring: a run going round.
func glyphArc(x, y float64) bool {
	r := math.Hypot(x, y)
	return r > 0.35 && r < 0.55 && !(x > 0 && y < 0)
}

func drawIcon(name string, bg color.NRGBA, mark glyph) fyne.Resource {
	img := image.NewNRGBA(image.Rect(0, 0, iconSize, iconSize))
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for py := range iconSize {
		for px := range iconSize {
			x := (float64(px)+0.5)/iconSize*2 - 1
			y := (float64(py)+0.5)/iconSize*2 - 1
			r := math.Hypot(x, y)
			switch {
			case r > 0.97:
				continue
			case mark(x, y):
				img.SetNRGBA(px, py, white)
			default:
				img.SetNRGBA(px, py, bg)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("ui: encode tray icon: " + err.Error()) // an in-memory NRGBA image always encodes
	}
	return fyne.NewStaticResource(name, buf.Bytes())
}
