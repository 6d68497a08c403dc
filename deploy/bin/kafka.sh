#!/usr/bin/env bash
# Runs a single-node Kafka broker (KRaft, broker and controller in one process) on 127.0.0.1,
# assembled from Maven Central artifacts. See --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") start|stop|status|restart [--clean]

Runs a local single-node Kafka broker (KRaft) from jars that Maven downloads once.

  start     download the broker jars if needed, format the storage on first use, start the
            broker and wait until it is ready (at most 90 s)
  stop      stop the broker this script started (SIGTERM, SIGKILL after 30 s)
  status    print whether the broker runs
  restart   stop, then start
  prepare   only download the broker jars (the kafka-*.sh tools use them too)
  --clean   with start: delete the broker's data first (all topics and offsets)

Listens on $BOOTSTRAP_SERVERS (controller on 127.0.0.1:$KAFKA_CONTROLLER_PORT).
Environment: PROPENSITY_KAFKA_PORT, PROPENSITY_KAFKA_CONTROLLER_PORT, PROPENSITY_WORK_DIR,
KAFKA_HEAP_OPTS (default -Xms512m -Xmx1g).
Files: jars in $KAFKA_HOME/libs, data in $KAFKA_HOME/data,
       log in $LOG_DIR/kafka.log, PID in $RUN_DIR/kafka.pid.
USAGE
}

# broker_ready OFFSET: the broker logged its start after byte OFFSET of the log (this run only)
broker_ready() { tail -c "+$(($1 + 1))" "$LOG_DIR/kafka.log" | grep -F "Kafka Server started" >/dev/null; }

start() {
    local clean="$1"
    require_java
    require_commands ps
    ensure_dirs
    if is_running kafka; then
        info "kafka already runs (pid $(service_pid kafka)) on $BOOTSTRAP_SERVERS"
        return 0
    fi
    require_port_free "$KAFKA_PORT" "the Kafka broker" PROPENSITY_KAFKA_PORT
    require_port_free "$KAFKA_CONTROLLER_PORT" "the Kafka controller" \
        PROPENSITY_KAFKA_CONTROLLER_PORT

    prepare
    mkdir -p "$KAFKA_HOME/config"
    if [[ "$clean" == true ]]; then
        info "deleting broker data in $KAFKA_HOME/data"
        rm -rf "$KAFKA_HOME/data"
    fi
    render "$DEPLOY_DIR/conf/kafka/server.properties" "$KAFKA_HOME/config/server.properties" \
        "KAFKA_PORT=$KAFKA_PORT" "CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT" \
        "DATA_DIR=$KAFKA_HOME/data"
    cp "$DEPLOY_DIR/conf/kafka/log4j2.properties" "$KAFKA_HOME/config/log4j2.properties"

    local classpath="$KAFKA_HOME/libs/*"
    if [[ ! -f "$KAFKA_HOME/data/meta.properties" ]]; then
        local cluster_id
        cluster_id="$("$JAVA" -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null |
            tail -n 1)"
        info "formatting broker storage (cluster id $cluster_id)"
        "$JAVA" -Dlog4j2.configurationFile="$KAFKA_HOME/config/log4j2.properties" \
            -cp "$classpath" kafka.tools.StorageTool format -t "$cluster_id" \
            -c "$KAFKA_HOME/config/server.properties" >>"$LOG_DIR/kafka.log" 2>&1 ||
            die "formatting the broker storage failed (log: $LOG_DIR/kafka.log)"
    fi

    local heap
    read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
    local marker
    read -r -a marker <<<"$(service_marker kafka)"
    local log_offset
    touch "$LOG_DIR/kafka.log"
    log_offset="$(wc -c <"$LOG_DIR/kafka.log")"
    start_service kafka "$LOG_DIR/kafka.log" \
        "$JAVA" "${marker[@]}" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$KAFKA_HOME/config/log4j2.properties" \
        -cp "$classpath" kafka.Kafka "$KAFKA_HOME/config/server.properties"
    info "kafka starting (pid $(cat "$(pid_file kafka)")), log $LOG_DIR/kafka.log"
    wait_until 90 "the broker became ready" kafka "$LOG_DIR/kafka.log" \
        broker_ready "$log_offset"
    info "kafka ready on $BOOTSTRAP_SERVERS"
}

prepare() {
    ensure_dirs
    fetch_jars "$DEPLOY_DIR/services/kafka/pom.xml" "$KAFKA_HOME/libs" \
        "-Dkafka.broker.version=$(pom_property kafka.broker.version)" \
        "-Dlog4j.version=$(pom_property log4j.version)"
}

command="${1:-}"
case "$command" in
prepare) prepare ;;
start)
    clean=false
    [[ "${2:-}" == "--clean" ]] && clean=true
    start "$clean"
    ;;
stop)
    require_commands ps
    stop_service kafka 30
    ;;
status)
    require_commands ps
    if is_running kafka; then
        info "kafka runs (pid $(service_pid kafka)) on $BOOTSTRAP_SERVERS"
    else
        info "kafka is not running"
        exit 3
    fi
    ;;
restart)
    require_commands ps
    stop_service kafka 30
    start false
    ;;
-h | --help | help)
    usage
    ;;
*)
    usage >&2
    exit 2
    ;;
esac
