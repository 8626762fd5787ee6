.PHONY: run demo test build bench cross release-snapshot image

# The terminal UI with your keys (PLAID_CLIENT_ID, PLAID_SECRET, or a .env file).
run:
	go run ./cmd/plaid-onboard

# The offline demo: the terminal UI against the built-in Plaid emulator. No keys needed.
demo:
	go run ./cmd/plaid-onboard --demo

# Every test: unit, handler, TUI, and end to end with headless Chromium and the real keyring.
test:
	.ci/test

# Static, as releases are: the program needs no C, and without libc to load it starts faster.
build:
	CGO_ENABLED=0 go build -o plaid-onboard ./cmd/plaid-onboard

# Speed against the physical limit (.ci/PERFORMANCE.md): round trips per flow with the emulator
# answering after a fixed latency, a key press then View() on 500 accounts or Items, then the start-up, first
# frame and peak-memory checks, printing their figures (inside a private keyring, like make test).
bench:
	go test -run '^$$' -bench . -benchtime 10x ./plaidflow/ ./cmd/plaid-onboard/
	go test -run '^$$' -bench KeyThenView500 ./tui/
	scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && mkdir -p "$$scratch/home" && \
	env HOME="$$scratch/home" XDG_CONFIG_HOME="$$scratch/config" GOPATH="$$(go env GOPATH)" \
	  GOCACHE="$$(go env GOCACHE)" GOMODCACHE="$$(go env GOMODCACHE)" PLAID_ONBOARD_E2E=1 \
	  dbus-run-session -- sh -c 'eval "$$(printf bench | gnome-keyring-daemon --unlock --components=secrets)"; \
	  export GNOME_KEYRING_CONTROL; go test -count=1 -v \
	  -run "NoRoundTripTooMany|TestVersionStarts|TestFirstFrame|PeakMemory|500AccountsIsQuick" \
	  ./plaidflow/ ./tui/ ./cmd/plaid-onboard/' 2>/dev/null | grep -E 'round trips \(|median|peak RSS|^(ok|FAIL|--- FAIL)'

# Compile every package for the six release targets (linux, darwin, windows × amd64, arm64).
cross:
	.ci/cross

# Every release archive in dist/ (binaries, README, LICENSE, completions, man page, checksums),
# and the emulator's images (podman; SKIP_IMAGE=1 make release-snapshot without it), published
# nowhere. GoReleaser is built from .ci/tools/go.mod on first use.
release-snapshot:
	.ci/goreleaser release --snapshot --clean

# The emulator's container image (Containerfile) built with podman from a static binary, then
# checked without starting a container: unpacked, and its binary served on loopback.
image:
	.ci/image
