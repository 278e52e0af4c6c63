#!/usr/bin/env bash
# Create (or reuse) a project-owned Python venv and install a pinned ministack
# (https://pypi.org/project/ministack/) into it, so that "$VENV/bin/ministack" exists.
#
#   VENV  = $POLICY_CONFORMANCE_MINISTACK_VENV, default <repo>/.emulators/ministack
#   pin   = scripts/ministack-version.txt (single source of truth)
#
# Its own venv, not moto's .venv: ministack pins botocore==1.43.x exactly, which would
# downgrade the botocore that moto's boto3 needs (pip reports the conflict).
# Idempotent: returns at once when the pinned version is installed (marker file).
# Progress goes to stderr; exits non-zero with a message on failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_pin VERSION "$SCRIPT_DIR/ministack-version.txt"
VENV="${POLICY_CONFORMANCE_MINISTACK_VENV:-$REPO_ROOT/.emulators/ministack}"
MARKER="$VENV/.ministack-version"
PY="$VENV/bin/python"
BIN="$VENV/bin/ministack"

installed() { [ -x "$BIN" ] && [ -x "$PY" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; }
install_once "$(dirname "$VENV")/.setup-ministack.lock" installed

need_python "ministack needs Python 3.10+ (e.g. apt-get install -y python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "ministack needs Python 3.10+, $PYTHON is $("$PYTHON" -V 2>&1)"
# No apt-get fallback here: scripts/setup-moto.sh installs python3-venv when it runs as root.
ensure_venv "$VENV" "install python3-venv; scripts/setup-moto.sh does it with apt-get when run as root"

rm -f "$MARKER"
log "installing ministack==$VERSION into $VENV"
pip_install "$PY" "ministack==$VERSION"

[ -x "$BIN" ] || die "ministack not found at $BIN after install"
expect_version ministack "$VERSION" "$(python_dist_version "$PY" ministack)"

printf '%s\n' "$VERSION" > "$MARKER"
log "ministack $VERSION ready: $BIN"
