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

log() { printf '[setup-moto] %s\n' "$*" >&2; }
die() { printf '[setup-moto] ERROR: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
VERSION_FILE="$SCRIPT_DIR/moto-version.txt"
VENV="${POLICY_CONFORMANCE_VENV:-$REPO_ROOT/.venv}"

[ -r "$VERSION_FILE" ] || die "missing $VERSION_FILE"
MOTO_VERSION="$(tr -d '[:space:]' < "$VERSION_FILE")"
[[ "$MOTO_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$MOTO_VERSION' in $VERSION_FILE"

MARKER="$VENV/.moto-version"
PY="$VENV/bin/python"
MOTO_SERVER="$VENV/bin/moto_server"

# Fast path: already installed at the pinned version.
if [ -x "$MOTO_SERVER" ] && [ -x "$PY" ] && [ -f "$MARKER" ] \
   && [ "$(cat "$MARKER" 2>/dev/null)" = "$MOTO_VERSION" ]; then
  exit 0
fi

# One install at a time (parallel test files may start the same emulator): wait for another, then look again.
mkdir -p "$(dirname "$VENV")" 2>/dev/null || die "cannot create $(dirname "$VENV")"
exec 9>"$(dirname "$VENV")/.setup-moto.lock"
flock 9
if [ -x "$MOTO_SERVER" ] && [ -x "$PY" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$MOTO_VERSION" ]; then
  exit 0
fi

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.9+ (e.g. apt-get install -y python3 python3-venv)"

make_venv() { "$PYTHON" -m venv "$VENV" >/dev/null 2>"$VENV_ERR"; }

if [ ! -x "$PY" ]; then
  log "creating venv at $VENV"
  VENV_ERR="$(mktemp)"
  trap 'rm -f "$VENV_ERR"' EXIT
  if ! make_venv; then
    rm -rf "$VENV"
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      log "'$PYTHON -m venv' failed; installing python3-venv with apt-get"
      # Debian names the package python3-venv (newer ones also python3.X-venv).
      pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || true)"
      { apt-get update -qq >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null 2>&1 \
        && { [ -z "$pyver" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" >/dev/null 2>&1 || true; }; } \
        || die "apt-get install python3-venv failed"
      make_venv || { rm -rf "$VENV"; die "'$PYTHON -m venv $VENV' still fails: $(tail -n 5 "$VENV_ERR")"; }
    else
      die "'$PYTHON -m venv $VENV' failed (install python3-venv, e.g. 'sudo apt-get install -y python3-venv'): $(tail -n 5 "$VENV_ERR")"
    fi
  fi
fi

rm -f "$MARKER"
log "installing moto[server]==$MOTO_VERSION into $VENV (first run may take a minute)"
PIP_LOG="$(mktemp)"
if ! "$PY" -m pip install --quiet --disable-pip-version-check --no-input \
      "moto[server]==$MOTO_VERSION" >"$PIP_LOG" 2>&1; then
  tail -n 30 "$PIP_LOG" >&2
  rm -f "$PIP_LOG"
  die "pip install moto[server]==$MOTO_VERSION failed"
fi
rm -f "$PIP_LOG"

[ -x "$MOTO_SERVER" ] || die "moto_server not found at $MOTO_SERVER after install"
installed="$("$PY" -c 'from importlib.metadata import version; print(version("moto"))' 2>/dev/null || true)"
[ "$installed" = "$MOTO_VERSION" ] || die "expected moto $MOTO_VERSION, found '${installed:-none}'"

printf '%s\n' "$MOTO_VERSION" > "$MARKER"
log "moto $MOTO_VERSION ready: $MOTO_SERVER"
