# rolesync: build, test and run.
#
#   make demo    build the app and open it against the built-in simulated Okta org
#   make test    vet, unit tests (CGO_ENABLED=0), the desktop build and its Xvfb smoke test
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

# Debian packages: the cgo build of the desktop app, and the headless desktop tests.
BUILD_PKGS := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
TEST_PKGS  := xvfb xauth x11-utils imagemagick xdotool dbus dbus-x11 \
              haskell-status-notifier-item-utils poppler-utils locales

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build demo run test unit vet lint bench bench-sync deps deps-build deps-test check-go smoke tray-e2e clean

all: build

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go is not installed: install Go 1.26 from https://go.dev/dl/ and put it on PATH"; exit 1; }
	@$(GO) run ./.ci/gover >/dev/null 2>&1 || { echo "rolesync needs Go 1.26 or newer; found: $$($(GO) version)"; exit 1; }

# deps-build installs what the cgo build needs when it is missing.
deps-build:
	@missing=""; for p in $(BUILD_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing:$$missing"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; \
	  else echo "Install these packages (or your distribution's equivalents):$$missing"; exit 1; fi; \
	fi

# deps-test installs what the headless desktop tests need when it is missing.
deps-test:
	@missing=""; for p in $(TEST_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing:$$missing"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; \
	  else echo "Install these packages (or your distribution's equivalents):$$missing"; exit 1; fi; \
	fi

deps: deps-build deps-test

build: check-go deps-build
	CGO_ENABLED=1 $(GO) build $(GOFLAGS) -tags $(TAGS) -o $(BIN)/rolesync ./cmd/rolesync
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

test: vet unit build smoke tray-e2e

lint: check-go
	@out=$$(gofmt -l cmd internal ui); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	CGO_ENABLED=0 $(GO) vet ./internal/... ./ui/... ./cmd/oktasim/...
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) ./internal/... ./ui/... ./cmd/oktasim/...

bench: check-go
	$(TEST_ENV) CGO_ENABLED=0 $(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./internal/... ./ui/...

# The README's sync table: the engine end to end at 1k, 10k and 100k users.
bench-sync: check-go
	$(TEST_ENV) ROLESYNC_BENCH_LARGE=1 CGO_ENABLED=0 $(GO) test -run '^$$' -bench BenchmarkSync -benchtime 1x -timeout 30m ./internal/cli/

clean:
	rm -rf $(BIN) .data
