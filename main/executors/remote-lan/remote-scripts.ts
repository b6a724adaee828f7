// The POSIX sh that runs on a remote host: the launch wrapper every service runs under, the watch
// loop that reports every run directory of a project on one channel, and the short control
// snippets (launch, signal, kill, list). Linux hosts: /proc, util-linux `setsid -f`, `stat -c`.
//
// Arguments always travel as separate quoted words (shellQuote), never pasted into these texts.
// Each script is run by `sh`, whatever the user's login shell, and keeps to builtins in its
// loops (read from /proc, `kill -0`), forking only `sleep` and one `stat` per watch round.
import { createHash } from 'node:crypto';

/** Field 22 (start time, clock ticks since boot) and field 3 (state) of /proc/PID/stat, split
 * after the last ')' because the command name may hold spaces and parentheses. */
export const STAT_FUNCTIONS = `hx_stat() {
  hx_st= hx_state=
  { read -r hx_l < "/proc/$1/stat"; } 2>/dev/null || return 1
  hx_l=\${hx_l##*) }
  set -- $hx_l
  hx_state=$1
  shift 19
  hx_st=$1
}
hx_alive() { hx_stat "$1" && [ "$hx_st" = "$2" ] && [ "$hx_state" != Z ] && [ "$hx_state" != X ]; }`;

/** The live members of process group $1 except pid $2 (the wrapper), in hx_m. */
export const MEMBERS_FUNCTION = `hx_members() {
  hx_m=
  for hx_f in /proc/[0-9]*/stat; do
    { read -r hx_l < "$hx_f"; } 2>/dev/null || continue
    hx_p=\${hx_l%% *}
    [ "$hx_p" = "$2" ] && continue
    hx_l=\${hx_l##*) }
    set -- "$1" "$2" $hx_l
    [ "$5" = "$1" ] && [ "$3" != Z ] && hx_m="$hx_m $hx_p"
  done
}`;

/**
 * `setsid -f sh wrapper.sh RUNDIR WORKDIR`, its streams already redirected to the run directory.
 * It leads the service's session and process group (so the group signal reaches everything the
 * service starts, and the service survives the SSH connection), records itself (pid, start time,
 * boot id), runs the program of RUNDIR/launch in the foreground — a background job of a
 * non-interactive shell would ignore SIGINT and SIGQUIT — and, when it ends, stops what it left in
 * the group and records the exit status. The wrapper traps the stop signals with a handler (not an
 * ignore, which the program would inherit), so a group signal ends the program and not the
 * wrapper, which can still write the code. The program gets RUNDIR/env sourced last, so nothing
 * of Harness's own variables leaks into it or is changed by it.
 */
export const WRAPPER_SH = `# Harness launch wrapper (main/executors/remote-lan/remote-scripts.ts)
hx_d=$1 hx_wd=$2
${STAT_FUNCTIONS}
${MEMBERS_FUNCTION}
read -r hx_boot < /proc/sys/kernel/random/boot_id
hx_stat $$
printf '%s %s %s\\n' "$$" "$hx_st" "$hx_boot" > "$hx_d/wrapper.tmp" && mv -f "$hx_d/wrapper.tmp" "$hx_d/wrapper" || exit 125
trap 'hx_sig=1' HUP INT QUIT TERM USR1 USR2 ALRM
# The program's stderr is the log (fd 3, restored inside it); the wrapper's own messages (a shell's
# "Killed", printed while a command's redirections still apply) go nowhere.
exec 3>&2 2>/dev/null
sh -c '
  exec 2>&3 3>&-
  hx_d=$1 hx_abs=$2
  hx_self() { read -r l < /proc/$$/stat; l=\${l##*) }; set -- $l; shift 19; printf "%s %s\\n" "$$" "$1"; }
  hx_self > "$hx_d/pid.tmp" && mv -f "$hx_d/pid.tmp" "$hx_d/pid" || exit 125
  . "$hx_d/launch" || exit 125
  cd -- "$hx_abs" || exit 126
  . "$hx_d/env" || exit 125
  exec "$@"
' harness-service "$hx_d" "$hx_wd"
hx_code=$?
# What the program left in its group: the stop signal, up to 0.5 s, then SIGKILL (at once when
# the stop had escalated to SIGKILL already: the kill marker).
hx_members $$ $$
if [ -n "$hx_m" ]; then
  if [ ! -f "$hx_d/kill" ]; then
    kill -TERM $hx_m 2>/dev/null
    hx_i=0
    while [ $hx_i -lt 10 ]; do
      hx_members $$ $$
      [ -z "$hx_m" ] && break
      hx_i=$((hx_i + 1))
      sleep 0.05
    done
  fi
  hx_i=0
  while [ -n "$hx_m" ] && [ $hx_i -lt 20 ]; do
    kill -KILL $hx_m 2>/dev/null
    sleep 0.01
    hx_members $$ $$
    hx_i=$((hx_i + 1))
  done
fi
printf '%s\\n' "$hx_code" > "$hx_d/exit.tmp" && mv -f "$hx_d/exit.tmp" "$hx_d/exit"
`;

