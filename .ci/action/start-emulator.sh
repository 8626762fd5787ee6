#!/usr/bin/env bash
# The GitHub Action's work (action.yml at the repository's top): installs plaid-onboard, starts
# `plaid-onboard emulator` in the background for the rest of the job, waits until it answers,
# and exports what a Plaid client needs to the later steps through $GITHUB_ENV (and the same as
# step outputs through $GITHUB_OUTPUT).
#
# Its inputs come as INPUT_* variables (action.yml passes them):
#   INPUT_VERSION   a release to download, such as 1.4.0; empty: the action's own ref when that
#                   is a release tag (vX.Y.Z), else built from the action's source (needs Go)
#   INPUT_BINARY    a plaid-onboard already on this machine: no download, no build
#   INPUT_LISTEN    the address to listen on (default 127.0.0.1; 0.0.0.0 for service containers)
#   INPUT_PORT      the port (default 4010; 0 for a free one)
#   INPUT_HOSTS     more Host names to answer to, one per line (--host)
#   INPUT_SEED, INPUT_STATE, INPUT_FIXTURES   --seed, --state, --fixtures, when given
#   INPUT_ARGS      more flags for `plaid-onboard emulator`, split on spaces
#   INPUT_TIMEOUT   seconds to wait for it to answer (default 60)
# and GitHub's own: GITHUB_ENV, GITHUB_OUTPUT, GITHUB_ACTION_PATH, GITHUB_ACTION_REF, RUNNER_TEMP.
# PLAID_ONBOARD_RELEASES_URL replaces https://github.com/plaid-onboard/plaid-onboard/releases/download
# (a mirror; the tests).
set -euo pipefail

die() {
  echo "::error title=plaid-onboard emulator::$*" >&2
  exit 1
}

: "${GITHUB_ENV:?GITHUB_ENV is not set: this script runs as a GitHub Actions step}"
: "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this script runs as a GitHub Actions step}"
work=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/plaid-onboard-emulator
mkdir -p "$work"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "runs on Linux and macOS runners; on Windows, run the emulator's image or build plaid-onboard yourself and pass it as binary" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no release for $(uname -m)" ;;
esac

