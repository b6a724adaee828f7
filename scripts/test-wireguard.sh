#!/usr/bin/env bash
# Real WireGuard tunnels between this machine and SSH test hosts (scripts/test-hosts.sh), for the
# Wireguard tests and for trying a Wireguard stack on one Linux machine. As root. Userspace
# WireGuard (wireguard-go + wg; this kernel has no WireGuard module): one interface here with a
# peer per host, one interface inside each host's network namespace, carried over the hosts'
# LAN (the test-hosts bridge). Each host also gets an sshd on its tunnel address (with the host's
# own keys and authorized_keys), so the host is reachable as a WireGuard peer.
#
#   test-wireguard.sh check                     prints why tunnels cannot be made here (exit 1), or "ok"
#   test-wireguard.sh create --hosts-run RID [--host I]... [--owner PID|none] [--run WID]
#                                               makes a tunnel to hosts I (default: every host of
#                                               run RID), prints its description (JSON) on stdout
#   test-wireguard.sh destroy WID               removes everything the run made
#   test-wireguard.sh sweep                     destroys runs whose owner process is gone (or whose
#                                               test hosts are gone), and any hxw* interface,
#                                               socket or wireguard-go process without a live run
#   test-wireguard.sh list                      run ids with their owner and state (live/dead)
#   test-wireguard.sh tunnel WID down|up        takes this machine's tunnel interface down or up
#   test-wireguard.sh tmpfs RID I PATH SIZE     mounts a tmpfs of SIZE (e.g. 4m) at PATH inside test
#                                               host I (its own mount namespace: not visible here)
#   test-wireguard.sh untmpfs RID I PATH        unmounts it again
#
# Names: interfaces are "hxw" + a 5-character run id + "l" (this machine) or "h" + host index
# (≤ 15 characters, the interface name limit). Each run takes one free 10.214.N.0/24 (this
# machine .1, host I .10+I), claimed atomically after checking no address or route here overlaps.
# With userspace WireGuard every interface's control socket is in the one /var/run/wireguard, so
# `wg show all` here also lists the hosts' interfaces, which live in other network namespaces:
# that is on purpose (the detection code must keep only interfaces of its own namespace).
# Hosts reach each other through this machine (a hub, as a WireGuard server would be): with more
# than one host an iptables FORWARD rule (commented "harness-test-wireguard:WID") lets the tunnel
# interface forward to itself, since Docker sets the FORWARD policy to DROP; this also needs
# net.ipv4.ip_forward=1, which the script reports ("hostsReachEachOther") but never changes.
# An "unreachable" route for the subnet (metric 4242) keeps the tunnel's traffic off the default
# route while the tunnel interface is down.
set -euo pipefail

PREFIX=hxw
ROOT=${HARNESS_TEST_WIREGUARD_DIR:-/tmp/harness-test-wireguard}
HOSTS_ROOT=${HARNESS_TEST_HOSTS_DIR:-/tmp/harness-test-hosts}
for d in "$ROOT" "$HOSTS_ROOT"; do
  [[ $d =~ ^/[A-Za-z0-9._/-]+$ ]] || { echo "test-wireguard: state directories must be absolute plain paths" >&2; exit 1; }
done
NET_BASE=10.214
SOCKETS=/var/run/wireguard
SSHD=/usr/sbin/sshd
RULE_TAG=harness-test-wireguard
# Metric of the run's "unreachable" route for its subnet (a tag as much as a metric): while the
# tunnel interface is down its own route is gone, and without this one the tunnel's addresses
# would be sent to the default gateway.
GUARD_METRIC=4242
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1

die() { echo "test-wireguard: $*" >&2; exit 1; }
valid_id() { [[ $1 =~ ^[a-z0-9]{5}$ ]]; }
need_id() { valid_id "${1:-}" || die "bad run id '${1:-}' (5 characters a-z0-9)"; }
run_dir() { echo "$ROOT/$1"; }
host_dir() { echo "$HOSTS_ROOT/$1/h$2"; }

check() {
  [[ $(id -u) -eq 0 ]] || { echo "not root (network namespaces and TUN devices need root)"; return 1; }
  local t
  for t in wireguard-go wg ip nsenter setsid; do
    command -v "$t" >/dev/null 2>&1 || { echo "'$t' is missing (scripts/setup-test-env.sh installs wireguard-go and wireguard-tools)"; return 1; }
  done
  [[ -c /dev/net/tun ]] || { echo "/dev/net/tun is missing (no TUN device for wireguard-go)"; return 1; }
  [[ -x $SSHD ]] || { echo "$SSHD is missing (install openssh-server)"; return 1; }
  echo ok
}

