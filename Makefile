# rolesync: build, test and run.
#
#   make demo     build the app and open it against the built-in simulated Okta org
#   make test     vet, unit tests (CGO_ENABLED=0), the desktop build and its Xvfb smoke
#                 test, the Windows build and the Windows and macOS cross-checks
#   make windows  cross-build bin/rolesync.exe (needs gcc-mingw-w64-x86-64)
#   make dist     release artifacts in dist/: the Linux tarball and the Windows .exe
#   make screenshots  retake the README's screenshots of the main window from the real app (Xvfb)
#
# Everything under internal/ and ui/ builds without cgo; only cmd/rolesync needs
# cgo and the OpenGL/X11 headers, which `make deps` installs on Debian/Ubuntu.

GO        ?= go
GOFLAGS   ?=
TAGS      ?= migrated_fynedo
BIN       := bin
DATA_DIR  ?= $(CURDIR)/.data/demo
TEST_ENV  := DBUS_SESSION_BUS_ADDRESS=disabled: LANG=en_US.UTF-8
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOCYCLO     := github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
# The vulnerability database: a dated snapshot of Go's vulnerability reports,
# fetched from the module proxy and indexed locally (no other host is needed).
# Bump the version to check against newer reports.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULNDB      := $(CURDIR)/.cache/vulndb/$(VULNDB_VERSION)

# Debian packages: the cgo build of the desktop app, and the headless desktop tests.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PKGS  := xvfb xauth x11-utils imagemagick xdotool dbus dbus-x11 \
              haskell-status-notifier-item-utils poppler-utils locales

WIN_PKGS   := gcc-mingw-w64-x86-64
WIN_CC     := x86_64-w64-mingw32-gcc

comma := ,

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# A build's identity for `rolesync version`: the tag when HEAD has one, else
# FyneApp.toml's version; the commit and its date (reproducible, unlike now).
APP_VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
VERSION     ?= $(shell git describe --tags --exact-match 2>/dev/null || echo $(APP_VERSION))
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILD_DATE  ?= $(shell git log -1 --format=%cI 2>/dev/null)
BI          := github.com/rolesync/rolesync/internal/buildinfo
LDFLAGS_X   := -X $(BI).Version=$(VERSION) -X $(BI).Commit=$(COMMIT) -X $(BI).Date=$(BUILD_DATE)
WINRES      := cmd/rolesync/rsrc_windows_amd64.syso

.PHONY: all build demo run test unit vet lint vulncheck bench bench-sync deps deps-build deps-test deps-windows check-go smoke cli-smoke tray-e2e screenshots \
        windows windows-check darwin-check cross dist clean

all: build

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go is not installed: install Go 1.26 from https://go.dev/dl/ and put it on PATH"; exit 1; }
	@$(GO) run ./.ci/gover >/dev/null 2>&1 || { echo "rolesync needs Go 1.26 or newer; found: $$($(GO) version)"; exit 1; }

# apt_install installs the Debian packages $(1) that are missing, through
# sudo when not root; without apt-get it prints $(2) and the packages.
define apt_install
	missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing:$$missing"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; \
	  else echo "$(2)$$missing"; exit 1; fi; \
	fi
endef

