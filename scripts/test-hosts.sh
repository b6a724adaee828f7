#!/usr/bin/env bash
# Real "LAN hosts" on this machine, for the SSH tests and for trying remote stacks without a second
# computer. As root. One bridge in the root namespace is the LAN (this machine is .1 on it); each
# host is a network namespace joined to the bridge by a veth pair, running Debian's sshd on its own
# config and host keys inside a private mount namespace, where /etc/ssh, /root (the login user's
# home), /opt, /run and /tmp are the host's own directories: a file written "remotely" is not here.
#
#   test-hosts.sh check                       prints why hosts cannot be made here (exit 1), or "ok"
#   test-hosts.sh create [--hosts N] [--port2 PORT] [--owner PID|none] [--authorized-keys FILE]
#                        [--run ID]           makes a run, prints its description (JSON) on stdout
#   test-hosts.sh destroy ID                  removes everything the run made
#   test-hosts.sh sweep                       destroys runs whose owner process is gone, and any
#                                             hxt* namespace/link/rule without a live run
#   test-hosts.sh list                        run ids with their owner and state (live/dead)
#   test-hosts.sh link ID I up|down           cuts or restores host I's link (its bridge-side veth)
#   test-hosts.sh sshd ID I start|stop|kill   (re)starts sshd with the same keys, or stops every sshd
#                                             process of host I (listener and sessions), TERM or KILL
#   test-hosts.sh exec ID I CMD...            runs CMD inside host I (its net + mount namespaces)
#
# Names: every namespace, link and bridge is "hxt" + a 5-character run id + a suffix (b = bridge,
# vI = bridge-side veth, pI = host-side veth, nI = namespace), so parallel runs never collide and
# names stay under the 15-character interface limit. Each run takes one free 10.213.N.0/24 (bridge
# .1, hosts .10, .11, ...), claimed atomically, after checking no address or route here overlaps.
# A run owned by a process (--owner, default: the caller) is swept once that process is gone;
# --owner none makes a run that only `destroy` removes (the examples use it).
# With more than one host, an iptables FORWARD rule (commented "harness-test-hosts:ID") lets the
# hosts reach each other across the bridge: bridged traffic passes the FORWARD chain when
# br_netfilter is loaded, and Docker sets its policy to DROP.
set -euo pipefail

PREFIX=hxt
ROOT=${HARNESS_TEST_HOSTS_DIR:-/tmp/harness-test-hosts}
[[ $ROOT =~ ^/[A-Za-z0-9._/-]+$ ]] || { echo "test-hosts: HARNESS_TEST_HOSTS_DIR must be an absolute plain path" >&2; exit 1; }
SSHD=/usr/sbin/sshd
NET_BASE=10.213
RULE_TAG=harness-test-hosts

die() { echo "test-hosts: $*" >&2; exit 1; }
valid_rid() { [[ $1 =~ ^[a-z0-9]{5}$ ]]; }
need_rid() { valid_rid "${1:-}" || die "bad run id '${1:-}' (5 characters a-z0-9)"; }
run_dir() { echo "$ROOT/$1"; }
host_dir() { echo "$ROOT/$1/h$2"; }

check() {
  [[ $(id -u) -eq 0 ]] || { echo "not root (network namespaces and sshd need root)"; return 1; }
  local t
  for t in ip unshare nsenter ssh-keygen setsid sleep mount; do
    command -v "$t" >/dev/null 2>&1 || { echo "'$t' is missing (scripts/setup-test-env.sh installs it)"; return 1; }
  done
  [[ -x $SSHD ]] || { echo "$SSHD is missing (install openssh-server: scripts/setup-test-env.sh)"; return 1; }
  local probe=${PREFIX}probe$$
  if ! ip netns add "$probe" 2>/dev/null; then echo "cannot create network namespaces here"; return 1; fi
  ip netns del "$probe" 2>/dev/null || true
  echo ok
}

