#!/usr/bin/env bash
# Prepares this machine for the full suite, idempotently: Debian packages (as root), the Docker
# engine, Chromium. `--stop` undoes only what this script started.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--stop" ]; then
  [ -x scripts/setup-docker.sh ] && bash scripts/setup-docker.sh --stop
  exit 0
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/tmp/harness-apt.log 2>&1 \
      || { echo "setup: apt-get install failed, see /tmp/harness-apt.log"; tail -5 /tmp/harness-apt.log; }
  else
    echo "setup: missing ${need[*]} and not root: the suites that need them will skip and say why"
  fi
fi

status=0
if [ -f scripts/setup-docker.sh ]; then bash scripts/setup-docker.sh || status=1; fi
exit $status
