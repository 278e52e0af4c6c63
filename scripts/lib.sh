# Shared by the scripts/setup-*.sh and scripts/build-moto-image.sh scripts; sourced, never run:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Defines log / die (prefixed with the sourcing script's name, on stderr), SCRIPT_DIR (this folder) and REPO_ROOT,
# and the steps those scripts have in common: reading a pinned version, installing once under a lock, a Python venv,
# pip / npm installs with their log shown only on failure, apt-get. Every failure is `die`: a message, exit code 1.
# The sourcing script sets `set -euo pipefail` itself.

LOG_TAG="$(basename "${BASH_SOURCE[1]:-$0}" .sh)"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

# read_pin VAR FILE: VAR := the X.Y.Z version pinned in FILE (whitespace ignored; the single source of truth).
read_pin() {
  local value
  [ -r "$2" ] || die "missing $2"
  value="$(tr -d '[:space:]' < "$2")"
  [[ "$value" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$value' in $2"
  printf -v "$1" '%s' "$value"
}

# take_lock FILE [WAIT_MESSAGE]: hold an exclusive lock on FILE (fd 9) until the script ends; with WAIT_MESSAGE, log it
# when another process holds the lock, before waiting for it.
take_lock() {
  exec 9>"$1"
  if [ -n "${2:-}" ]; then
    flock -n 9 || { log "$2"; flock 9; }
  else
    flock 9
  fi
}

# install_once LOCK_FILE CHECK: exit 0 when the command CHECK succeeds (already installed); otherwise take LOCK_FILE
# (creating its folder) — parallel test files may set up the same emulator: one installs, the others wait for it —
# and look again. Returns, holding the lock, when there is something to install.
install_once() {
  "$2" && exit 0
  mkdir -p "$(dirname "$1")" 2>/dev/null || die "cannot create $(dirname "$1")"
  take_lock "$1"
  "$2" && exit 0
  return 0
}

# run_logged WHAT COMMAND...: run COMMAND with its output in a temporary log; on failure show the log's tail and die
# "WHAT failed".
run_logged() {
  local what="$1" out
  shift
  out="$(mktemp)"
  if ! "$@" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    rm -f "$out"
    die "$what failed"
  fi
  rm -f "$out"
}

# expect_version NAME WANT GOT: die unless the installed version GOT is the pinned WANT.
expect_version() {
  [ "$3" = "$2" ] || die "expected $1 $2, found '${3:-none}'"
}

# apt_update / apt_install PKG...: quiet, non-interactive; their status is the caller's to judge.
# apt_install_showing_errors: the same install with apt-get's errors left on stderr (a last attempt).
# One apt-get at a time on this machine (.ci/run installs in chains side by side): each waits its turn on a lock.
APT_LOCK="${APT_LOCK:-/var/lock/policy-conformance-apt.lock}"
apt_update() { flock "$APT_LOCK" apt-get update -qq >/dev/null 2>&1; }
apt_install() { DEBIAN_FRONTEND=noninteractive flock "$APT_LOCK" apt-get install -y -qq "$@" >/dev/null 2>&1; }
apt_install_showing_errors() { DEBIAN_FRONTEND=noninteractive flock "$APT_LOCK" apt-get install -y -qq "$@" >/dev/null; }

# ---------------------------------------------------------------------------------------------------------------
# Python venvs (moto, ministack)

# need_python HINT: PYTHON := $PYTHON or python3, which must be on PATH ("$PYTHON not found; HINT" otherwise).
need_python() {
  PYTHON="${PYTHON:-python3}"
  command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; $1"
}

# ensure_venv VENV HINT [apt]: create VENV with "$PYTHON -m venv" unless VENV/bin/python exists. When that fails:
# with "apt", as root and with apt-get, install python3-venv (and python3.X-venv) and try once more; otherwise die
# "'$PYTHON -m venv VENV' failed (HINT): <its last error lines>".
ensure_venv() {
  local venv="$1" hint="$2" apt="${3:-}" pyver
  [ -x "$venv/bin/python" ] && return 0
  log "creating venv at $venv"
  mkdir -p "$(dirname "$venv")" 2>/dev/null || die "cannot create $(dirname "$venv")"
  VENV_ERR="$(mktemp)"
  trap 'rm -f "$VENV_ERR"' EXIT
  "$PYTHON" -m venv "$venv" >/dev/null 2>"$VENV_ERR" && return 0
  rm -rf "$venv"
  if [ "$apt" = apt ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "'$PYTHON -m venv' failed; installing python3-venv with apt-get"
    # Debian names the package python3-venv (newer ones also python3.X-venv).
    pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || true)"
    { apt_update && apt_install python3-venv && { [ -z "$pyver" ] || apt_install "python${pyver}-venv" || true; }; } \
      || die "apt-get install python3-venv failed"
    "$PYTHON" -m venv "$venv" >/dev/null 2>"$VENV_ERR" || { rm -rf "$venv"; die "'$PYTHON -m venv $venv' still fails: $(tail -n 5 "$VENV_ERR")"; }
  else
    die "'$PYTHON -m venv $venv' failed ($hint): $(tail -n 5 "$VENV_ERR")"
  fi
}

# pip_install PY REQUIREMENT: pip install REQUIREMENT with the venv's python PY.
pip_install() {
  run_logged "pip install $2" "$1" -m pip install --quiet --disable-pip-version-check --no-input "$2"
}

# python_dist_version PY DIST: the installed version of distribution DIST in PY's environment (empty when none).
python_dist_version() {
  "$1" -c "from importlib.metadata import version; print(version(\"$2\"))" 2>/dev/null || true
}
