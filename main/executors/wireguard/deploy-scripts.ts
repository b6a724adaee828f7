// The POSIX sh the deployer runs on a host, for one service's releases under
// SVC = <install_root>/<service> (docs/packages.md) and its run directory RUNDIR (the RemoteLan
// one: env file, pids, logs). Installed once per project root next to the RemoteLan scripts and
// named by content, as they are; every argument travels as its own quoted word.
//
// The switch to a new release is a small transaction with a journal (SVC/deploy) and a watchdog
// running detached on the host, so that a deploy interrupted at any point — the connection cut,
// Ctrl-C, the supervisor killed — still ends with the previous release current and, if it was
// running, serving:
//   begin     journal "DEPLOY FROM TO PREVIOUS WAS-RUNNING", the old run's env/launch saved,
//             the watchdog started (setsid);
//   switch    previous -> FROM, current -> TO (each a symlink renamed over the old one);
//   (the supervisor stops the old run and launches the new one under the RemoteLan wrapper)
//   commit    the supervisor saw the new release healthy: it is final;
//   abort     it did not: restore;
//   watchdog  neither came within DEADLINE: restore.
// Whoever decides first wins (`mkdir SVC/deploy-DEPLOY.decided` is atomic); a restore puts the
// links back, stops what runs unless it is the previous release, and starts that release again
// with its own env and launch files when it was running. The result is SVC/deploy-DEPLOY.result.
import { KILL_SH, LAUNCH_SH, MEMBERS_FUNCTION, SIGNAL_SH, STAT_FUNCTIONS, WRAPPER_SCRIPT, installedScript, type InstalledScript } from '../remote-lan/index.js';

export const LAUNCH_SCRIPT = installedScript('launch', LAUNCH_SH);
export const SIGNAL_SCRIPT = installedScript('signal', SIGNAL_SH);
export const KILL_SCRIPT = installedScript('kill', KILL_SH);

