#!/usr/bin/env bash
# Make a local stand-in for docker.io/library/node:20-bookworm-slim, for machines that can run
# podman but reach no image registry (the image test, and `podman build` of the Dockerfile here).
# Where the real image can be pulled, pull it instead: this script leaves an existing image alone.
#
# The stand-in is Debian bookworm from Debian's own packages (mmdebstrap, variant apt, with apt
# sources so a Dockerfile can apt-get install) plus this machine's Node 20 laid out the way the
# official image lays it out: node in /usr/local/bin, npm in /usr/local/lib/node_modules, the
# headers in /usr/local/include/node, and a user `node` (uid 1000, gid 1000).
#
# Needs root, podman and mmdebstrap (Debian: apt-get install podman runc mmdebstrap). Takes about
# 15-30 s. Usage: bash scripts/image-base.sh [--force]
set -euo pipefail

IMAGE=docker.io/library/node:20-bookworm-slim
MIRROR="${RHYTHM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
force=false
[ "${1:-}" = "--force" ] && force=true

say() { echo "image-base: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (mmdebstrap and podman import)"; exit 1; }
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null || { say "$tool is missing (apt-get install podman runc mmdebstrap)"; exit 1; }
done

node_bin="$(command -v node)"
node_version="$("$node_bin" --version)"
case "$node_version" in
  v20.*) ;;
  *) say "this machine's node is $node_version; the stand-in needs Node 20"; exit 1 ;;
esac
npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
npm_dir="$(readlink -f "$npm_dir")"
headers=""
for dir in "$(dirname "$(dirname "$node_bin")")/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$dir/node.h" ]; then headers="$dir"; break; fi
done

# One maker at a time (two test runs at once): the second waits and then finds the image.
exec 9>"${TMPDIR:-/tmp}/rhythm-image-base.lock"
flock 9

if ! $force && podman image exists "$IMAGE"; then
  say "$IMAGE is present; leaving it as it is"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/rhythm-image-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "mmdebstrap bookworm ($MIRROR) + node $node_version from $node_bin"
hooks=(
  --customize-hook="mkdir -p \"\$1/usr/local/bin\" \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/include\""
  --customize-hook="cp -a \"$node_bin\" \"\$1/usr/local/bin/node\""
  --customize-hook="cp -a \"$npm_dir\" \"\$1/usr/local/lib/node_modules/npm\""
  --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\""
  --customize-hook="ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\""
  --customize-hook="chroot \"\$1\" groupadd --gid 1000 node"
  --customize-hook="chroot \"\$1\" useradd --uid 1000 --gid node --shell /bin/bash --create-home node"
)
if [ -n "$headers" ]; then
  hooks+=(--customize-hook="cp -a \"$headers\" \"\$1/usr/local/include/node\"")
else
  say "no Node headers found on this machine; native modules would need to download them"
fi

mmdebstrap --quiet --variant=apt --include=ca-certificates "${hooks[@]}" \
  bookworm "$work/base.tar" "$MIRROR"

podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'LABEL org.opencontainers.image.description="local stand-in for node:20-bookworm-slim (scripts/image-base.sh)"' \
  --change 'CMD ["node"]' \
  "$work/base.tar" "$IMAGE" >/dev/null
say "made $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE") bytes)"
