#!/usr/bin/env bash
# Install a pinned kinesis-local (npm; https://github.com/etspaceman/kinesis-mock compiled to JavaScript)
# into its own folder, so it never enters the project's own dependencies.
#
#   DIR  = $POLICY_CONFORMANCE_KINESIS_LOCAL_DIR, default <repo>/.emulators/kinesis-local
#   pin  = scripts/kinesis-local-version.txt (single source of truth)
#
# The package has no dependencies and no install scripts; --ignore-scripts keeps it that way.
# Idempotent (marker file). Progress goes to stderr; exits non-zero with a message on failure.
set -euo pipefail

log() { printf '[setup-kinesis-local] %s\n' "$*" >&2; }
die() { printf '[setup-kinesis-local] ERROR: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
VERSION_FILE="$SCRIPT_DIR/kinesis-local-version.txt"
DIR="${POLICY_CONFORMANCE_KINESIS_LOCAL_DIR:-$REPO_ROOT/.emulators/kinesis-local}"

[ -r "$VERSION_FILE" ] || die "missing $VERSION_FILE"
VERSION="$(tr -d '[:space:]' < "$VERSION_FILE")"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$VERSION' in $VERSION_FILE"

PKG="$DIR/node_modules/kinesis-local"
MARKER="$DIR/.kinesis-local-version"

if [ -f "$PKG/main.js" ] && [ -f "$PKG/server.json" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

# One install at a time (parallel test files may start the same emulator): wait for another, then look again.
mkdir -p "$DIR" 2>/dev/null || die "cannot create $DIR"
exec 9>"$DIR/.setup-kinesis-local.lock"
flock 9
if [ -f "$PKG/main.js" ] && [ -f "$PKG/server.json" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm not found"
rm -f "$MARKER"
mkdir -p "$DIR" 2>/dev/null || die "cannot create $DIR"
# A package.json of its own, so npm does not walk up into the project's.
[ -f "$DIR/package.json" ] || printf '{ "name": "policy-conformance-kinesis-local", "private": true }\n' > "$DIR/package.json"
log "installing kinesis-local@$VERSION into $DIR"
NPM_LOG="$(mktemp)"
if ! npm install --prefix "$DIR" --save-exact --ignore-scripts --no-audit --no-fund "kinesis-local@$VERSION" >"$NPM_LOG" 2>&1; then
  tail -n 30 "$NPM_LOG" >&2
  rm -f "$NPM_LOG"
  die "npm install kinesis-local@$VERSION failed"
fi
rm -f "$NPM_LOG"

[ -f "$PKG/main.js" ] || die "kinesis-local main.js not found in $PKG after install"
installed="$(node -p "require('$PKG/package.json').version" 2>/dev/null || true)"
[ "$installed" = "$VERSION" ] || die "expected kinesis-local $VERSION, found '${installed:-none}'"

printf '%s\n' "$VERSION" > "$MARKER"
log "kinesis-local $VERSION ready: $PKG/main.js"
