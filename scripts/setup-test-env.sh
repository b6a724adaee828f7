#!/usr/bin/env bash
# Prepares this machine for the full suite, idempotently: Debian packages (as root), the Docker
# engine, Chromium, the SSH test-host tools (openssh-server without a running system sshd,
# openssh-client, iproute2), wireguard-go and wireguard-tools. `--stop` undoes only what this
# script started, and sweeps WireGuard test tunnels and SSH test hosts (scripts/test-wireguard.sh,
# scripts/test-hosts.sh) whose owning run has died.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--stop" ]; then
  [ -x scripts/setup-docker.sh ] && bash scripts/setup-docker.sh --stop
  # SSH test hosts (network namespaces) left by runs that died; live runs are not touched.
  # WireGuard test tunnels first: they live inside the test hosts' namespaces.
  [ -f scripts/test-wireguard.sh ] && [ "$(id -u)" = 0 ] && bash scripts/test-wireguard.sh sweep
  [ -f scripts/test-hosts.sh ] && [ "$(id -u)" = 0 ] && bash scripts/test-hosts.sh sweep
  exit 0
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# SSH test hosts (scripts/test-hosts.sh): Debian's sshd, the OpenSSH client tools, ip.
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 && command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# WireGuard test tunnels (scripts/test-wireguard.sh): userspace wireguard-go and wg.
command -v wireguard-go >/dev/null 2>&1 || need+=(wireguard-go)
command -v wg >/dev/null 2>&1 || need+=(wireguard-tools)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    # Package scripts must not start services here (openssh-server would start a system sshd):
    # a policy-rc.d that refuses, only if none exists, removed again after.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/tmp/harness-apt.log 2>&1 \
      || { echo "setup: apt-get install failed, see /tmp/harness-apt.log"; tail -5 /tmp/harness-apt.log; }
    [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: missing ${need[*]} and not root: the suites that need them will skip and say why"
  fi
fi

status=0
if [ -f scripts/setup-docker.sh ]; then bash scripts/setup-docker.sh || status=1; fi
exit $status