# Owner liveness: pid plus its start time (field 22 of /proc/PID/stat), so a recycled pid is not
# mistaken for the owner.
start_time() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  echo "${20}"
}
run_alive() {
  local owner pid st
  owner=$(cat "$(run_dir "$1")/owner" 2>/dev/null) || return 1
  [[ $owner == none ]] && return 0
  read -r pid st <<<"$owner"
  [[ -n ${pid:-} && "$(start_time "$pid" 2>/dev/null)" == "${st:-x}" ]]
}

ip_to_int() { local IFS=.; read -r a b c d <<<"$1"; echo $(( (a << 24) | (b << 16) | (c << 8) | d )); }
# True when PREFIX (a.b.c.d[/len]) overlaps 10.213.N.0/24.
overlaps() {
  local net=${1%/*} len=32 n=$2
  [[ $1 == */* ]] && len=${1#*/}
  [[ $net =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  [[ $1 == default || $len -eq 0 ]] && return 1
  local a b m
  a=$(ip_to_int "$net"); b=$(ip_to_int "$NET_BASE.$n.0")
  local short=$(( len < 24 ? len : 24 ))
  m=$(( (0xffffffff << (32 - short)) & 0xffffffff ))
  (( (a & m) == (b & m) ))
}
subnet_in_use() {
  local n=$1 p
  while read -r p; do overlaps "$p" "$n" && return 0; done < <(
    ip -4 -o addr show | awk '{print $4}'
    ip -4 route show table all | awk '{ if ($1 ~ /^(local|broadcast|unicast|unreachable|blackhole|prohibit|throw|multicast|anycast)$/) print $2; else print $1 }'
  )
  return 1
}
claim_subnet() { # rid -> prints N
  local rid=$1 tries n
  mkdir -p "$ROOT/net"
  for tries in $(seq 1 40); do
    n=$(( (RANDOM % 250) + 1 ))
    subnet_in_use "$n" && continue
    # The symlink is the claim: created atomically, and it names its run.
    ln -s "$rid" "$ROOT/net/$n" 2>/dev/null || continue
    echo "$n"; return 0
  done
  die "no free $NET_BASE.N.0/24 after 40 attempts"
}

kill_netns_processes() { # ns
  local ns=$1 pids round
  for round in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -z $pids ]] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
}

destroy() {
  local rid=$1 ns link i
  need_rid "$rid"
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns =~ ^${PREFIX}${rid}n[0-9]+$ ]] || continue
    kill_netns_processes "$ns"
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $link =~ ^${PREFIX}${rid}[bvp][0-9]*$ ]] || continue
    ip link del "$link" 2>/dev/null || true
  done
  if command -v iptables >/dev/null 2>&1; then
    for i in 1 2 3 4 5 6 7 8 9 10; do
      iptables -w -D FORWARD -i "${PREFIX}${rid}b" -o "${PREFIX}${rid}b" -m comment --comment "$RULE_TAG:$rid" -j ACCEPT 2>/dev/null || break
    done
  fi
  local claim
  for claim in "$ROOT"/net/*; do
    [[ -L $claim && "$(readlink "$claim")" == "$rid" ]] && rm -f "$claim"
  done
  # Only a directory named by a valid run id under ROOT is ever removed.
  [[ -d "$ROOT/$rid" ]] && rm -rf --one-file-system "${ROOT:?}/$rid"
  return 0
}

sweep() {
  local d rid ns link claim rule swept=()
  mkdir -p "$ROOT"
  declare -A seen=()
  for d in "$ROOT"/*/; do
    rid=$(basename "$d")
    valid_rid "$rid" || continue
    seen[$rid]=1
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns =~ ^${PREFIX}([a-z0-9]{5})n[0-9]+$ ]] && seen[${BASH_REMATCH[1]}]=1
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $link =~ ^${PREFIX}([a-z0-9]{5})[bvp][0-9]*$ ]] && seen[${BASH_REMATCH[1]}]=1
  done
  if command -v iptables >/dev/null 2>&1; then
    while read -r rule; do
      [[ $rule =~ $RULE_TAG:([a-z0-9]{5}) ]] && seen[${BASH_REMATCH[1]}]=1
    done < <(iptables -w -S FORWARD 2>/dev/null || true)
  fi
  for claim in "$ROOT"/net/*; do
    [[ -L $claim ]] || continue
    rid=$(readlink "$claim")
    valid_rid "$rid" && seen[$rid]=1
  done
  for rid in "${!seen[@]}"; do
    run_alive "$rid" && continue
    # A run being created has its owner file written before anything else, so a run without one
    # is a leftover; one created within the last 10 s is left alone in case it is just starting.
    if [[ -d "$ROOT/$rid" && ! -f "$ROOT/$rid/owner" ]] && \
       [[ $(( $(date +%s) - $(stat -c %Y "$ROOT/$rid") )) -lt 10 ]]; then continue; fi
    destroy "$rid"
    swept+=("$rid")
  done
  if [[ ${#swept[@]} -gt 0 ]]; then echo "test-hosts: swept ${swept[*]}"; fi
  return 0
}

list() {
  local d rid
  for d in "$ROOT"/*/; do
    rid=$(basename "$d"); valid_rid "$rid" || continue
    if run_alive "$rid"; then echo "$rid live $(cat "$d/owner")"; else echo "$rid dead"; fi
  done
}

