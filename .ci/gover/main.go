// Command gover exits non-zero when the Go toolchain is older than the one
// rolesync needs, so that make can say so in plain words.
package main

import (
	"go/version"
	"os"
	"runtime"
)

func main() {
	if version.Compare(runtime.Version(), "go1.26") < 0 {
		os.Exit(1)
	}
}