/**
 * \`sh watch.sh ROOT INTERVAL [once]\`: every INTERVAL seconds, the state of every run directory
 * under ROOT and the sizes of their logs, printed as one block only when something changed:
 *
 *   BEGIN
 *   <service> <run|exit CODE|gone|new> <run id> <config hash>
 *   --
 *   <bytes> <service>/stdout.log
 *   END
 *
 * "run": the wrapper (or, if it was killed, the program) still runs with its recorded start time
 * on this boot; "exit": it recorded its status; "gone": it ended without one. \`once\` prints one
 * block and ends (recovery, \`harness down\`).
 */
export const WATCH_SH = `# Harness watch loop (main/executors/remote-lan/remote-scripts.ts)
hx_root=$1 hx_iv=$2 hx_once=$3
${STAT_FUNCTIONS}
hx_ppid() { read -r hx_l < /proc/$$/stat; hx_l=\${hx_l##*) }; set -- $hx_l; hx_pp=$2; }
read -r hx_boot < /proc/sys/kernel/random/boot_id
if [ -z "$hx_once" ]; then
  # One watch per project and host: one left by a connection that died without the host noticing
  # (a cut link) is ended here; and this one ends when its SSH session does (it is re-parented).
  hx_pidfile="$hx_root/.harness/watch.pid"
  if [ -f "$hx_pidfile" ] && read -r hx_op hx_os < "$hx_pidfile" && hx_alive "$hx_op" "$hx_os"; then kill -TERM "$hx_op" 2>/dev/null; fi
  hx_stat $$
  printf '%s %s\\n' "$$" "$hx_st" > "$hx_pidfile"
  hx_ppid
  hx_parent=$hx_pp
fi
hx_prev=
while :; do
  if [ -z "$hx_once" ]; then
    hx_ppid
    [ "$hx_pp" = "$hx_parent" ] || exit 0
  fi
  hx_cur=
  for hx_dir in "$hx_root"/*/; do
    [ -d "$hx_dir" ] || continue
    hx_s=\${hx_dir%/}
    hx_s=\${hx_s##*/}
    hx_r=new
    if [ -f "$hx_dir/wrapper" ] && read -r hx_wp hx_ws hx_wb < "$hx_dir/wrapper"; then
      hx_r=gone
      if [ "$hx_wb" = "$hx_boot" ] && hx_alive "$hx_wp" "$hx_ws"; then hx_r=run
      elif [ -f "$hx_dir/exit" ] && read -r hx_c < "$hx_dir/exit"; then hx_r="exit $hx_c"
      elif [ "$hx_wb" = "$hx_boot" ] && [ -f "$hx_dir/pid" ] && read -r hx_p hx_ps < "$hx_dir/pid" && hx_alive "$hx_p" "$hx_ps"; then hx_r=run
      fi
    elif [ -f "$hx_dir/exit" ] && read -r hx_c < "$hx_dir/exit"; then hx_r="exit $hx_c"
    fi
    hx_meta=
    [ -f "$hx_dir/meta" ] && read -r hx_meta < "$hx_dir/meta"
    hx_cur="$hx_cur$hx_s $hx_r $hx_meta
"
  done
  hx_sizes=$(cd "$hx_root" 2>/dev/null && stat -c '%s %n' -- */stdout.log */stderr.log 2>/dev/null)
  hx_snap="$hx_cur--
$hx_sizes"
  if [ "$hx_snap" != "$hx_prev" ]; then
    printf 'BEGIN\\n%sEND\\n' "$hx_snap
" || exit 0
    hx_prev=$hx_snap
  fi
  [ -n "$hx_once" ] && exit 0
  sleep "$hx_iv" || exit 0
done
`;

