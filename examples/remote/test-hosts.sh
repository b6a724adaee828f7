#!/usr/bin/env bash
# Two "LAN hosts" on this machine for the remote example, without a second computer: network
# namespaces on a bridge, each with its own sshd (scripts/test-hosts.sh makes them), reachable
# with a key made for them. As root.
#   sudo examples/remote/test-hosts.sh up      make the hosts, write examples/remote/.env
#   sudo examples/remote/test-hosts.sh down    remove them, the key, .env and their known_hosts lines
#   examples/remote/test-hosts.sh status       the hosts' addresses, if they exist
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hosts_script="$here/../../scripts/test-hosts.sh"
state="${XDG_STATE_HOME:-$HOME/.local/state}/harness-example-remote"
env_file="$here/.env"

case ${1:-} in
  up)
    if [[ -f $state/run ]]; then echo "already up (run $(cat "$state/run")); \`$0 down\` first" >&2; exit 1; fi
    mkdir -p "$state"; chmod 700 "$state"
    [[ -f $state/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C harness-example-remote -f "$state/id_ed25519"
    # --owner none: the hosts stay until `down` (not tied to this shell).
    desc=$(bash "$hosts_script" create --hosts 2 --owner none --authorized-keys "$state/id_ed25519.pub")
    run=$(sed -n 's/.*"run":"\([a-z0-9]*\)".*/\1/p' <<<"$desc")
    mapfile -t addrs < <(grep -o '"address":"[0-9.]*"' <<<"$desc" | cut -d'"' -f4)
    echo "$run" > "$state/run"
    printf '%s\n' "${addrs[@]}" > "$state/addresses"
    {
      echo "# Written by test-hosts.sh up (run $run); removed by test-hosts.sh down."
      echo "REMOTE_HOST_A=${addrs[0]}"
      echo "REMOTE_HOST_B=${addrs[1]}"
      echo "REMOTE_USER=root"
      echo "REMOTE_IDENTITY=$state/id_ed25519"
    } > "$env_file"
    echo "hosts up: A=${addrs[0]} B=${addrs[1]} (run $run); wrote $env_file"
    echo "next: harness up -f $here/services.yaml --accept-new-hosts   (or: harness trust ${addrs[0]}; harness trust ${addrs[1]})"
    ;;
  down)
    if [[ -f $state/run ]]; then
      bash "$hosts_script" destroy "$(cat "$state/run")"
      # Their keys were trusted for these addresses only; the next run has other keys.
      if [[ -f $state/addresses ]]; then
        while read -r a; do ssh-keygen -R "$a" -f "$HOME/.ssh/known_hosts" >/dev/null 2>&1 || true; done < "$state/addresses"
      fi
    fi
    rm -rf "$state" "$env_file"
    echo "hosts removed"
    ;;
  status)
    if [[ -f $state/run ]]; then echo "run $(cat "$state/run"): $(tr '\n' ' ' < "$state/addresses")"; else echo "no hosts"; fi
    ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