# deps-build installs what the cgo build needs when it is missing.
deps-build:
	@if [ "$$(uname -s)" = Darwin ]; then \
	  xcode-select -p >/dev/null 2>&1 || { echo "Install the Xcode command line tools: xcode-select --install"; exit 1; }; exit 0; \
	fi; \
	$(call apt_install,$(BUILD_PKGS),Install these packages (or your distribution's equivalents):)

# deps-test installs what the headless desktop tests need when it is missing.
deps-test:
	@$(call apt_install,$(TEST_PKGS),Install these packages (or your distribution's equivalents):)

# deps-windows installs the MinGW-w64 C compiler the Windows cgo build needs.
deps-windows:
	@$(call apt_install,$(WIN_PKGS),Install the MinGW-w64 cross compiler ($(WIN_CC))$(comma) e.g. Debian's)

deps: deps-build deps-test deps-windows

build: check-go deps-build
	CGO_ENABLED=1 $(GO) build $(GOFLAGS) -tags $(TAGS) -ldflags "$(LDFLAGS_X)" -o $(BIN)/rolesync ./cmd/rolesync
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(BIN)/oktasim ./cmd/oktasim

demo: build
	$(TEST_ENV) $(BIN)/rolesync --data-dir "$(DATA_DIR)" demo

run: build
	$(BIN)/rolesync

vet: check-go
	CGO_ENABLED=0 $(GO) vet ./internal/... ./ui/... ./cmd/oktasim/...

unit: check-go
	$(TEST_ENV) CGO_ENABLED=0 $(GO) test $(GOFLAGS) -count=1 -timeout 15m ./internal/... ./ui/...

smoke: build deps-test
	$(TEST_ENV) bash .ci/smoke.sh $(BIN)/rolesync

tray-e2e: build deps-test
	bash .ci/tray-e2e.sh $(BIN)/rolesync

# The README's screenshots of the main window and of several connections,
# retaken from the real app under Xvfb into assets/screenshots/ (run by
# hand, not part of `make test`; see .ci/screenshots.sh).
SHOT_PKGS := curl jq
screenshots: build deps-test
	@$(call apt_install,$(SHOT_PKGS),Install these packages (or your distribution's equivalents):)
	bash .ci/screenshots.sh

# The Windows app: cgo through MinGW-w64, the GUI subsystem (no console
# window; headless commands attach to the console they were started from),
# and the icon, manifest and version information from FyneApp.toml.
windows: check-go deps-windows
	$(GO) run ./internal/dist/pack winres -out $(WINRES) -version $(VERSION)
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WIN_CC) $(GO) build $(GOFLAGS) -tags $(TAGS) \
	  -ldflags "-H=windowsgui $(LDFLAGS_X) $(WIN_LDFLAGS)" -o $(BIN)/rolesync.exe ./cmd/rolesync
	@rm -f $(WINRES)

# Windows-only code (file locks, autostart, the Credential Manager keyring,
# paths under %APPDATA%) is vetted and its tests compiled; Debian's Wine
# cannot start Go 1.26 binaries, so they are not run.
windows-check: check-go
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) vet ./internal/... ./ui/... ./cmd/oktasim/...
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) test -c -o $(BIN)/windows-tests/ ./internal/... ./ui/...

# macOS: everything that builds without cgo (Fyne's widgets need cgo on
# macOS, so ui/ and the app are built on a Mac: see the README).
darwin-check: check-go
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) vet ./internal/... ./cmd/oktasim/...
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) test -c -o $(BIN)/darwin-tests/ ./internal/...

cross: windows windows-check darwin-check

# Headless commands, checked on the real binary: help, version, completion,
# and no GUI toolkit output under the C locale.
cli-smoke: build
	$(TEST_ENV) bash .ci/cli-smoke.sh $(BIN)/rolesync

# Release artifacts, stripped of debug information.
DIST_NAME := rolesync-$(VERSION)
dist: check-go deps-build
	@mkdir -p dist $(BIN)/dist
	CGO_ENABLED=1 $(GO) build $(GOFLAGS) -tags $(TAGS) -ldflags "-s -w $(LDFLAGS_X)" -o $(BIN)/dist/rolesync ./cmd/rolesync
	$(GO) run ./internal/dist/pack tarball -exe $(BIN)/dist/rolesync -out dist/$(DIST_NAME)-linux-amd64.tar.gz
	$(MAKE) --no-print-directory windows BIN=$(BIN)/dist WIN_LDFLAGS="-s -w"
	cp $(BIN)/dist/rolesync.exe dist/$(DIST_NAME)-windows-amd64.exe
	@cd dist && sha256sum $(DIST_NAME)-linux-amd64.tar.gz $(DIST_NAME)-windows-amd64.exe > $(DIST_NAME)-SHA256SUMS
	@echo "Release artifacts:"; ls -l dist/$(DIST_NAME)-* $(BIN)/dist/rolesync $(BIN)/dist/rolesync.exe

test: vet cross unit build smoke cli-smoke tray-e2e

lint: check-go
	@out=$$(gofmt -l cmd internal ui); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	CGO_ENABLED=0 $(GO) vet ./internal/... ./ui/... ./cmd/oktasim/...
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) ./internal/... ./ui/... ./cmd/oktasim/...
	@out=$$($(GO) run $(GOCYCLO) -over 15 -ignore '_test.go$$' cmd internal ui); \
	  if [ -n "$$out" ]; then echo "gocyclo: functions over 15, split them into named steps:"; echo "$$out"; exit 1; fi
	@$(MAKE) --no-print-directory vulncheck

# vulncheck runs govulncheck against the local database snapshot and fails
# on a vulnerable module that rolesync's code reaches (.ci/vulncheck).
vulncheck: $(VULNDB)/index/db.json
	$(GO) run $(GOVULNCHECK) -db file://$(VULNDB) -json ./... > .cache/vulncheck.json
	$(GO) run ./.ci/vulncheck < .cache/vulncheck.json

$(VULNDB)/index/db.json:
	@echo "Indexing the vulnerability database $(VULNDB_VERSION) (once)"
	@osv="$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p')/data/osv"; \
	  rm -rf $(VULNDB).tmp && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$osv" -out $(VULNDB).tmp && \
	  rm -rf $(VULNDB) && mv $(VULNDB).tmp $(VULNDB)

bench: check-go
	$(TEST_ENV) CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./internal/... ./ui/...

# Fuzzing: each native fuzz target for FUZZTIME, one at a time (-fuzz takes
# one target per run). `make test` runs their seed corpora (testdata/fuzz)
# as ordinary tests. A failing input is written to the target's
# testdata/fuzz directory and fails the run; a stop at the deadline without
# one is Go 1.26's fuzzing deadline race (golang/go#75804), not a finding.
# Minimizing each new input is capped so that it leaves time to fuzz.
FUZZTIME  ?= 30s
FUZZFLAGS ?= -fuzzminimizetime=5s
FUZZ_TARGETS := internal/config:FuzzConfigParse internal/keys:FuzzParse internal/keys:FuzzKeyImport \
                internal/okta:FuzzDecodeMembers internal/okta:FuzzDecodeGroups internal/okta:FuzzLinkHeader \
                internal/okta:FuzzRateLimitHeaders internal/okta:FuzzDPoPChallenge \
                internal/target/scim:FuzzSCIMResponse internal/target/scim:FuzzSCIMRetryAfter \
                internal/report:FuzzExportFilter

.PHONY: fuzz
fuzz: check-go
	@log=$$(mktemp); trap 'rm -f $$log $$log.rc' EXIT; \
	for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; dir=$$pkg/testdata/fuzz/$$name; \
	  before=$$(ls $$dir 2>/dev/null | wc -l); \
	  echo "== $$name ($$pkg, $(FUZZTIME))"; \
	  { $(TEST_ENV) CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./$$pkg/ 2>&1; \
	    echo $$? > $$log.rc; } | tee $$log; \
	  [ "$$(cat $$log.rc)" = 0 ] && continue; \
	  if [ "$$(ls $$dir 2>/dev/null | wc -l)" = "$$before" ] && grep -q '^    context deadline exceeded$$' $$log; then \
	    echo "$$name: stopped at the deadline without a failing input (golang/go#75804); not a finding"; continue; \
	  fi; \
	  echo "$$name failed; a failing input, if any, is in $$dir"; exit 1; \
	done

# The fault matrix's whole cross product: every fault at every point against
# both targets in every auth mode (`make test` runs its short mode), with
# the table of outcomes in the output. The cells wait on timeouts, so more
# of them run at once than there are cores.
.PHONY: faults
faults: check-go
	@log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	$(TEST_ENV) ROLESYNC_FAULTS_FULL=1 CGO_ENABLED=0 $(GO) test -count=1 -parallel 6 -timeout 60m \
	  -run '^TestFaultMatrix$$' -v ./internal/faultmatrix/ > $$log 2>&1; rc=$$?; \
	grep -v '^=== \(RUN\|PAUSE\|CONT\|NAME\)' $$log; exit $$rc

# The README's sync table: the engine end to end at 1k, 10k and 100k users.
bench-sync: check-go
	$(TEST_ENV) ROLESYNC_BENCH_LARGE=1 CGO_ENABLED=0 $(GO) test -run '^$$' -bench BenchmarkSync -benchtime 1x -timeout 30m ./internal/cli/

# The README's connections table: `rolesync daemon` over 50 connections of
# 1k users each on the 15-minute schedule (a fake clock; cycles back to back).
.PHONY: bench-connections
bench-connections: check-go
	$(TEST_ENV) CGO_ENABLED=0 $(GO) test -run '^$$' -bench BenchmarkDaemonConnections -benchtime 1x -timeout 30m ./internal/cli/

# The README's SCIM table: a first sync and a no-change run against the
# SCIM test server answering after 100 ms, each org size in its own process
# (peak RSS is the process's).
SCIM_BENCH_USERS ?= 1000 10000 50000
SCIM_BENCH_VARIANTS ?= groups groups-bulk attribute attribute-bulk
.PHONY: bench-scim
bench-scim: check-go
	@for n in $(SCIM_BENCH_USERS); do for v in $(SCIM_BENCH_VARIANTS); do \
	  $(TEST_ENV) ROLESYNC_BENCH_SCIM_USERS=$$n CGO_ENABLED=0 $(GO) test -run '^$$' -bench "BenchmarkSCIMFirstSync/^$$v\$$" -benchtime 1x -timeout 90m ./internal/target/scim/ || exit 1; \
	done; done

clean:
	rm -rf $(BIN) .data .cache
