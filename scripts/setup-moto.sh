#!/usr/bin/env bash
# Create (or reuse) a project-owned Python venv and install a pinned moto[server]
# into it, so that "$VENV/bin/moto_server" exists.
#
#   VENV  = $POLICY_CONFORMANCE_VENV, default <repo>/.venv
#   pin   = scripts/moto-version.txt (single source of truth)
#
# Idempotent: when the pinned version is already installed (marker file that
# matches the pin, and moto_server present) it returns immediately.
# Progress goes to stderr; exits non-zero with a message on failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_pin MOTO_VERSION "$SCRIPT_DIR/moto-version.txt"
VENV="${POLICY_CONFORMANCE_VENV:-$REPO_ROOT/.venv}"
MARKER="$VENV/.moto-version"
PY="$VENV/bin/python"
MOTO_SERVER="$VENV/bin/moto_server"

installed() { [ -x "$MOTO_SERVER" ] && [ -x "$PY" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$MOTO_VERSION" ]; }
install_once "$(dirname "$VENV")/.setup-moto.lock" installed

need_python "install Python 3.9+ (e.g. apt-get install -y python3 python3-venv)"
ensure_venv "$VENV" "install python3-venv, e.g. 'sudo apt-get install -y python3-venv'" apt

rm -f "$MARKER"
log "installing moto[server]==$MOTO_VERSION into $VENV (first run may take a minute)"
pip_install "$PY" "moto[server]==$MOTO_VERSION"

[ -x "$MOTO_SERVER" ] || die "moto_server not found at $MOTO_SERVER after install"
expect_version moto "$MOTO_VERSION" "$(python_dist_version "$PY" moto)"

printf '%s\n' "$MOTO_VERSION" > "$MARKER"
log "moto $MOTO_VERSION ready: $MOTO_SERVER"
