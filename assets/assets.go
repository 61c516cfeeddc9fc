// Package assets holds the files the app ships inside its binary: the app icon.
package assets

import (
	_ "embed"
)

// IconPNG is the 512×512 app icon.
//
//go:embed icon.png
var IconPNG []byte
