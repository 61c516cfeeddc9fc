// Command pack writes rolesync's release artifacts (see package dist):
//
//	go run ./internal/dist/pack winres -out cmd/rolesync/rsrc_windows_amd64.syso
//	go run ./internal/dist/pack tarball -exe bin/dist/rolesync -out dist/rolesync-VERSION-linux-amd64.tar.gz
//
// Both read FyneApp.toml and the icon it names, relative to -root.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/dist"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("name what to make: winres or tarball")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	root := fs.String("root", ".", "the repository, where FyneApp.toml is")
	out := fs.String("out", "", "the file to write")
	exe := fs.String("exe", "", "tarball: the Linux binary to pack")
	version := fs.String("version", "", "the release's version (default: FyneApp.toml's)")
	arch := fs.String("arch", "amd64", "winres: the Windows architecture")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%s: -out is required", args[0])
	}
	m, err := dist.LoadMetadata(filepath.Join(*root, "FyneApp.toml"))
	if err != nil {
		return err
	}
	png, err := os.ReadFile(filepath.Join(*root, m.Details.Icon))
	if err != nil {
		return fmt.Errorf("read the app icon: %w", err)
	}
	switch args[0] {
	case "winres":
		return dist.WindowsResources(*out, m, png, *version, *arch)
	case "tarball":
		return tarball(*out, *exe, m, png, *version)
	}
	return fmt.Errorf("unknown artifact %q: winres or tarball", args[0])
}

func tarball(out, exePath string, m dist.Metadata, png []byte, version string) error {
	if exePath == "" {
		return fmt.Errorf("tarball: -exe is required")
	}
	exe, err := os.ReadFile(exePath)
	if err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	// The tarball's folder is the file's name without .tar.gz.
	root := strings.TrimSuffix(filepath.Base(out), ".tar.gz")
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	defer os.Remove(tmp)
	st, _ := os.Stat(exePath)
	mod := time.Now()
	if st != nil {
		mod = st.ModTime()
	}
	if err := dist.LinuxTarball(f, m, root, exe, png, mod); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	return os.Rename(tmp, out)
}