# download VERSION: the release archive for this runner, checked against the release's
# checksums.txt, unpacked into $work.
download() {
  local version=${1#v} base=${PLAID_ONBOARD_RELEASES_URL:-https://github.com/plaid-onboard/plaid-onboard/releases/download}
  local archive="plaid-onboard_${version}_${os}_${arch}.tar.gz"
  echo "plaid-onboard emulator: downloading plaid-onboard $version ($os/$arch)" >&2
  curl -fsSL --retry 3 -o "$work/$archive" "$base/v$version/$archive" || die "could not download $base/v$version/$archive"
  curl -fsSL --retry 3 -o "$work/checksums.txt" "$base/v$version/checksums.txt" || die "could not download the checksums of $version"
  local want got
  want=$(awk -v f="$archive" '$2 == f { print $1 }' "$work/checksums.txt")
  got=$( (command -v sha256sum >/dev/null && sha256sum "$work/$archive" || shasum -a 256 "$work/$archive") | awk '{ print $1 }')
  [ -n "$want" ] && [ "$want" = "$got" ] || die "$archive does not match the release's checksums.txt (want ${want:-no entry}, got $got)"
  tar -xzf "$work/$archive" -C "$work" plaid-onboard
  echo "$work/plaid-onboard"
}

# build: plaid-onboard from the action's own source, at the action's ref.
build() {
  command -v go >/dev/null 2>&1 || die "the action's ref ${GITHUB_ACTION_REF:-(unknown)} is not a release, so it builds plaid-onboard from source, and Go is missing: add actions/setup-go before this step, or use a release tag of the action"
  echo "plaid-onboard emulator: building plaid-onboard from the action's source (${GITHUB_ACTION_REF:-local})" >&2
  (cd "$GITHUB_ACTION_PATH" && CGO_ENABLED=0 go build -o "$work/plaid-onboard" ./cmd/plaid-onboard) >&2 || die "go build failed"
  echo "$work/plaid-onboard"
}

version=${INPUT_VERSION:-}
if [ -n "${INPUT_BINARY:-}" ]; then
  [ -x "$INPUT_BINARY" ] || die "binary $INPUT_BINARY is not an executable file"
  bin=$INPUT_BINARY
elif [ -n "$version" ]; then
  bin=$(download "$version")
elif [[ "${GITHUB_ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  bin=$(download "$GITHUB_ACTION_REF")
else
  bin=$(build)
fi

args=(emulator --json --listen "${INPUT_LISTEN:-127.0.0.1}:${INPUT_PORT:-4010}")
while IFS= read -r host; do
  host=${host//[[:space:]]/}
  if [ -n "$host" ]; then args+=(--host "$host"); fi
done <<<"${INPUT_HOSTS:-}"
if [ -n "${INPUT_SEED:-}" ]; then args+=(--seed "$INPUT_SEED"); fi
if [ -n "${INPUT_STATE:-}" ]; then args+=(--state "$INPUT_STATE"); fi
if [ -n "${INPUT_FIXTURES:-}" ]; then args+=(--fixtures "$INPUT_FIXTURES"); fi
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a more <<<"$INPUT_ARGS"
  args+=("${more[@]}")
fi

# In its own session where there is setsid (Linux), so that it outlives this step whatever
# happens to the step's process group (the runner stops what is left at the job's end), with its
# output in files the job can show. $! is the emulator itself: a background job of a script is
# not a process group leader, so setsid need not fork.
out="$work/emulator.json"
log="$work/emulator.log"
: >"$out"
if command -v setsid >/dev/null 2>&1; then
  setsid "$bin" "${args[@]}" >"$out" 2>"$log" </dev/null &
else
  nohup "$bin" "${args[@]}" >"$out" 2>"$log" </dev/null &
fi
pid=$!

# Wait for its JSON line, then for an answer over HTTP; stop it if either does not come.
deadline=$((SECONDS + ${INPUT_TIMEOUT:-60}))
url=""
fail() {
  kill -TERM "$pid" 2>/dev/null || true
  die "$1; its output: $(cat "$log")"
}
while [ -z "$url" ]; do
  url=$(sed -n 's/^{"url":"\([^"]*\)".*/\1/p' "$out")
  if [ -n "$url" ]; then break; fi
  kill -0 "$pid" 2>/dev/null || fail "plaid-onboard ${args[*]} exited"
  [ "$SECONDS" -lt "$deadline" ] || fail "plaid-onboard ${args[*]} printed no address within ${INPUT_TIMEOUT:-60}s"
  sleep 0.1
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$out" | head -n 1; }
client_id=$(field client_id)
secret=$(field secret)
link_script_url=$(field link_script_url)
until curl -fsS -o /dev/null "$link_script_url"; do
  kill -0 "$pid" 2>/dev/null || fail "the emulator exited before answering"
  [ "$SECONDS" -lt "$deadline" ] || fail "the emulator did not answer at $url within ${INPUT_TIMEOUT:-60}s"
  sleep 0.1
done

{
  echo "PLAID_API_URL=$url"
  echo "PLAID_CLIENT_ID=$client_id"
  echo "PLAID_SECRET=$secret"
  echo "PLAID_LINK_SCRIPT_URL=$link_script_url"
  echo "PLAID_ENV=sandbox"
  echo "PLAID_EMULATOR_PID=$pid"
} >>"$GITHUB_ENV"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "url=$url"
    echo "client-id=$client_id"
    echo "secret=$secret"
    echo "link-script-url=$link_script_url"
    echo "pid=$pid"
  } >>"$GITHUB_OUTPUT"
fi
echo "plaid-onboard emulator: answering at $url (pid $pid, log $log)" >&2