# --- one host ------------------------------------------------------------------------------------

write_sshd_config() { # rid i addr port2
  local rid=$1 i=$2 addr=$3 port2=$4 h
  h=$(host_dir "$rid" "$i")
  {
    echo "# Harness test host $rid/$i. Limits (MaxSessions, MaxStartups) and forwarding"
    echo "# (AllowTcpForwarding yes, GatewayPorts no) are sshd's defaults on purpose."
    echo "Port 22"
    [[ -n $port2 ]] && echo "Port $port2"
    echo "ListenAddress $addr"
    echo "HostKey /etc/ssh/ssh_host_ed25519_key"
    echo "HostKey /etc/ssh/ssh_host_ecdsa_key"
    echo "PidFile none"
    echo "UsePAM no"
    echo "PermitRootLogin prohibit-password"
    echo "PubkeyAuthentication yes"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "AuthorizedKeysFile /etc/ssh/authorized_keys"
    echo "StrictModes yes"
    echo "LogLevel VERBOSE"
    echo "PrintMotd no"
    echo "PrintLastLog no"
    echo "X11Forwarding no"
    echo "Subsystem sftp internal-sftp"
  } > "$h/etc-ssh/sshd_config"
}

start_anchor() { # rid i: a process that holds the host's net + mount namespaces across sshd restarts
  local rid=$1 i=$2 h ns
  h=$(host_dir "$rid" "$i"); ns=${PREFIX}${rid}n$i
  local binds="mount --bind '$h/etc-ssh' /etc/ssh && mount --bind '$h/root' /root && mount --bind '$h/opt' /opt && mount --bind '$h/run' /run"
  [[ -f $h/shadow ]] && binds="$binds && mount --bind '$h/shadow' /etc/shadow"
  # /tmp last: the host directory itself lives under /tmp.
  binds="$binds && mount --bind '$h/tmp' /tmp"
  setsid ip netns exec "$ns" unshare --mount --propagation private \
    sh -c "echo \$\$ > '$h/anchor.pid' && $binds && exec sleep infinity" </dev/null >"$h/anchor.log" 2>&1 &
  local _ pid=""
  for _ in $(seq 1 50); do
    pid=$(cat "$h/anchor.pid" 2>/dev/null || true)
    [[ -n $pid && "$(cat "/proc/$pid/comm" 2>/dev/null)" == sleep ]] && return 0
    sleep 0.05
  done
  die "host $i: the namespace holder did not start: $(cat "$h/anchor.log" 2>/dev/null)"
}

sshd_start() { # rid i -> prints the listener pid
  local rid=$1 i=$2 h anchor addr before pid _
  h=$(host_dir "$rid" "$i")
  [[ -d $h ]] || die "no host $i in run $rid"
  anchor=$(cat "$h/anchor.pid")
  addr=$(cat "$h/address")
  touch "$h/etc-ssh/sshd.log"
  nsenter -t "$anchor" -n -m -- "$SSHD" -t -f /etc/ssh/sshd_config || die "host $i: sshd -t rejected the config"
  before=$(wc -l < "$h/etc-ssh/sshd.log")
  setsid nsenter -t "$anchor" -n -m -- "$SSHD" -D -f /etc/ssh/sshd_config -E /etc/ssh/sshd.log \
    </dev/null >/dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$h/sshd.pid"
  for _ in $(seq 1 100); do
    if tail -n +"$((before + 1))" "$h/etc-ssh/sshd.log" | grep -q "Server listening on $addr port 22"; then
      echo "$pid"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  die "host $i: sshd did not start listening: $(tail -n 5 "$h/etc-ssh/sshd.log")"
}