start_time() {
  local stat rest
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  echo "${20}"
}
run_alive() {
  local d owner pid st hrid
  d=$(run_dir "$1")
  owner=$(cat "$d/owner" 2>/dev/null) || return 1
  # A tunnel outlives neither its owner nor its test hosts.
  hrid=$(cat "$d/hosts-run" 2>/dev/null || true)
  [[ -n $hrid && -d $HOSTS_ROOT/$hrid ]] || return 1
  [[ $owner == none ]] && return 0
  read -r pid st <<<"$owner"
  [[ -n ${pid:-} && "$(start_time "$pid" 2>/dev/null)" == "${st:-x}" ]]
}

ip_to_int() { local IFS=.; read -r a b c d <<<"$1"; echo $(( (a << 24) | (b << 16) | (c << 8) | d )); }
overlaps() {
  local net=${1%/*} len=32 n=$2
  [[ $1 == */* ]] && len=${1#*/}
  [[ $net =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 1
  [[ $len -eq 0 ]] && return 1
  local a b m short=$(( len < 24 ? len : 24 ))
  a=$(ip_to_int "$net"); b=$(ip_to_int "$NET_BASE.$n.0")
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
claim_subnet() {
  local wid=$1 tries n
  mkdir -p "$ROOT/net"
  for tries in $(seq 1 40); do
    n=$(( (RANDOM % 250) + 1 ))
    subnet_in_use "$n" && continue
    ln -s "$wid" "$ROOT/net/$n" 2>/dev/null || continue
    echo "$n"; return 0
  done
  die "no free $NET_BASE.N.0/24 after 40 attempts"
}

# Is PID a wireguard-go (or sshd) of run WID? Checked before any signal, so a recycled pid is
# never hit.
is_ours() { # pid wid
  local args
  args=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $args == *"wireguard-go -f ${PREFIX}$2"* || $args == *"sshd_config.${PREFIX}$2"* ]]
}
stop_pid() { # pid wid
  local pid=$1 i
  is_ours "$pid" "$2" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 40); do is_ours "$pid" "$2" || return 0; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do is_ours "$pid" "$2" || return 0; sleep 0.05; done
}

