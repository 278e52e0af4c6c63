#!/usr/bin/env bash
# Make a Docker-compatible container engine available for the `container:<image>` targets (testcontainers).
#
# Only needed on machines without a Docker engine (this project's CI sandbox): a user with Docker needs none of it.
# Adapted from ../shared/containers/setup-podman.sh. Podman from Debian works once two things are handled:
#   1. the sandbox lacks CAP_SYS_RESOURCE, so the OCI runtime's setrlimit calls fail: a wrapper strips
#      process.rlimits from each bundle's config.json before calling runc;
#   2. testcontainers talks the Docker API: `podman system service` serves it on a unix socket.
#
# Idempotent: packages, wrapper and config are only (re)written when missing or different, and the API service is
# only started when the socket does not answer. Needs root (apt-get, /etc/containers, /run).
#
# Usage: eval "$(bash scripts/setup-podman.sh)"   (prints one `export …` line on stdout; sourcing works too)
# Progress and errors go to stderr. Env: PODMAN_SOCKET (default /run/podman-docker.sock).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOCK="${PODMAN_SOCKET:-/run/podman-docker.sock}"
SERVICE_LOG="${PODMAN_SERVICE_LOG:-/var/log/podman-service.log}"
WRAPPER=/usr/local/bin/runc-norlimit
CONF=/etc/containers/containers.conf

ping_socket() { curl -s --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null | grep -q OK; }

if [ "$(id -u)" != 0 ]; then
  # Without root we can still use an engine someone else started.
  if command -v curl >/dev/null && ping_socket; then
    log "not root, but $SOCK already answers; using it"
  else
    die "must run as root (installs podman with apt-get and serves $SOCK), or start a Docker-API socket yourself and set DOCKER_HOST"
  fi
else
  need=()
  command -v podman >/dev/null || need+=(podman)
  [ -x /usr/sbin/runc ] || need+=(runc)
  command -v curl >/dev/null || need+=(curl)
  command -v python3 >/dev/null || need+=(python3)
  if [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "apt-get not found; install ${need[*]} yourself"
    log "installing ${need[*]} from Debian (apt-get update first)"
    apt_update || die "apt-get update failed"
    apt_install --no-install-recommends "${need[@]}" || apt_install_showing_errors "${need[@]}" || die "apt-get install ${need[*]} failed"
  fi
  command -v podman >/dev/null || die "podman still not found after apt-get install"
  [ -x /usr/sbin/runc ] || die "/usr/sbin/runc still not found after apt-get install"

  wrapper_text="$(cat <<'WRAP'
#!/bin/bash
# runc without process.rlimits (installed by policy-conformance scripts/setup-podman.sh):
# this sandbox has no CAP_SYS_RESOURCE, so runc's setrlimit would fail for every container.
args=("$@"); bundle=""
for ((i=0;i<${#args[@]};i++)); do
  if [[ "${args[$i]}" == "--bundle" || "${args[$i]}" == "-b" ]]; then bundle="${args[$((i+1))]}"; fi
done
if [[ -n "$bundle" && -f "$bundle/config.json" ]]; then
  python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p)); c.get("process", {}).pop("rlimits", None); json.dump(c, open(p, "w"))
PY
fi
exec /usr/sbin/runc "$@"
WRAP
)"
  if [ ! -x "$WRAPPER" ] || [ "$(cat "$WRAPPER")" != "$wrapper_text" ]; then
    log "writing $WRAPPER"
    printf '%s\n' "$wrapper_text" > "$WRAPPER"
    chmod +x "$WRAPPER"
  fi

  conf_text="$(cat <<CONF
[engine]
runtime = "norlimit"
[engine.runtimes]
norlimit = ["$WRAPPER"]
CONF
)"
  if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$conf_text" ]; then
    log "writing $CONF (runtime = runc without rlimits)"
    mkdir -p "$(dirname "$CONF")"
    printf '%s\n' "$conf_text" > "$CONF"
  fi

  # Two test files may get here at once: one starts the service, the other waits and then finds it answering.
  take_lock "$(dirname "$SOCK")/.policy-conformance-podman.lock"
  if ! ping_socket; then
    log "starting podman's Docker-API service on $SOCK (log: $SERVICE_LOG)"
    rm -f "$SOCK"
    mkdir -p "$(dirname "$SERVICE_LOG")" "$(dirname "$SOCK")"
    nohup podman system service --time=0 "unix://$SOCK" >"$SERVICE_LOG" 2>&1 </dev/null 9>&- & # not holding the lock
    disown || true
    for _ in $(seq 1 75); do ping_socket && break; sleep 0.2; done
    ping_socket || die "podman system service did not answer on $SOCK within 15 s; last log lines: $(tail -n 5 "$SERVICE_LOG" 2>/dev/null | tr '\n' ' ')"
  fi
fi

export DOCKER_HOST="unix://$SOCK"
export TESTCONTAINERS_RYUK_DISABLED=true # the reaper image cannot be pulled here (no registry)
log "ready: DOCKER_HOST=$DOCKER_HOST"
echo "export DOCKER_HOST=unix://$SOCK TESTCONTAINERS_RYUK_DISABLED=true"
