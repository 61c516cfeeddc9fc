// Package buildinfo says which build of rolesync is running: its version,
// the commit it was built from and when. Release builds set the three
// variables with -ldflags "-X"; other builds read what the Go toolchain
// stamped into the binary (the module version and the VCS settings).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time by release builds, for example:
//
//	-ldflags "-X github.com/rolesync/rolesync/internal/buildinfo.Version=v0.2.0"
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is one build's identity.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	// Modified is true when the work tree had uncommitted changes.
	Modified  bool   `json:"modified"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Read returns the running build's identity: the linker's values where set,
// else the toolchain's build information, else "devel" and "unknown".
func Read() Info {
	in := Info{Version: Version, Commit: Commit, Date: Date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if in.Commit == "" {
					in.Commit = s.Value
				}
			case "vcs.time":
				if in.Date == "" {
					in.Date = s.Value
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	if in.Commit == "" {
		in.Commit = "unknown"
	}
	if in.Date == "" {
		in.Date = "unknown"
	}
	return in
}

// String is the one line `rolesync version` prints.
func (in Info) String() string {
	commit := in.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if in.Modified {
		commit += "-dirty"
	}
	return fmt.Sprintf("rolesync %s (commit %s, built %s, %s, %s)", in.Version, commit, in.Date, in.GoVersion, in.Platform)
}
