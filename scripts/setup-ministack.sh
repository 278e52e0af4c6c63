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

log() { printf '[setup-ministack] %s\n' "$*" >&2; }
die() { printf '[setup-ministack] ERROR: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
VERSION_FILE="$SCRIPT_DIR/ministack-version.txt"
VENV="${POLICY_CONFORMANCE_MINISTACK_VENV:-$REPO_ROOT/.emulators/ministack}"

[ -r "$VERSION_FILE" ] || die "missing $VERSION_FILE"
VERSION="$(tr -d '[:space:]' < "$VERSION_FILE")"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$VERSION' in $VERSION_FILE"

MARKER="$VENV/.ministack-version"
PY="$VENV/bin/python"
BIN="$VENV/bin/ministack"

if [ -x "$BIN" ] && [ -x "$PY" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

# One install at a time (parallel test files may start the same emulator): wait for another, then look again.
mkdir -p "$(dirname "$VENV")" 2>/dev/null || die "cannot create $(dirname "$VENV")"
exec 9>"$(dirname "$VENV")/.setup-ministack.lock"
flock 9
if [ -x "$BIN" ] && [ -x "$PY" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; ministack needs Python 3.10+ (e.g. apt-get install -y python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "ministack needs Python 3.10+, $PYTHON is $("$PYTHON" -V 2>&1)"

if [ ! -x "$PY" ]; then
  log "creating venv at $VENV"
  mkdir -p "$(dirname "$VENV")" 2>/dev/null || die "cannot create $(dirname "$VENV")"
  VENV_ERR="$(mktemp)"
  trap 'rm -f "$VENV_ERR"' EXIT
  if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>"$VENV_ERR"; then
    rm -rf "$VENV"
    die "'$PYTHON -m venv $VENV' failed (install python3-venv; scripts/setup-moto.sh does it with apt-get when run as root): $(tail -n 5 "$VENV_ERR")"
  fi
fi

rm -f "$MARKER"
log "installing ministack==$VERSION into $VENV"
PIP_LOG="$(mktemp)"
if ! "$PY" -m pip install --quiet --disable-pip-version-check --no-input "ministack==$VERSION" >"$PIP_LOG" 2>&1; then
  tail -n 30 "$PIP_LOG" >&2
  rm -f "$PIP_LOG"
  die "pip install ministack==$VERSION failed"
fi
rm -f "$PIP_LOG"

[ -x "$BIN" ] || die "ministack not found at $BIN after install"
installed="$("$PY" -c 'from importlib.metadata import version; print(version("ministack"))' 2>/dev/null || true)"
[ "$installed" = "$VERSION" ] || die "expected ministack $VERSION, found '${installed:-none}'"

printf '%s\n' "$VERSION" > "$MARKER"
log "ministack $VERSION ready: $BIN"
