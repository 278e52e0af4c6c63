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
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_pin VERSION "$SCRIPT_DIR/kinesis-local-version.txt"
DIR="${POLICY_CONFORMANCE_KINESIS_LOCAL_DIR:-$REPO_ROOT/.emulators/kinesis-local}"
PKG="$DIR/node_modules/kinesis-local"
MARKER="$DIR/.kinesis-local-version"

installed() { [ -f "$PKG/main.js" ] && [ -f "$PKG/server.json" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; }
install_once "$DIR/.setup-kinesis-local.lock" installed

command -v npm >/dev/null 2>&1 || die "npm not found"
rm -f "$MARKER"
# A package.json of its own, so npm does not walk up into the project's.
[ -f "$DIR/package.json" ] || printf '{ "name": "policy-conformance-kinesis-local", "private": true }\n' > "$DIR/package.json"
log "installing kinesis-local@$VERSION into $DIR"
run_logged "npm install kinesis-local@$VERSION" npm install --prefix "$DIR" --save-exact --ignore-scripts --no-audit --no-fund "kinesis-local@$VERSION"

[ -f "$PKG/main.js" ] || die "kinesis-local main.js not found in $PKG after install"
expect_version kinesis-local "$VERSION" "$(node -p "require('$PKG/package.json').version" 2>/dev/null || true)"

printf '%s\n' "$VERSION" > "$MARKER"
log "kinesis-local $VERSION ready: $PKG/main.js"