destroy() {
  local wid=$1 d pid hrid h ns link f claim
  need_id "$wid"
  d=$(run_dir "$wid")
  # wireguard-go removes its interface and socket on SIGTERM; KILL leaves the socket behind.
  for f in "$d"/*.pid; do [[ -f $f ]] && stop_pid "$(cat "$f")" "$wid"; done
  while read -r pid; do
    [[ -n $pid ]] && stop_pid "$pid" "$wid"
  done < <(ps -eo pid=,args= | awk -v p="${PREFIX}${wid}" '($2 ~ /wireguard-go$/ && $3 == "-f" && index($4, p) == 1) || index($0, "sshd_config." p) {print $1}')
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $link =~ ^${PREFIX}${wid}(l|h[0-9]+)$ ]] && ip link del "$link" 2>/dev/null || true
  done
  hrid=$(cat "$d/hosts-run" 2>/dev/null || true)
  if [[ -n $hrid ]] && valid_id "$hrid"; then
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
      [[ $ns =~ ^hxt${hrid}n[0-9]+$ ]] || continue
      for link in $(ip -n "$ns" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
        [[ $link =~ ^${PREFIX}${wid}h[0-9]+$ ]] && ip -n "$ns" link del "$link" 2>/dev/null || true
      done
    done
    for h in "$HOSTS_ROOT/$hrid"/h*/etc-ssh; do
      [[ -d $h ]] && rm -f "$h/sshd_config.${PREFIX}${wid}" "$h/sshd-${PREFIX}${wid}.log"
    done
  fi
  for f in "$SOCKETS/${PREFIX}${wid}"*.sock; do [[ -S $f ]] && rm -f "$f"; done
  if command -v iptables >/dev/null 2>&1; then
    for f in 1 2 3 4 5; do
      iptables -w -D FORWARD -i "${PREFIX}${wid}l" -o "${PREFIX}${wid}l" -m comment --comment "$RULE_TAG:$wid" -j ACCEPT 2>/dev/null || break
    done
  fi
  local n
  n=$(cat "$d/net" 2>/dev/null || true)
  [[ $n =~ ^[0-9]+$ ]] && ip route del unreachable "$NET_BASE.$n.0/24" metric "$GUARD_METRIC" 2>/dev/null || true
  for claim in "$ROOT"/net/*; do
    [[ -L $claim && "$(readlink "$claim")" == "$wid" ]] && rm -f "$claim"
  done
  [[ -d $d ]] && rm -rf --one-file-system "${ROOT:?}/$wid"
  return 0
}

sweep() {
  local d wid link f claim swept=()
  mkdir -p "$ROOT"
  declare -A seen=()
  for d in "$ROOT"/*/; do
    wid=$(basename "$d"); valid_id "$wid" && seen[$wid]=1
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [[ $link =~ ^${PREFIX}([a-z0-9]{5})(l|h[0-9]+)$ ]] && seen[${BASH_REMATCH[1]}]=1
  done
  for f in "$SOCKETS"/${PREFIX}*.sock; do
    [[ $(basename "$f") =~ ^${PREFIX}([a-z0-9]{5})(l|h[0-9]+)\.sock$ ]] && seen[${BASH_REMATCH[1]}]=1
  done
  while read -r wid; do [[ -n $wid ]] && seen[$wid]=1; done < <(
    ps -eo args= | awk -v p="$PREFIX" '$1 ~ /wireguard-go$/ && $2 == "-f" && index($3, p) == 1 {print substr($3, 4, 5)}'
  )
  for claim in "$ROOT"/net/*; do
    [[ -L $claim ]] || continue
    wid=$(readlink "$claim"); valid_id "$wid" && seen[$wid]=1
  done
  if command -v iptables >/dev/null 2>&1; then
    while read -r f; do
      [[ $f =~ $RULE_TAG:([a-z0-9]{5}) ]] && seen[${BASH_REMATCH[1]}]=1
    done < <(iptables -w -S FORWARD 2>/dev/null || true)
  fi
  for wid in "${!seen[@]}"; do
    valid_id "$wid" || continue
    run_alive "$wid" && continue
    if [[ -d "$ROOT/$wid" && ! -f "$ROOT/$wid/owner" ]] && \
       [[ $(( $(date +%s) - $(stat -c %Y "$ROOT/$wid") )) -lt 10 ]]; then continue; fi
    destroy "$wid"
    swept+=("$wid")
  done
  # Guard routes whose run is gone (its claim removed) are removed too.
  local route rn
  while read -r route; do
    [[ $route =~ ^unreachable\ ${NET_BASE//./\\.}\.([0-9]+)\.0/24\ .*metric\ $GUARD_METRIC ]] || continue
    rn=${BASH_REMATCH[1]}
    if [[ -L $ROOT/net/$rn ]] && run_alive "$(readlink "$ROOT/net/$rn")"; then continue; fi
    ip route del unreachable "$NET_BASE.$rn.0/24" metric "$GUARD_METRIC" 2>/dev/null || true
  done < <(ip -4 route show type unreachable 2>/dev/null || true)
  if [[ ${#swept[@]} -gt 0 ]]; then echo "test-wireguard: swept ${swept[*]}"; fi
  return 0
}

list() {
  local d wid
  for d in "$ROOT"/*/; do
    wid=$(basename "$d"); valid_id "$wid" || continue
    if run_alive "$wid"; then echo "$wid live $(cat "$d/owner") hosts $(cat "$d/hosts-run")"; else echo "$wid dead"; fi
  done
}

# --- making a tunnel -----------------------------------------------------------------------------

wait_socket() { # name pid
  local _
  for _ in $(seq 1 100); do
    [[ -S $SOCKETS/$1.sock ]] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  die "wireguard-go for $1 did not start"
}

start_wg() { # wid name logfile [anchor]: wireguard-go in the foreground, detached; prints its pid
  local wid=$1 name=$2 log=$3 anchor=${4:-} pid
  if [[ -z $anchor ]]; then
    setsid wireguard-go -f "$name" </dev/null >"$log" 2>&1 &
  else
    # Only the network namespace: the control socket stays in this machine's /var/run/wireguard.
    setsid nsenter -t "$anchor" -n -- wireguard-go -f "$name" </dev/null >"$log" 2>&1 &
  fi
  pid=$!
  echo "$pid" > "$(run_dir "$wid")/$name.pid"
  wait_socket "$name" "$pid"
  echo "$pid"
}