const DEPLOY_SH = `# Harness deploy helper (main/executors/wireguard/deploy-scripts.ts)
hx_cmd=$1
shift
hx_self=$0
hx_lib=\${0%/*}
hx_launch="$hx_lib/${LAUNCH_SCRIPT.name}"
hx_signal="$hx_lib/${SIGNAL_SCRIPT.name}"
hx_kill="$hx_lib/${KILL_SCRIPT.name}"
hx_wrapper="$hx_lib/${WRAPPER_SCRIPT.name}"
${STAT_FUNCTIONS}
${MEMBERS_FUNCTION}
read -r hx_boot < /proc/sys/kernel/random/boot_id
hx_is_id() {
  case $1 in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) return 0 ;;
  esac
  return 1
}
# NAME -> releases/ID, atomically (a new link renamed over the old one), or NAME removed for "-".
hx_link() {
  if [ "$2" = - ]; then rm -f -- "$1"; return 0; fi
  rm -f -- "$1.hx-tmp"
  ln -s -- "releases/$2" "$1.hx-tmp" && mv -f -T -- "$1.hx-tmp" "$1"
}
hx_target() {
  hx_t=$(readlink -- "$1" 2>/dev/null) || { echo -; return; }
  hx_t=\${hx_t#releases/}
  hx_is_id "$hx_t" && echo "$hx_t" || echo -
}
hx_run_alive() {
  { read -r hx_a hx_b hx_c < "$1/wrapper"; } 2>/dev/null || return 1
  [ "$hx_c" = "$hx_boot" ] || return 1
  hx_alive "$hx_a" "$hx_b" && return 0
  { read -r hx_a hx_b < "$1/pid"; } 2>/dev/null && hx_alive "$hx_a" "$hx_b"
}
hx_run_wd() {
  [ -f "$1/launch" ] || return 0
  ( hx_wd=; . "$1/launch" >/dev/null 2>&1; printf '%s' "$hx_wd" )
}
# Waits (tenths of a second) while the run in RUNDIR is alive.
hx_wait_run() {
  hx_n=0
  while hx_run_alive "$1" && [ $hx_n -lt "$2" ]; do hx_n=$((hx_n + 1)); sleep 0.1; done
}

hx_state() { # SVC RUNDIR
  hx_s=$1
  if [ -d "$hx_s" ]; then echo "svc 1"; else echo "svc 0"; fi
  echo "current $(hx_target "$hx_s/current")"
  echo "previous $(hx_target "$hx_s/previous")"
  if { read -r hx_a hx_b < "$hx_s/pinned"; } 2>/dev/null; then echo "pinned $hx_a $hx_b"; else echo "pinned -"; fi
  if { read -r hx_a < "$hx_s/deploy"; } 2>/dev/null; then echo "journal $hx_a"; else echo "journal -"; fi
  for hx_d in "$hx_s"/releases/*/; do
    [ -d "$hx_d" ] || continue
    hx_id=\${hx_d%/}
    hx_id=\${hx_id##*/}
    hx_is_id "$hx_id" || continue
    hx_sha=-
    { read -r hx_sha < "$hx_s/releases/$hx_id.sha256"; } 2>/dev/null || hx_sha=-
    hx_st=0; [ -x "$hx_d/stop.sh" ] && hx_st=1
    hx_he=0; [ -x "$hx_d/health.sh" ] && hx_he=1
    echo "release $hx_id $hx_sha $hx_st $hx_he"
  done
  hx_p=$hx_s
  while [ ! -d "$hx_p" ]; do hx_p=\${hx_p%/*}; [ -n "$hx_p" ] || hx_p=/; done
  echo "avail $(df -Pk -- "$hx_p" 2>/dev/null | awk 'NR == 2 { print $4 }')"
  if [ -w "$hx_p" ]; then echo "writable 1 $hx_p"; else echo "writable 0 $hx_p"; fi
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then echo "tar gnu"; else echo "tar other"; fi
  if hx_run_alive "$2"; then echo "run 1 $(hx_run_wd "$2")"; else echo "run 0 $(hx_run_wd "$2")"; fi
}

# Puts the links back, stops what runs unless it is the release restored, and starts that release
# again (its own env and launch files) when it was running before the deploy.
hx_restore() { # SVC RUNDIR FROM PREVIOUS WAS SIG GRACE
  hx_s=$1 hx_rd=$2 hx_from=$3 hx_pp=$4 hx_was=$5 hx_sig=$6 hx_grace=$7
  cd -- "$hx_s" || { echo "failed cannot enter $hx_s"; return; }
  hx_link current "$hx_from" || { echo "failed cannot switch current back"; return; }
  hx_link previous "$hx_pp"
  if hx_run_alive "$hx_rd" && [ "$(hx_run_wd "$hx_rd")" != "$hx_s/releases/$hx_from" ]; then
    sh "$hx_signal" "$hx_rd" "$hx_sig" >/dev/null 2>&1
    hx_wait_run "$hx_rd" "$hx_grace"
    if hx_run_alive "$hx_rd"; then sh "$hx_kill" "$hx_rd" >/dev/null 2>&1; hx_wait_run "$hx_rd" 50; fi
  fi
  if [ "$hx_was" = 1 ] && [ "$hx_from" != - ] && ! hx_run_alive "$hx_rd"; then
    [ -f "$hx_rd/env.prev" ] && mv -f -- "$hx_rd/env.prev" "$hx_rd/env"
    [ -f "$hx_rd/launch.prev" ] && mv -f -- "$hx_rd/launch.prev" "$hx_rd/launch"
    hx_out=$(cd && sh "$hx_launch" "$hx_wrapper" "$hx_rd" 2>&1)
    echo "rolled-back $hx_from started $hx_out"
  else
    echo "rolled-back $hx_from"
  fi
}

# The restore of deploy DEPLOY, by whoever decided it; the result file says how it ended.
hx_restore_deploy() { # SVC RUNDIR DEPLOY SIG GRACE FORCE (1: start the previous release in any case)
  { read -r hx_j hx_from hx_to hx_pp hx_was < "$1/deploy"; } 2>/dev/null || return 0
  [ "$hx_j" = "$3" ] || return 0
  [ "$6" = 1 ] && hx_was=1
  hx_res=$(hx_restore "$1" "$2" "$hx_from" "$hx_pp" "$hx_was" "$4" "$5")
  printf '%s\\n' "$hx_res" > "$1/deploy-$3.result.tmp" && mv -f -- "$1/deploy-$3.result.tmp" "$1/deploy-$3.result"
  rm -f -- "$1/deploy"
}

# Ends the deploy DEPLOY recorded in the journal by a restore (detached, so that it finishes even
# if this command's connection drops), unless it was decided already; waits WAIT tenths for the
# result and prints it.
hx_abort() { # SVC RUNDIR DEPLOY SIG GRACE WAIT FORCE
  if mkdir -- "$1/deploy-$3.decided" 2>/dev/null; then
    setsid -f sh "$hx_self" restore "$1" "$2" "$3" "$4" "$5" "$7" < /dev/null >> "$2/deploy.log" 2>&1
  fi
  hx_n=0
  while [ ! -f "$1/deploy-$3.result" ] && [ $hx_n -lt "$6" ]; do hx_n=$((hx_n + 1)); sleep 0.1; done
  if [ -f "$1/deploy-$3.result" ]; then cat -- "$1/deploy-$3.result"; else echo pending; fi
}

case $hx_cmd in
  prepare) # SVC RUNDIR: the directories, leftovers of interrupted transfers and extractions removed
    hx_s=$1
    mkdir -p -- "$hx_s/releases" "$hx_s/incoming" "$hx_s/data" 2>/dev/null || { echo "E mkdir $(mkdir -p -- "$hx_s/releases" 2>&1 | head -n 1)"; hx_state "$hx_s" "$2"; exit 0; }
    chmod 0700 -- "$hx_s/data"
    if [ ! -f "$hx_s/deploy" ]; then
      rm -f -- "$hx_s"/incoming/* 2>/dev/null
      for hx_d in "$hx_s"/releases/*.partial; do [ -d "$hx_d" ] && rm -rf -- "$hx_d"; done
    fi
    echo "E none"
    hx_state "$hx_s" "$2"
    ;;
  state) hx_state "$1" "$2" ;;
  verify) # SVC NAME FILE-SHA256: incoming/NAME.tar.part becomes incoming/NAME.tar once it checks
    hx_f="$1/incoming/$2.tar.part"
    [ -f "$hx_f" ] || { echo "E missing"; exit 0; }
    hx_got=$(sha256sum -- "$hx_f" 2>&1) || { echo "E sha256sum $hx_got"; exit 0; }
    hx_got=\${hx_got%% *}
    [ "$hx_got" = "$3" ] || { rm -f -- "$hx_f"; echo "E mismatch $hx_got"; exit 0; }
    mv -f -- "$hx_f" "$1/incoming/$2.tar" && echo ok || echo "E rename"
    ;;
  extract) # SVC NAME ID TAR-FLAVOUR: incoming/NAME.tar into a new releases/ID, through ID.partial
    hx_s=$1 hx_id=$3
    hx_is_id "$hx_id" || { echo "E id"; exit 0; }
    cd -- "$hx_s/releases" || { echo "E cd"; exit 0; }
    rm -rf -- "$hx_id.partial"
    mkdir -- "$hx_id.partial" || { echo "E mkdir"; exit 0; }
    if [ "$4" = gnu ]; then
      hx_out=$(tar -x -p -f "../incoming/$2.tar" -C "$hx_id.partial" 2>&1)
    else
      hx_out=$(tar -x -f "../incoming/$2.tar" -C "$hx_id.partial" 2>&1)
    fi
    hx_rc=$?
    if [ $hx_rc -ne 0 ]; then
      rm -rf -- "$hx_id.partial"
      echo "E tar $(printf '%s' "$hx_out" | tail -n 3 | tr '\\n' ' ')"
      exit 0
    fi
    if ! { printf '%s\\n' "$2" > "$hx_id.sha256.tmp" && mv -f -- "$hx_id.sha256.tmp" "$hx_id.sha256"; } 2>/dev/null; then
      rm -rf -- "$hx_id.partial" "$hx_id.sha256.tmp"
      echo "E write $(df -Pk . 2>/dev/null | awk 'NR == 2 { print $4 }')"
      exit 0
    fi
    mv -T -- "$hx_id.partial" "$hx_id" || { rm -rf -- "$hx_id.partial"; rm -f -- "$hx_id.sha256"; echo "E rename"; exit 0; }
    rm -f -- "../incoming/$2.tar"
    echo ok
    ;;
  begin) # SVC RUNDIR DEPLOY FROM TO DEADLINE SIG GRACE (DEADLINE and GRACE in tenths of a second)
    hx_s=$1 hx_rd=$2
    cd -- "$hx_s" || { echo "E cd"; exit 0; }
    if { read -r hx_j hx_rest < deploy; } 2>/dev/null; then
      # An earlier deploy that never ended: restored first (by its watchdog, or now).
      hx_abort "$hx_s" "$hx_rd" "$hx_j" "$7" "$8" $(( $8 * 3 + 150 )) 0 >/dev/null
      [ -f deploy ] && { echo "E busy $hx_j"; exit 0; }
    fi
    rm -rf -- deploy-*
    [ -d "$hx_rd" ] || mkdir -p -m 0700 -- "$hx_rd" || { echo "E rundir"; exit 0; }
    hx_was=0
    hx_run_alive "$hx_rd" && hx_was=1
    for hx_f in env launch; do
      if [ -f "$hx_rd/$hx_f" ]; then cp -p -- "$hx_rd/$hx_f" "$hx_rd/$hx_f.prev"; else rm -f -- "$hx_rd/$hx_f.prev"; fi
    done
    printf '%s %s %s %s %s\\n' "$3" "$4" "$5" "$(hx_target previous)" "$hx_was" > deploy.tmp && mv -f -- deploy.tmp deploy || { echo "E journal"; exit 0; }
    setsid -f sh "$hx_self" watchdog "$hx_s" "$hx_rd" "$3" "$6" "$7" "$8" < /dev/null >> "$hx_rd/deploy.log" 2>&1 || { rm -f deploy; echo "E setsid"; exit 0; }
    echo "ok $hx_was"
    ;;
  switch) # SVC FROM TO
    cd -- "$1" || { echo "E cd"; exit 0; }
    if [ "$2" != - ] && [ "$2" != "$3" ]; then hx_link previous "$2" || { echo "E previous"; exit 0; }; fi
    hx_link current "$3" && echo ok || echo "E current"
    ;;
  stopsh) # RUNDIR RELEASEDIR GRACE: the release's stop.sh, with its environment, for up to GRACE tenths
    [ -x "$2/stop.sh" ] || { echo none; exit 0; }
    ( cd -- "$2" && . "$1/env" && exec ./stop.sh ) < /dev/null >> "$1/stdout.log" 2>> "$1/stderr.log" &
    hx_p=$!
    hx_n=0
    while kill -0 "$hx_p" 2>/dev/null && [ $hx_n -lt "$3" ]; do hx_n=$((hx_n + 1)); sleep 0.1; done
    if kill -0 "$hx_p" 2>/dev/null; then kill -KILL "$hx_p" 2>/dev/null; echo timeout; else wait "$hx_p"; echo "done $?"; fi
    ;;
  commit) # SVC DEPLOY
    cd -- "$1" || { echo "E cd"; exit 0; }
    if mkdir -- "deploy-$2.decided" 2>/dev/null; then
      { read -r hx_j hx_rest < deploy; } 2>/dev/null || hx_j=
      if [ "$hx_j" = "$2" ]; then
        echo ok > "deploy-$2.result"
        rm -f -- deploy
        echo ok
      else
        echo "E gone"
      fi
    else
      hx_n=0
      while [ ! -f "deploy-$2.result" ] && [ $hx_n -lt 600 ]; do hx_n=$((hx_n + 1)); sleep 0.1; done
      cat -- "deploy-$2.result" 2>/dev/null || echo pending
    fi
    ;;
  abort) hx_abort "$@" ;;
  restore) hx_restore_deploy "$@" ;;
  watchdog) # SVC RUNDIR DEPLOY DEADLINE SIG GRACE
    hx_n=0
    while [ $hx_n -lt "$4" ]; do
      { read -r hx_j hx_rest < "$1/deploy"; } 2>/dev/null || exit 0
      [ "$hx_j" = "$3" ] || exit 0
      [ -d "$1/deploy-$3.decided" ] && exit 0
      hx_n=$((hx_n + 1))
      sleep 0.1
    done
    mkdir -- "$1/deploy-$3.decided" 2>/dev/null || exit 0
    echo "deploy $3: no word from the supervisor within its deadline; restoring the previous release"
    hx_restore_deploy "$1" "$2" "$3" "$5" "$6" 0
    ;;
  links) # SVC CURRENT PREVIOUS: both links at once (a rollback of a stopped service)
    cd -- "$1" || { echo "E cd"; exit 0; }
    hx_link current "$2" && hx_link previous "$3" && echo ok || echo "E link"
    ;;
  remove) # SVC ID...: old releases pruned
    hx_s=$1
    shift
    cd -- "$hx_s/releases" || { echo "E cd"; exit 0; }
    for hx_id in "$@"; do hx_is_id "$hx_id" && rm -rf -- "$hx_id" "$hx_id.sha256"; done
    echo ok
    ;;
  *) echo "E usage"; exit 2 ;;
esac
`;

export const DEPLOY_SCRIPT = installedScript('deploy', DEPLOY_SH);

/** Every file the deployer needs in the project's scripts directory on the host (the wrapper is
 * installed by the RemoteLan session itself). */
export const DEPLOY_SCRIPTS: readonly InstalledScript[] = [DEPLOY_SCRIPT, LAUNCH_SCRIPT, SIGNAL_SCRIPT, KILL_SCRIPT];
