package autostart

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// link is what a shell link reader takes from a .lnk.
type link struct {
	target, ansiTarget, name, workDir string
	show                              uint32
}

// readLink parses data as [MS-SHLLINK] lays a link out, failing t on any
// structure that a Windows reader would refuse.
func readLink(t *testing.T, data []byte) link {
	t.Helper()
	u32 := func(off int) uint32 {
		if off+4 > len(data) {
			t.Fatalf("read past the end at %d", off)
		}
		return binary.LittleEndian.Uint32(data[off:])
	}
	if u32(0) != 0x4c || !bytes.Equal(data[4:20], lnkCLSID[:]) {
		t.Fatalf("bad header size or class id: % x", data[:20])
	}
	flags := u32(20)
	if flags != lnkHasLinkInfo|lnkHasName|lnkHasWorkingDir|lnkIsUnicode {
		t.Fatalf("flags %#x", flags)
	}
	var l link
	l.show = u32(60)
	off := 0x4c
	// LinkInfo.
	size, hdr := int(u32(off)), u32(off+4)
	if hdr != 0x24 || u32(off+8) != lnkVolumeIDAndLocalBasePath || u32(off+20) != 0 {
		t.Fatalf("link info header %#x, flags %#x, network offset %d", hdr, u32(off+8), u32(off+20))
	}
	info := data[off : off+size]
	vol := int(u32(off + 12))
	if vs := binary.LittleEndian.Uint32(info[vol:]); vs <= 0x10 || vol+int(vs) > size {
		t.Fatalf("volume id size %d", vs)
	}
	cstr := func(at int) string {
		end := bytes.IndexByte(info[at:], 0)
		if end < 0 {
			t.Fatalf("unterminated string at %d", at)
		}
		return string(info[at : at+end])
	}
	wstr := func(at int) string {
		var u []uint16
		for ; ; at += 2 {
			c := binary.LittleEndian.Uint16(info[at:])
			if c == 0 {
				return string(utf16.Decode(u))
			}
			u = append(u, c)
		}
	}
	l.ansiTarget = cstr(int(u32(off + 16)))
	if s := cstr(int(u32(off + 24))); s != "" {
		t.Errorf("common path suffix %q", s)
	}
	l.target = wstr(int(u32(off + 28)))
	if s := wstr(int(u32(off + 32))); s != "" {
		t.Errorf("unicode common path suffix %q", s)
	}
	off += size
	// StringData: counted UTF-16 strings.
	str := func() string {
		n := int(binary.LittleEndian.Uint16(data[off:]))
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(data[off+2+2*i:])
		}
		off += 2 + 2*n
		return string(utf16.Decode(u))
	}
	l.name, l.workDir = str(), str()
	if u32(off) != 0 || off+4 != len(data) {
		t.Fatalf("no terminal block, or %d bytes after it", len(data)-off-4)
	}
	return l
}

func TestShellLink(t *testing.T) {
	cases := []struct{ in, target, ansi, dir string }{
		{`C:\Program Files\rolesync\rolesync.exe`, `C:\Program Files\rolesync\rolesync.exe`, `C:\Program Files\rolesync\rolesync.exe`, `C:\Program Files\rolesync`},
		{`C:\rolesync.exe`, `C:\rolesync.exe`, `C:\rolesync.exe`, `C:\`},
		{`d:/apps/rolesync.exe`, `d:\apps\rolesync.exe`, `d:\apps\rolesync.exe`, `d:\apps`},
		{`C:\Users\Zoë\Åpps\rolesync.exe`, `C:\Users\Zoë\Åpps\rolesync.exe`, `C:\Users\Zo?\?pps\rolesync.exe`, `C:\Users\Zoë\Åpps`},
		{`C:\用户\rolesync.exe`, `C:\用户\rolesync.exe`, `C:\??\rolesync.exe`, `C:\用户`},
	}
	for _, c := range cases {
		data, err := shellLink(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		l := readLink(t, data)
		want := link{target: c.target, ansiTarget: c.ansi, name: "rolesync", workDir: c.dir, show: lnkShowNormal}
		if l != want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.in, l, want)
		}
	}
	for _, bad := range []string{`rolesync.exe`, `\\server\share\rolesync.exe`, `/usr/bin/rolesync`, ``} {
		if _, err := shellLink(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