/**
 * \`sh -c LAUNCH harness-launch WRAPPER RUNDIR...\` from the login directory: starts every run
 * directory's program (RUNDIR/launch sets hx_wd, hx_runid, hx_hash and the argv), one channel
 * for a burst of starts. Per directory it checks what would make the start fail (working_dir,
 * program, setsid), refuses when an instance still runs there, empties the logs and starts the
 * wrapper detached; then it waits (up to 5 s each) until each program was exec'd. Prints one line
 * per directory, by its position: \`N S pid start wrapperPid wrapperStart bootId\`, \`N X code\` (it
 * ended at once) or \`N E reason [detail]\`.
 */
export const LAUNCH_SH = `hx_w=$1
shift
${STAT_FUNCTIONS}
hx_home=$PWD
hx_started=' '
command -v setsid >/dev/null 2>&1 || hx_nosetsid=1
hx_one() {
  hx_i=$1 hx_d=$2
  cd -- "$hx_home" || { echo "$hx_i E rundir"; return; }
  [ -n "$hx_nosetsid" ] && { echo "$hx_i E setsid"; return; }
  . "$hx_d/launch" 2>/dev/null || { echo "$hx_i E rundir"; return; }
  cd -- "$hx_wd" 2>/dev/null || { echo "$hx_i E workdir"; return; }
  hx_wd=$PWD
  case $1 in
    */*) [ -f "$1" ] && [ -x "$1" ] || { echo "$hx_i E binary"; return; } ;;
    *) ( . "$hx_d/env" 2>/dev/null; command -v -- "$1" ) >/dev/null 2>&1 || { echo "$hx_i E binary"; return; } ;;
  esac
  cd -- "$hx_d" || { echo "$hx_i E rundir"; return; }
  if [ -f wrapper ] && read -r hx_p hx_s hx_b < wrapper && hx_alive "$hx_p" "$hx_s"; then echo "$hx_i E running $hx_p"; return; fi
  if [ -f pid ] && read -r hx_p hx_s < pid && hx_alive "$hx_p" "$hx_s"; then echo "$hx_i E running $hx_p"; return; fi
  rm -f exit pid wrapper kill exit.tmp pid.tmp wrapper.tmp
  printf '%s %s\\n' "$hx_runid" "$hx_hash" > meta && : > stdout.log && : > stderr.log || { echo "$hx_i E rundir"; return; }
  setsid -f sh "$hx_w" "$hx_d" "$hx_wd" < /dev/null >> stdout.log 2>> stderr.log || { echo "$hx_i E setsid-f"; return; }
  hx_started="$hx_started$hx_i "
}
hx_i=0
for hx_dir in "$@"; do
  hx_i=$((hx_i + 1))
  hx_one "$hx_i" "$hx_dir"
done
hx_i=0
for hx_d in "$@"; do
  hx_i=$((hx_i + 1))
  case $hx_started in *" $hx_i "*) ;; *) continue ;; esac
  hx_n=0
  while [ ! -f "$hx_d/pid" ] && [ ! -f "$hx_d/exit" ] && [ $hx_n -lt 500 ]; do
    hx_n=$((hx_n + 1))
    sleep 0.01
  done
  if [ -f "$hx_d/pid" ] && read -r hx_p hx_ps < "$hx_d/pid" && read -r hx_wp hx_ws hx_wb < "$hx_d/wrapper"; then
    echo "$hx_i S $hx_p $hx_ps $hx_wp $hx_ws $hx_wb"
  elif [ -f "$hx_d/exit" ] && read -r hx_c < "$hx_d/exit"; then
    echo "$hx_i X $hx_c"
  else
    echo "$hx_i E timeout"
  fi
done
`;