sshd_stop() { # rid i TERM|KILL: every sshd process of the host, listener and per-connection ones
  local rid=$1 i=$2 sig=$3 ns pid left round
  ns=${PREFIX}${rid}n$i
  for round in $(seq 1 30); do
    left=()
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]] && left+=("$pid")
    done
    [[ ${#left[@]} -eq 0 ]] && return 0
    [[ $round -gt 20 ]] && sig=KILL
    kill "-$sig" "${left[@]}" 2>/dev/null || true
    sleep 0.1
  done
  die "host $i: sshd processes ${left[*]} survived"
}

create() {
  local hosts=1 port2="" owner="" authorized="" rid=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --hosts) hosts=$2; shift 2 ;;
      --port2) port2=$2; shift 2 ;;
      --owner) owner=$2; shift 2 ;;
      --authorized-keys) authorized=$2; shift 2 ;;
      --run) rid=$2; shift 2 ;;
      *) die "create: unknown option $1" ;;
    esac
  done
  [[ $hosts =~ ^[0-9]+$ && $hosts -ge 1 && $hosts -le 20 ]] || die "--hosts must be 1..20"
  [[ -z $port2 || ( $port2 =~ ^[0-9]+$ && $port2 -gt 0 && $port2 -lt 65536 && $port2 -ne 22 ) ]] || die "bad --port2"
  local why; why=$(check) || die "$why"
  if [[ -z $rid ]]; then
    local chars=abcdefghijklmnopqrstuvwxyz0123456789 _
    for _ in 1 2 3 4 5; do rid+=${chars:$(( RANDOM % 36 )):1}; done
  fi
  need_rid "$rid"
  [[ -z $owner ]] && owner=$PPID
  mkdir -p "$ROOT"; chmod 0755 "$ROOT"
  mkdir "$(run_dir "$rid")" || die "run $rid exists"
  local d; d=$(run_dir "$rid")
  # The owner is recorded before anything is made, so the sweeper can always tell whose it is.
  if [[ $owner == none ]]; then echo none > "$d/owner"
  else echo "$owner $(start_time "$owner" || die "owner $owner is not running")" > "$d/owner"; fi
  # Anything that fails from here on (die, or set -e) leaves nothing behind.
  CREATING=$rid
  trap '[[ -n ${CREATING:-} ]] && destroy "$CREATING" >/dev/null 2>&1' EXIT

  local n br=${PREFIX}${rid}b
  n=$(claim_subnet "$rid")
  echo "$n" > "$d/net"
  ip link add "$br" type bridge
  ip addr add "$NET_BASE.$n.1/24" dev "$br"
  ip link set "$br" up
  if [[ $hosts -gt 1 ]] && command -v iptables >/dev/null 2>&1; then
    iptables -w -I FORWARD -i "$br" -o "$br" -m comment --comment "$RULE_TAG:$rid" -j ACCEPT
  fi

  local root_locked=0
  [[ "$(getent shadow root | cut -d: -f2)" == '!'* ]] && root_locked=1

  local i ns veth peer addr h json_hosts="" keys k
  for (( i = 0; i < hosts; i++ )); do
    ns=${PREFIX}${rid}n$i; veth=${PREFIX}${rid}v$i; peer=${PREFIX}${rid}p$i
    addr=$NET_BASE.$n.$((10 + i))
    h=$(host_dir "$rid" "$i")
    ip netns add "$ns"
    ip link add "$veth" type veth peer name "$peer"
    ip link set "$peer" netns "$ns"
    ip link set "$veth" master "$br"
    ip link set "$veth" up
    ip -n "$ns" addr add "$addr/24" dev "$peer"
    ip -n "$ns" link set "$peer" up
    ip -n "$ns" link set lo up

    mkdir -p "$h"/{etc-ssh,root,opt,run/sshd,tmp}
    chmod 0700 "$h/root"; chmod 1777 "$h/tmp"; chmod 0755 "$h/opt" "$h/run" "$h/run/sshd" "$h/etc-ssh"
    echo "$addr" > "$h/address"
    ssh-keygen -q -t ed25519 -N '' -C "hxt-$rid-h$i" -f "$h/etc-ssh/ssh_host_ed25519_key"
    ssh-keygen -q -t ecdsa -b 256 -N '' -C "hxt-$rid-h$i" -f "$h/etc-ssh/ssh_host_ecdsa_key"
    for k in moduli ssh_config; do [[ -f /etc/ssh/$k ]] && cp "/etc/ssh/$k" "$h/etc-ssh/$k"; done
    if [[ -n $authorized ]]; then install -m 0600 "$authorized" "$h/etc-ssh/authorized_keys"
    else install -m 0600 /dev/null "$h/etc-ssh/authorized_keys"; fi
    # sshd without PAM refuses a locked account: the host gets its own shadow where root is
    # merely password-less ('*'), as on a stock Debian install.
    if [[ $root_locked -eq 1 ]]; then
      getent shadow | sed 's/^root:[^:]*:/root:*:/' > "$h/shadow"; chmod 0640 "$h/shadow"
    fi
    write_sshd_config "$rid" "$i" "$addr" "$port2"
    start_anchor "$rid" "$i"
    sshd_start "$rid" "$i" >/dev/null

    keys=""
    for k in ed25519 ecdsa; do
      keys+="${keys:+,}\"$(cut -d' ' -f1-2 "$h/etc-ssh/ssh_host_${k}_key.pub")\""
    done
    json_hosts+="${json_hosts:+,}{\"index\":$i,\"netns\":\"$ns\",\"veth\":\"$veth\",\"address\":\"$addr\",\"ports\":[22${port2:+,$port2}],\"dir\":\"$h\",\"anchorPid\":$(cat "$h/anchor.pid"),\"sshdPid\":$(cat "$h/sshd.pid"),\"hostKeys\":[$keys]}"
  done
  CREATING=""
  local json="{\"run\":\"$rid\",\"dir\":\"$d\",\"bridge\":\"$br\",\"subnet\":\"$NET_BASE.$n.0/24\",\"localAddress\":\"$NET_BASE.$n.1\",\"hosts\":[$json_hosts]}"
  echo "$json" > "$d/run.json"
  echo "$json"
}

