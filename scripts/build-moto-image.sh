#!/usr/bin/env bash
# Build the local moto container image used by `--target container:localhost/policy-conformance/moto:<version>`,
# without a container registry:
#
#   1. a Debian bookworm root filesystem from debootstrap (minbase + python3, python3-venv, ca-certificates),
#      kept as a tarball in the cache dir and imported into podman as the base image;
#   2. `podman build --network host` FROM that base: moto[server]==<scripts/moto-version.txt> into /opt/moto (a venv),
#      entrypoint `moto_server -H 0.0.0.0 -p 5000`.
#
# Cached: when the final tag already exists nothing is done; the base image (and its tarball, under
# $POLICY_CONFORMANCE_CACHE, default ~/.cache/policy-conformance) is reused, so a moto bump only re-runs the pip step.
# Needs podman (scripts/setup-podman.sh) and, for the first base build, root + debootstrap (installed with apt-get).
#
# Env: DEBIAN_MIRROR (default: the machine's own apt source for bookworm), POLICY_CONFORMANCE_CACHE,
#      MOTO_IMAGE_REBUILD=1 (rebuild the moto layer even if the tag exists).
# Prints the image tag on stdout; progress and errors on stderr.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read_pin MOTO_VERSION "$SCRIPT_DIR/moto-version.txt"

SUITE=bookworm
TAG="localhost/policy-conformance/moto:$MOTO_VERSION"
BASE_TAG="localhost/policy-conformance/debian-py:$SUITE"
CACHE_DIR="${POLICY_CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/policy-conformance}"
BASE_TAR="$CACHE_DIR/debian-$SUITE-py-minbase.tar"

command -v podman >/dev/null || die "podman not found; run scripts/setup-podman.sh first"

if [ "${MOTO_IMAGE_REBUILD:-0}" != 1 ] && podman image exists "$TAG"; then
  log "$TAG already built (cached); nothing to do"
  echo "$TAG"
  exit 0
fi

mkdir -p "$CACHE_DIR"
# One build at a time per cache dir (parallel CI jobs on the same machine would otherwise debootstrap twice).
take_lock "$CACHE_DIR/.build.lock" "another build holds $CACHE_DIR/.build.lock; waiting for it"
if [ "${MOTO_IMAGE_REBUILD:-0}" != 1 ] && podman image exists "$TAG"; then
  log "$TAG was built meanwhile; nothing to do"
  echo "$TAG"
  exit 0
fi

# The machine's own Debian mirror for $SUITE: deb822 *.sources files first, then one-line sources.list entries.
apt_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri="$(awk -v suite="$SUITE" '
      BEGIN { RS=""; FS="\n" }
      {
        uris=""; suites=""; enabled=1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris=$i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites=" " $i " "; sub(/^Suites:/, "", suites) }
          if ($i ~ /^Enabled:[ \t]*no/) enabled=0
        }
        if (enabled && suites ~ ("[ \t]" suite "[ \t]")) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri="$(awk -v suite="$SUITE" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == suite) { print $i; exit } }' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

build_base_tar() {
  [ "$(id -u)" = 0 ] || die "building the base root filesystem needs root (debootstrap); or put a tarball at $BASE_TAR"
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap with apt-get"
    apt_update || die "apt-get update failed"
    apt_install debootstrap || die "apt-get install debootstrap failed"
  fi
  local mirror="${DEBIAN_MIRROR:-$(apt_mirror)}"
  [ -n "$mirror" ] || die "no Debian $SUITE mirror found in /etc/apt/sources.list{,.d/}; set DEBIAN_MIRROR=http://…/debian"
  local root="$CACHE_DIR/rootfs.tmp"
  rm -rf "$root" "$BASE_TAR.tmp"
  log "debootstrap --variant=minbase $SUITE from $mirror (about a minute or two; log: $CACHE_DIR/debootstrap.log)"
  local t0=$SECONDS
  if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$SUITE" "$root" "$mirror" \
        >"$CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 20 "$CACHE_DIR/debootstrap.log" >&2
    rm -rf "$root"
    die "debootstrap failed (see $CACHE_DIR/debootstrap.log)"
  fi
  # Nothing of this machine belongs in the image: apt lists/caches are dead weight, resolv.conf is set by the engine.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  : > "$root/etc/resolv.conf"
  log "debootstrap done in $((SECONDS - t0)) s; writing $BASE_TAR"
  tar -C "$root" --numeric-owner -cf "$BASE_TAR.tmp" . || die "tar of $root failed"
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf "$root"
}

if podman image exists "$BASE_TAG"; then
  log "base image $BASE_TAG present (cached)"
else
  if [ -s "$BASE_TAR" ]; then
    log "base tarball $BASE_TAR present (cached)"
  else
    build_base_tar
  fi
  log "podman import $BASE_TAR as $BASE_TAG"
  podman import -q --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_TAG" >/dev/null || die "podman import $BASE_TAR failed"
fi

CTX="$(mktemp -d)"
trap 'rm -rf "$CTX"' EXIT
cat > "$CTX/Containerfile" <<EOF
FROM $BASE_TAG
ARG PIP_CERT
RUN python3 -m venv /opt/moto \\
 && /opt/moto/bin/pip install --no-cache-dir --disable-pip-version-check --no-input \${PIP_CERT:+--cert "\$PIP_CERT"} \\
      "moto[server]==$MOTO_VERSION" \\
 && /opt/moto/bin/python -c 'from importlib.metadata import version; v = version("moto"); assert v == "$MOTO_VERSION", v'
ENV PYTHONUNBUFFERED=1 PATH=/opt/moto/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EXPOSE 5000
LABEL org.opencontainers.image.title="moto_server for policy-conformance" org.opencontainers.image.version="$MOTO_VERSION"
ENTRYPOINT ["/opt/moto/bin/moto_server", "-H", "0.0.0.0", "-p", "5000"]
EOF

# The host's CA bundle is mounted only while pip runs (this sandbox reaches PyPI through a TLS-intercepting egress
# proxy whose CA the image's Debian bundle does not know); it is not part of the image.
build_args=(--network host --layers -t "$TAG" -f "$CTX/Containerfile")
HOST_CA=/etc/ssl/certs/ca-certificates.crt
if [ -r "$HOST_CA" ]; then
  build_args+=(-v "$HOST_CA:/run/host-ca.crt:ro" --build-arg PIP_CERT=/run/host-ca.crt)
fi
log "podman build $TAG (pip install moto[server]==$MOTO_VERSION; log: $CACHE_DIR/podman-build.log)"
t0=$SECONDS
if ! podman build "${build_args[@]}" "$CTX" >"$CACHE_DIR/podman-build.log" 2>&1; then
  tail -n 30 "$CACHE_DIR/podman-build.log" >&2
  die "podman build of $TAG failed (see $CACHE_DIR/podman-build.log)"
fi
podman image exists "$TAG" || die "podman build finished but $TAG does not exist"
log "built $TAG in $((SECONDS - t0)) s"
echo "$TAG"
