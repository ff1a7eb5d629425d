#!/usr/bin/env bash
# A single-node Kafka broker (KRaft, broker and controller in one JVM) for tests and development.
#
#   ops/kafka/kafka.sh start     fresh broker: stops ours if running, wipes and formats the data
#   ops/kafka/kafka.sh stop      TERM, then KILL after KAFKA_STOP_TIMEOUT seconds
#   ops/kafka/kafka.sh restart   stop, then start on the same data (topics and offsets survive)
#   ops/kafka/kafka.sh status    exit 0 when ours runs and its port answers
#
# Settings (environment): KAFKA_PORT (client port, default 19092; the controller listens on
# KAFKA_PORT+1), KAFKA_DATA (default ops/kafka/data), KAFKA_HEAP (default 512m),
# KAFKA_START_TIMEOUT (seconds, default 90), KAFKA_STOP_TIMEOUT (seconds, default 30).
# The broker's classpath (org.apache.kafka:kafka_2.13, see pom.xml beside this script) is resolved
# with Maven once and cached in ops/kafka/.cache.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port=$((port + 1))
data="${KAFKA_DATA:-$here/data}"
heap="${KAFKA_HEAP:-512m}"
start_timeout="${KAFKA_START_TIMEOUT:-90}"
stop_timeout="${KAFKA_STOP_TIMEOUT:-30}"
cache="$here/.cache"
pid_file="$data/kafka.pid"
log_file="$data/kafka.log"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "kafka.sh: $*" >&2; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

our_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A stale pid file may name a process that is not ours any more: check it is this broker.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $data/server.properties" \
    || return 1
  echo "$pid"
}

# The classpath file is rebuilt when pom.xml changes or a listed jar has gone from the cache.
classpath() {
  local file="$cache/classpath.txt" stamp="$cache/pom.sha256" sum
  sum="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
  if [[ -s "$file" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] \
    && tr ':' '\n' <"$file" | while read -r jar; do [[ -f "$jar" ]] || exit 1; done; then
    cat "$file"
    return
  fi
  mkdir -p "$cache"
  log "resolving the broker's classpath with Maven"
  "$root/mvnw" -B -q -f "$here/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$file" >&2
  echo "$sum" >"$stamp"
  cat "$file"
}

write_config() {
  mkdir -p "$data/logs"
  cat >"$data/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
EOF
}

format() {
  local cp="$1" cluster_id
  # A Kafka cluster id is 16 random bytes, base64url without padding. One that starts with "-"
  # would be read as an option by the storage tool's argument parser: draw again.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  "$java" -Xmx256m -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$cp" \
    kafka.tools.StorageTool format --config "$data/server.properties" \
    --cluster-id "$cluster_id" --ignore-formatted >>"$log_file" 2>&1 \
    || { log "formatting failed; see $log_file"; tail -n 20 "$log_file" >&2; exit 1; }
}

launch() {
  local cp="$1" pid started=$SECONDS offset=0
  [[ -f "$log_file" ]] && offset="$(stat -c %s "$log_file")"
  if answers "$port" || answers "$controller_port"; then
    log "port $port or $controller_port is already in use by another process"
    exit 1
  fi
  # Its own session, so it outlives the shell that started it and ignores that shell's signals.
  setsid "$java" -Xms128m -Xmx"$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -cp "$cp" kafka.Kafka "$data/server.properties" >>"$log_file" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  # Ready when the port answers and the server has logged the end of its start-up (it has then
  # caught up with the metadata log and registered with the controller).
  while ((SECONDS - started < start_timeout)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the broker exited during start-up; see $log_file"
      tail -n 30 "$log_file" >&2
      rm -f "$pid_file"
      exit 1
    fi
    if answers "$port" && tail -c +$((offset + 1)) "$log_file" | grep -q 'Kafka Server started'; then
      log "started pid=$pid port=$port in $((SECONDS - started))s (data $data)"
      return
    fi
    sleep 0.2
  done
  log "the broker did not start within ${start_timeout}s; stopping it; see $log_file"
  stop
  exit 1
}

start() {
  local cp
  stop
  cp="$(classpath)"
  rm -rf "$data"
  write_config
  format "$cp"
  launch "$cp"
}

restart() {
  local cp
  stop
  cp="$(classpath)"
  if [[ ! -f "$data/logs/meta.properties" ]]; then
    log "no formatted data in $data; starting fresh"
    write_config
    format "$cp"
  fi
  launch "$cp"
}

stop() {
  local pid waited=$SECONDS
  pid="$(our_pid)" || { rm -f "$pid_file"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - waited >= stop_timeout)); then
      log "pid=$pid still running after ${stop_timeout}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pid_file"
  log "stopped pid=$pid"
}

status() {
  local pid
  if pid="$(our_pid)" && answers "$port"; then
    echo "running pid=$pid port=$port"
    return 0
  fi
  echo "not running"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|restart|status" >&2
    exit 2
    ;;
esac