host_ns_exec() { # rid i cmd...
  local rid=$1 i=$2 h; shift 2
  h=$(host_dir "$rid" "$i")
  [[ -f $h/anchor.pid ]] || die "no host $i in run $rid"
  exec nsenter -t "$(cat "$h/anchor.pid")" -n -m -- "$@"
}

cmd=${1:-}; shift || true
case $cmd in
  check) check ;;
  create) create "$@" ;;
  destroy) destroy "${1:-}" ;;
  sweep) sweep ;;
  list) list ;;
  link)
    need_rid "${1:-}"; [[ ${2:-} =~ ^[0-9]+$ ]] || die "link: host index"
    case ${3:-} in up|down) ip link set "${PREFIX}$1v$2" "$3" ;; *) die "link ID I up|down" ;; esac ;;
  sshd)
    need_rid "${1:-}"; [[ ${2:-} =~ ^[0-9]+$ ]] || die "sshd: host index"
    case ${3:-} in
      start) sshd_start "$1" "$2" ;;
      stop) sshd_stop "$1" "$2" TERM ;;
      kill) sshd_stop "$1" "$2" KILL ;;
      *) die "sshd ID I start|stop|kill" ;;
    esac ;;
  exec)
    need_rid "${1:-}"; [[ ${2:-} =~ ^[0-9]+$ ]] || die "exec: host index"
    host_ns_exec "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; [[ -z $cmd ]] && exit 0; exit 2 ;;
esac
