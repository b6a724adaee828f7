#!/usr/bin/env bash
# Makes a Docker engine available for Harness's Docker tests and benchmarks, idempotently.
#   scripts/setup-docker.sh          install docker.io + busybox-static if missing, start dockerd if
#                                    `docker info` fails, wait for it (up to 30 s)
#   scripts/setup-docker.sh --stop   stop the dockerd this script started (marker file), nothing else
# Prints one line saying what it did. Needs root to install or start anything; as non-root it only
# reports. There is no systemd on the dev/CI machines, so dockerd is started in the background.
set -euo pipefail

MARKER=/tmp/harness-dockerd.started
LOG=/tmp/harness-dockerd.log

stop_engine() {
  if [[ ! -f $MARKER ]]; then echo "setup-docker: nothing to stop (no $MARKER)"; return 0; fi
  local pid
  pid=$(cat "$MARKER")
  # Only stop the process we started: the pid must still be a dockerd.
  if [[ -n $pid ]] && [[ "$(cat /proc/"$pid"/comm 2>/dev/null)" == dockerd ]]; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$MARKER"
    echo "setup-docker: stopped dockerd (pid $pid)"
  else
    rm -f "$MARKER"
    echo "setup-docker: dockerd pid $pid no longer running; removed marker"
  fi
}

if [[ ${1:-} == --stop ]]; then stop_engine; exit 0; fi

did=()
if [[ $(id -u) -ne 0 ]]; then
  if docker info >/dev/null 2>&1; then echo "setup-docker: engine already reachable (not root, nothing changed)";
  else echo "setup-docker: engine not reachable and not root: cannot install or start dockerd"; fi
  exit 0
fi

apt_updated=0
apt_install() {
  if [[ $apt_updated -eq 0 ]]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  did+=("installed $*")
}

command -v docker >/dev/null 2>&1 && command -v dockerd >/dev/null 2>&1 || apt_install docker.io
# The test images are made from Debian's static busybox, never pulled.
[[ -x /bin/busybox ]] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || \
  dpkg -s busybox-static >/dev/null 2>&1 || apt_install busybox-static

if docker info >/dev/null 2>&1; then
  did+=("engine already running")
else
  # A stale pid file from a killed dockerd makes the next one refuse to start.
  if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  setsid dockerd >>"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$MARKER"
  ok=0
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [[ $ok -ne 1 ]]; then
    echo "setup-docker: dockerd did not become ready within 30 s; last log lines:" >&2
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  did+=("started dockerd pid $pid (log $LOG)")
fi

echo "setup-docker: $(IFS=';'; echo "${did[*]}")"
