#!/usr/bin/env bash
# A WireGuard peer on this machine for the example, without a second computer: an SSH test host (a
# network namespace with its own sshd, scripts/test-hosts.sh) and a real userspace WireGuard
# tunnel to it (wireguard-go + wg, scripts/test-wireguard.sh), reachable with a key made for it.
# As root.
#   sudo examples/wireguard/tunnel.sh up      make the peer and the tunnel, write examples/wireguard/.env
#   sudo examples/wireguard/tunnel.sh down    remove them, the key, .env and their known_hosts lines
#   examples/wireguard/tunnel.sh status       the peer's tunnel address, if it exists
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hosts_script="$here/../../scripts/test-hosts.sh"
wg_script="$here/../../scripts/test-wireguard.sh"
state="${XDG_STATE_HOME:-$HOME/.local/state}/harness-example-wireguard"
env_file="$here/.env"

case ${1:-} in
  up)
    if [[ -f $state/run ]]; then echo "already up (run $(cat "$state/run")); \`$0 down\` first" >&2; exit 1; fi
    check=$(bash "$wg_script" check 2>&1) || { echo "cannot make a tunnel here: $check" >&2; exit 1; }
    mkdir -p "$state"; chmod 700 "$state"
    [[ -f $state/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C harness-example-wireguard -f "$state/id_ed25519"
    # --owner none: the host and the tunnel stay until `down` (not tied to this shell).
    desc=$(bash "$hosts_script" create --hosts 1 --owner none --authorized-keys "$state/id_ed25519.pub")
    run=$(sed -n 's/.*"run":"\([a-z0-9]*\)".*/\1/p' <<<"$desc")
    echo "$run" > "$state/run"
    wg=$(bash "$wg_script" create --hosts-run "$run" --owner none)
    wid=$(sed -n 's/^{"run":"\([a-z0-9]*\)".*/\1/p' <<<"$wg")
    echo "$wid" > "$state/wg"
    iface=$(sed -n 's/.*"interface":"\([a-z0-9]*\)","localAddress".*/\1/p' <<<"$wg")
    peer=$(grep -o '"hosts":\[.*' <<<"$wg" | grep -o '"address":"[0-9.]*"' | head -n 1 | cut -d'"' -f4)
    echo "$peer" > "$state/addresses"
    {
      echo "# Written by tunnel.sh up (hosts run $run, tunnel $wid); removed by tunnel.sh down."
      echo "WG_PEER=$peer"
      echo "WG_USER=root"
      echo "WG_IDENTITY=$state/id_ed25519"
    } > "$env_file"
    echo "peer up: $peer inside the tunnel $iface (hosts run $run, tunnel $wid); wrote $env_file"
    echo "next: harness pack $here/app -o $here/api.tar.gz && harness serve -f $here/services.yaml --accept-new-hosts"
    ;;
  down)
    [[ -f $state/wg ]] && bash "$wg_script" destroy "$(cat "$state/wg")"
    if [[ -f $state/run ]]; then
      bash "$hosts_script" destroy "$(cat "$state/run")"
      if [[ -f $state/addresses ]]; then
        while read -r a; do ssh-keygen -R "$a" -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1 || true; done < "$state/addresses"
      fi
    fi
    rm -rf "$state" "$env_file"
    echo "peer and tunnel removed"
    ;;
  status)
    if [[ -f $state/run ]]; then echo "hosts run $(cat "$state/run"), tunnel $(cat "$state/wg" 2>/dev/null): peer $(cat "$state/addresses")"; else echo "no peer"; fi
    ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