start_tunnel_sshd() { # wid hrid i address -> pid
  local wid=$1 hrid=$2 i=$3 addr=$4 h anchor conf log pid _
  h=$(host_dir "$hrid" "$i"); anchor=$(cat "$h/anchor.pid")
  conf=sshd_config.${PREFIX}${wid}
  log=sshd-${PREFIX}${wid}.log
  sed -e "s/^ListenAddress .*/ListenAddress $addr/" -e '/^Port /d' "$h/etc-ssh/sshd_config" > "$h/etc-ssh/$conf"
  sed -i "1i Port 22" "$h/etc-ssh/$conf"
  : > "$h/etc-ssh/$log"
  nsenter -t "$anchor" -n -m -- "$SSHD" -t -f "/etc/ssh/$conf" || die "host $i: sshd -t rejected $conf"
  setsid nsenter -t "$anchor" -n -m -- "$SSHD" -D -f "/etc/ssh/$conf" -E "/etc/ssh/$log" </dev/null >/dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$(run_dir "$wid")/sshd-h$i.pid"
  for _ in $(seq 1 100); do
    grep -q "Server listening on $addr port 22" "$h/etc-ssh/$log" && { echo "$pid"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  die "host $i: sshd did not start listening on $addr: $(tail -n 5 "$h/etc-ssh/$log")"
}

create() {
  local hrid="" owner="" wid="" hosts=()
  while [[ $# -gt 0 ]]; do
    case $1 in
      --hosts-run) hrid=$2; shift 2 ;;
      --host) hosts+=("$2"); shift 2 ;;
      --owner) owner=$2; shift 2 ;;
      --run) wid=$2; shift 2 ;;
      *) die "create: unknown option $1" ;;
    esac
  done
  need_id "$hrid"
  [[ -f $HOSTS_ROOT/$hrid/run.json ]] || die "no test-hosts run $hrid (scripts/test-hosts.sh create makes one)"
  local why; why=$(check) || die "$why"
  if [[ ${#hosts[@]} -eq 0 ]]; then
    local h
    for h in "$HOSTS_ROOT/$hrid"/h*/; do h=$(basename "$h"); hosts+=("${h#h}"); done
  fi
  local i
  for i in "${hosts[@]}"; do
    [[ $i =~ ^[0-9]+$ && -f $(host_dir "$hrid" "$i")/anchor.pid ]] || die "run $hrid has no host $i"
  done
  if [[ -z $wid ]]; then
    local chars=abcdefghijklmnopqrstuvwxyz0123456789 _
    for _ in 1 2 3 4 5; do wid+=${chars:$(( RANDOM % 36 )):1}; done
  fi
  need_id "$wid"
  [[ -z $owner ]] && owner=$PPID
  mkdir -p "$ROOT"; chmod 0755 "$ROOT"
  mkdir "$(run_dir "$wid")" || die "run $wid exists"
  local d; d=$(run_dir "$wid")
  chmod 0700 "$d"
  if [[ $owner == none ]]; then echo none > "$d/owner"
  else echo "$owner $(start_time "$owner" || die "owner $owner is not running")" > "$d/owner"; fi
  echo "$hrid" > "$d/hosts-run"
  CREATING=$wid
  trap '[[ -n ${CREATING:-} ]] && destroy "$CREATING" >/dev/null 2>&1' EXIT

  local n; n=$(claim_subnet "$wid")
  echo "$n" > "$d/net"
  ip route add unreachable "$NET_BASE.$n.0/24" metric "$GUARD_METRIC"
  # This machine's address on the hosts' LAN: the tunnel's underlay endpoint here.
  local lan_local; lan_local=$(sed -E 's/.*"localAddress":"([0-9.]+)".*/\1/' "$HOSTS_ROOT/$hrid/run.json")
  [[ $lan_local =~ ^[0-9]+(\.[0-9]+){3}$ ]] || die "cannot read the LAN address of test-hosts run $hrid"
  local lname=${PREFIX}${wid}l laddr=$NET_BASE.$n.1
  umask 077
  wg genkey > "$d/$lname.key"; wg pubkey < "$d/$lname.key" > "$d/$lname.pub"
  local lpid; lpid=$(start_wg "$wid" "$lname" "$d/$lname.log")
  wg set "$lname" private-key "$d/$lname.key" listen-port 0
  ip addr add "$laddr/24" dev "$lname"
  ip link set "$lname" up
  local lport; lport=$(wg show "$lname" listen-port)

  local json_hosts="" hname hpid haddr hport hns anchor under spid
  for i in "${hosts[@]}"; do
    hname=${PREFIX}${wid}h$i; haddr=$NET_BASE.$n.$((10 + i)); hns=hxt${hrid}n$i
    anchor=$(cat "$(host_dir "$hrid" "$i")/anchor.pid")
    under=$(cat "$(host_dir "$hrid" "$i")/address")
    wg genkey > "$d/$hname.key"; wg pubkey < "$d/$hname.key" > "$d/$hname.pub"
    hpid=$(start_wg "$wid" "$hname" "$d/$hname.log" "$anchor")
    wg set "$hname" private-key "$d/$hname.key" listen-port 0 \
      peer "$(cat "$d/$lname.pub")" endpoint "$lan_local:$lport" allowed-ips "$NET_BASE.$n.0/24"
    ip -n "$hns" addr add "$haddr/24" dev "$hname"
    ip -n "$hns" link set "$hname" up
    hport=$(wg show "$hname" listen-port)
    wg set "$lname" peer "$(cat "$d/$hname.pub")" endpoint "$under:$hport" allowed-ips "$haddr/32"
    spid=$(start_tunnel_sshd "$wid" "$hrid" "$i" "$haddr")
    json_hosts+="${json_hosts:+,}{\"index\":$i,\"netns\":\"$hns\",\"interface\":\"$hname\",\"address\":\"$haddr\",\"underlay\":\"$under\",\"listenPort\":$hport,\"publicKey\":\"$(cat "$d/$hname.pub")\",\"wgPid\":$hpid,\"sshdPid\":$spid}"
  done
  local forward=false
  if [[ ${#hosts[@]} -gt 1 ]] && command -v iptables >/dev/null 2>&1; then
    iptables -w -I FORWARD -i "$lname" -o "$lname" -m comment --comment "$RULE_TAG:$wid" -j ACCEPT
    [[ $(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null) == 1 ]] && forward=true
  fi
  CREATING=""
  local json="{\"run\":\"$wid\",\"hostsReachEachOther\":$forward,\"dir\":\"$d\",\"hostsRun\":\"$hrid\",\"subnet\":\"$NET_BASE.$n.0/24\",\"interface\":\"$lname\",\"localAddress\":\"$laddr\",\"underlay\":\"$lan_local\",\"listenPort\":$lport,\"publicKey\":\"$(cat "$d/$lname.pub")\",\"wgPid\":$lpid,\"hosts\":[$json_hosts]}"
  echo "$json" > "$d/run.json"
  echo "$json"
}

host_anchor() { # hrid i
  local f; f=$(host_dir "$1" "$2")/anchor.pid
  [[ -f $f ]] || die "no host $2 in test-hosts run $1"
  cat "$f"
}

cmd=${1:-}; shift || true
case $cmd in
  check) check ;;
  create) create "$@" ;;
  destroy) destroy "${1:-}" ;;
  sweep) sweep ;;
  list) list ;;
  tunnel)
    need_id "${1:-}"
    case ${2:-} in up|down) ip link set "${PREFIX}$1l" "$2" ;; *) die "tunnel WID down|up" ;; esac ;;
  tmpfs)
    need_id "${1:-}"; [[ ${2:-} =~ ^[0-9]+$ ]] || die "tmpfs: host index"
    [[ ${3:-} =~ ^/[A-Za-z0-9._/-]+$ && ${4:-} =~ ^[0-9]+[kmg]$ ]] || die "tmpfs RID I /abs/path SIZE (e.g. 4m)"
    anchor=$(host_anchor "$1" "$2")
    nsenter -t "$anchor" -m -- mkdir -p "$3"
    nsenter -t "$anchor" -m -- mount -t tmpfs -o "size=$4,mode=0755" tmpfs "$3" ;;
  untmpfs)
    need_id "${1:-}"; [[ ${2:-} =~ ^[0-9]+$ ]] || die "untmpfs: host index"
    [[ ${3:-} =~ ^/[A-Za-z0-9._/-]+$ ]] || die "untmpfs RID I /abs/path"
    anchor=$(host_anchor "$1" "$2")
    nsenter -t "$anchor" -m -- umount "$3" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; [[ -z $cmd ]] && exit 0; exit 2 ;;
esac
