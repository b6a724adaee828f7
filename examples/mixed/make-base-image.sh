#!/usr/bin/env bash
# Makes the base image of the mixed example, harness-example/busybox:local, without any registry:
# a `docker import` of a folder holding Debian's static busybox (package busybox-static) and the
# applets the example uses. Idempotent: does nothing when the image exists.
#   ./make-base-image.sh            build it when missing
#   ./make-base-image.sh --remove   remove it again
set -euo pipefail
IMAGE=harness-example/busybox:local

if [[ ${1:-} == --remove ]]; then
  docker image rm "$IMAGE" >/dev/null 2>&1 && echo "removed $IMAGE" || echo "$IMAGE not present"
  exit 0
fi
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE already present"
  exit 0
fi
BUSYBOX=${BUSYBOX:-/bin/busybox}
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
  echo "need a static busybox at $BUSYBOX: apt-get install busybox-static (or set BUSYBOX=/path)" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,tmp,www,etc}
chmod 1777 "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in sh echo cat wget httpd nc sleep printf date test; do ln -s busybox "$root/bin/$applet"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
tar -C "$root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$IMAGE" >/dev/null
echo "built $IMAGE"
