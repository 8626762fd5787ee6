.PHONY: run demo test build bench cross release-snapshot

# The terminal UI with your keys (PLAID_CLIENT_ID, PLAID_SECRET, or a .env file).
run:
	go run ./cmd/plaid-onboard

# The offline demo: the terminal UI against the built-in Plaid emulator. No keys needed.
demo:
	go run ./cmd/plaid-onboard --demo

# Every test: unit, handler, TUI, and end to end with headless Chromium and the real keyring.
test:
	.ci/test

build:
	go build -o plaid-onboard ./cmd/plaid-onboard

bench:
	go test -run '^$$' -bench . -benchtime 20x ./plaidflow/

# Compile every package for the six release targets (linux, darwin, windows × amd64, arm64).
cross:
	.ci/cross

# Every release archive in dist/ (binaries, README, LICENSE, completions, man page, checksums),
# published nowhere. GoReleaser is built from .ci/tools/go.mod on first use.
release-snapshot:
	.ci/goreleaser release --snapshot --clean