/**
 * \`sh -c SIGNAL harness-signal RUNDIR SIG\`: SIG to the service's process group, but only while
 * the wrapper or the program still runs with its recorded start time (a recycled pid is never
 * signalled). Prints `sent` or `gone`.
 */
export const SIGNAL_SH = `hx_d=$1 hx_sig=$2
${STAT_FUNCTIONS}
read -r hx_boot < /proc/sys/kernel/random/boot_id
{ read -r hx_wp hx_ws hx_wb < "$hx_d/wrapper"; } 2>/dev/null || { echo gone; exit 0; }
[ "$hx_wb" = "$hx_boot" ] || { echo gone; exit 0; }
if hx_alive "$hx_wp" "$hx_ws" || { { read -r hx_p hx_ps < "$hx_d/pid"; } 2>/dev/null && hx_alive "$hx_p" "$hx_ps"; }; then
  kill -"$hx_sig" -"$hx_wp" 2>/dev/null
  echo sent
else
  echo gone
fi
`;

/**
 * \`sh -c KILL harness-kill RUNDIR\`: the end of a stop's grace period. SIGKILL to the program and
 * everything else in its group except the wrapper, which then records the status (137); when the
 * wrapper itself is gone, to the whole group. Same start-time checks as SIGNAL.
 */
export const KILL_SH = `hx_d=$1
${STAT_FUNCTIONS}
${MEMBERS_FUNCTION}
read -r hx_boot < /proc/sys/kernel/random/boot_id
{ read -r hx_wp hx_ws hx_wb < "$hx_d/wrapper"; } 2>/dev/null || { echo gone; exit 0; }
[ "$hx_wb" = "$hx_boot" ] || { echo gone; exit 0; }
: > "$hx_d/kill"
if hx_alive "$hx_wp" "$hx_ws"; then
  hx_members "$hx_wp" "$hx_wp"
  [ -n "$hx_m" ] && kill -KILL $hx_m 2>/dev/null
  echo sent
elif { read -r hx_p hx_ps < "$hx_d/pid"; } 2>/dev/null && hx_alive "$hx_p" "$hx_ps"; then
  kill -KILL -"$hx_wp" 2>/dev/null
  echo orphaned
else
  echo gone
fi
`;

/** Installed once per project root, named by content so a running wrapper never sees its file
 * change under it (sh reads a script as it goes). */
export interface InstalledScript {
  name: string;
  text: string;
}

/** A script file named by its content (`<base>-<sha256 prefix>.sh`). */
export function installedScript(base: string, text: string): InstalledScript {
  return { name: `${base}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.sh`, text };
}

export const WRAPPER_SCRIPT = installedScript('wrapper', WRAPPER_SH);
export const WATCH_SCRIPT = installedScript('watch', WATCH_SH);

/** A command health check: `sh -c CHECK_SH harness-check RUNDIR DIR COMMAND…` runs COMMAND in
 * the run directory's environment (its env file), from DIR (the working directory, or a
 * release's directory). */
export const CHECK_SH = `. "$1/env" || exit 125
cd -- "$2" || exit 126
shift 2
exec "$@"`;
