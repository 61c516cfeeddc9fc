package autostart

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Shell link (.lnk) layout, from Microsoft's [MS-SHLLINK] specification.
const (
	lnkHeaderSize = 0x4c

	lnkHasLinkInfo   = 0x00000002
	lnkHasName       = 0x00000004
	lnkHasWorkingDir = 0x00000010
	lnkIsUnicode     = 0x00000080

	lnkVolumeIDAndLocalBasePath = 0x1
	lnkLinkInfoHeaderUnicode    = 0x24 // the header with the Unicode offsets
	lnkDriveFixed               = 3
	lnkShowNormal               = 1
	lnkAttributeNormal          = 0x80
)

// lnkCLSID is the shell link class id 00021401-0000-0000-C000-000000000046
// as the header stores it.
var lnkCLSID = [16]byte{0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// shellLink returns a .lnk that starts the program at target, an absolute
// local path such as C:\Program Files\rolesync\rolesync.exe, in its own
// folder. The target is given by a LinkInfo with a local base path (in
// both the ANSI and the Unicode field), which Windows resolves without an
// item id list; the description is "rolesync".
func shellLink(target string) ([]byte, error) {
	if !isAbs("windows", target) || strings.HasPrefix(target, `\\`) {
		return nil, fmt.Errorf("autostart: %q is not a local Windows path such as C:\\Program Files\\rolesync\\rolesync.exe", target)
	}
	target = strings.ReplaceAll(target, "/", `\`)
	if len(utf16.Encode([]rune(target))) > 0x7fff {
		return nil, fmt.Errorf("autostart: the program path is too long for a shell link")
	}
	dir := target[:strings.LastIndexByte(target, '\\')]
	if len(dir) == 2 { // C: alone is the drive's current folder, not its root
		dir += `\`
	}

	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }

	// ShellLinkHeader.
	le(uint32(lnkHeaderSize))
	b.Write(lnkCLSID[:])
	le(uint32(lnkHasLinkInfo | lnkHasName | lnkHasWorkingDir | lnkIsUnicode))
	le(uint32(lnkAttributeNormal))
	le([3]uint64{}) // creation, access and write times: unknown
	le(uint32(0))   // file size
	le(int32(0))    // icon index
	le(uint32(lnkShowNormal))
	le(uint16(0)) // hot key
	le(uint16(0)) // reserved
	le(uint64(0)) // reserved

	// LinkInfo: the volume and the local base path.
	volume := []byte{0x11, 0, 0, 0, lnkDriveFixed, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0} // size, type, serial, label offset, empty label
	ansi := append(ansiBytes(target), 0)
	wide := utf16z(target)
	suffix := []byte{0}        // the common path suffix: empty
	suffixWide := []byte{0, 0} // and in Unicode
	volOff := uint32(lnkLinkInfoHeaderUnicode)
	baseOff := volOff + uint32(len(volume))
	suffixOff := baseOff + uint32(len(ansi))
	baseWideOff := suffixOff + uint32(len(suffix))
	suffixWideOff := baseWideOff + uint32(len(wide))
	size := suffixWideOff + uint32(len(suffixWide))
	le(size)
	le(uint32(lnkLinkInfoHeaderUnicode))
	le(uint32(lnkVolumeIDAndLocalBasePath))
	le(volOff)
	le(baseOff)
	le(uint32(0)) // no network relative link
	le(suffixOff)
	le(baseWideOff)
	le(suffixWideOff)
	b.Write(volume)
	b.Write(ansi)
	b.Write(suffix)
	b.Write(wide)
	b.Write(suffixWide)

	// StringData, in the specification's order: name, then working dir.
	for _, s := range []string{"rolesync", dir} {
		u := utf16.Encode([]rune(s))
		le(uint16(len(u)))
		le(u)
	}
	le(uint32(0)) // the terminal block: no extra data
	return b.Bytes(), nil
}

// ansiBytes is s in the ANSI field, which only non-Unicode readers use:
// ASCII as is, anything else as '?'.
func ansiBytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// utf16z is s in UTF-16LE with a terminating NUL.
func utf16z(s string) []byte {
	u := append(utf16.Encode([]rune(s)), 0)
	out := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out
}
