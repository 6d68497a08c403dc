#!/usr/bin/env bash
# Runs a standalone Flink session cluster (one JobManager, one TaskManager) on 127.0.0.1,
# assembled from Maven Central artifacts instead of the flink-dist tarball. See --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") start|stop|status|restart|start-taskmanager|stop-taskmanager

Runs a local standalone Flink session cluster from jars that Maven downloads once.

  start     download the Flink jars if needed, write the configuration, start a JobManager and
            a TaskManager and wait until the TaskManager has registered (at most 120 s)
  stop      stop the TaskManager, then the JobManager (running jobs end with them; their
            retained checkpoints stay in $FLINK_HOME/checkpoints)
  status    print whether the processes run and the cluster's overview
  restart   stop, then start
  prepare   only download the jars and write the configuration (used by submit.sh)
  start-taskmanager
            start the TaskManager alone if it does not run (for example after it was lost or
            stopped) while the JobManager runs, and wait until it has registered (at most 120 s);
            running jobs restart on it from their latest checkpoint
  stop-taskmanager
            stop the TaskManager alone (running jobs restart when it comes back, within their
            restart strategy)

Web UI and REST API: $FLINK_REST_URL
Configuration: $FLINK_HOME/conf/config.yaml (rendered from deploy/conf/flink/config.yaml)
Environment: PROPENSITY_FLINK_REST_PORT, PROPENSITY_FLINK_RPC_PORT, PROPENSITY_WORK_DIR.
Files: jars in $FLINK_HOME/lib; logs in $LOG_DIR/flink-jobmanager.log and
       flink-taskmanager.log (.out for stdout); PIDs in $RUN_DIR/flink-*.pid.
USAGE
}

flink_classpath() { printf '%s/lib/*' "$FLINK_HOME"; }

prepare() {
    fetch_jars "$DEPLOY_DIR/services/flink/pom.xml" "$FLINK_HOME/lib" \
        "-Dflink.version=$(pom_property flink.version)" \
        "-Dslf4j.version=$(pom_property slf4j.version)" \
        "-Dlog4j.version=$(pom_property log4j.version)"
    mkdir -p "$FLINK_HOME/conf" "$FLINK_HOME/plugins" "$FLINK_HOME/tmp" "$FLINK_HOME/web-upload" \
        "$FLINK_HOME/checkpoints" "$FLINK_HOME/savepoints"
    render "$DEPLOY_DIR/conf/flink/config.yaml" "$FLINK_HOME/conf/config.yaml" \
        "WORK_DIR=$WORK_DIR" "REST_PORT=$FLINK_REST_PORT" "JM_RPC_PORT=$FLINK_JM_RPC_PORT"
    cp "$DEPLOY_DIR/conf/flink/log4j.properties" "$FLINK_HOME/conf/log4j.properties"
    cp "$DEPLOY_DIR/conf/flink/log4j-cli.properties" "$FLINK_HOME/conf/log4j-cli.properties"
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: Flink's own memory model
# computes the JVM flags (first line) and the dynamic -D settings (last line), exactly as
# flink-dist's scripts do.
resource_params() {
    local output
    if ! output="$("$JAVA" -cp "$(flink_classpath)" \
        -Dlog4j.configurationFile="$FLINK_HOME/conf/log4j-cli.properties" \
        -Dlog.file="$LOG_DIR/flink-bash-java-utils.log" \
        org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$FLINK_HOME/conf" \
        2>&1)"; then
        printf '%s\n' "$output" >&2
        die "Flink could not compute the memory settings from $FLINK_HOME/conf/config.yaml"
    fi
    printf '%s\n' "$output" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

# start_process NAME MAIN_CLASS RESOURCE_COMMAND EXTRA_ARGS...
start_process() {
    local name="$1" main_class="$2" resource_command="$3"
    shift 3
    local results jvm_params dynamic_configs marker
    results="$(resource_params "$resource_command")"
    read -r -a jvm_params <<<"$(printf '%s\n' "$results" | head -n 1)"
    read -r -a dynamic_configs <<<"$(printf '%s\n' "$results" | tail -n 1)"
    read -r -a marker <<<"$(service_marker "$name")"
    FLINK_CONF_DIR="$FLINK_HOME/conf" FLINK_PLUGINS_DIR="$FLINK_HOME/plugins" start_service "$name" "$LOG_DIR/$name.out" \
        "$JAVA" "${marker[@]}" "${jvm_params[@]}" "${FLINK_JAVA_OPTS[@]}" \
        -Dlog.file="$LOG_DIR/$name.log" \
        -Dlog4j.configuration="file:$FLINK_HOME/conf/log4j.properties" \
        -Dlog4j.configurationFile="file:$FLINK_HOME/conf/log4j.properties" \
        -classpath "$(flink_classpath)" "$main_class" \
        --configDir "$FLINK_HOME/conf" "$@" "${dynamic_configs[@]}"
    info "$name starting (pid $(cat "$(pid_file "$name")")), log $LOG_DIR/$name.log"
}

rest_answers() { curl -fsS --max-time 2 "$FLINK_REST_URL/overview" >/dev/null; }

taskmanager_registered() {
    curl -fsS --max-time 2 "$FLINK_REST_URL/overview" | grep -E '"taskmanagers":[1-9]' >/dev/null
}

start() {
    require_java
    require_commands curl ps
    ensure_dirs
    if is_running flink-jobmanager && is_running flink-taskmanager; then
        info "flink already runs: $FLINK_REST_URL"
        return 0
    fi
    if ! is_running flink-jobmanager; then
        require_port_free "$FLINK_REST_PORT" "the Flink REST API and web UI" \
            PROPENSITY_FLINK_REST_PORT
        require_port_free "$FLINK_JM_RPC_PORT" "the Flink JobManager RPC" \
            PROPENSITY_FLINK_RPC_PORT
    fi
    prepare
    if ! is_running flink-jobmanager; then
        start_process flink-jobmanager \
            org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
            GET_JM_RESOURCE_PARAMS --executionMode cluster
    fi
    if ! is_running flink-taskmanager; then
        start_process flink-taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
            GET_TM_RESOURCE_PARAMS
    fi
    wait_until 90 "the Flink REST API answered" flink-jobmanager \
        "$LOG_DIR/flink-jobmanager.log" rest_answers
    wait_until 90 "the TaskManager registered" flink-taskmanager \
        "$LOG_DIR/flink-taskmanager.log" taskmanager_registered
    info "flink ready: web UI and REST API on $FLINK_REST_URL"
}

# taskmanager_listed ID: the JobManager lists a TaskManager with this resource id
taskmanager_listed() {
    curl -fsS --max-time 2 "$FLINK_REST_URL/taskmanagers" | grep -F "\"id\":\"$1\"" >/dev/null
}

# Starts the TaskManager alone, under a resource id of its own, so that the wait below sees this
# process register and not a lost one that the JobManager still lists until its heartbeat fails.
start_taskmanager() {
    require_java
    require_commands curl ps
    ensure_dirs
    if is_running flink-taskmanager; then
        info "flink-taskmanager already runs (pid $(service_pid flink-taskmanager))"
        return 0
    fi
    is_running flink-jobmanager || die "the JobManager does not run: start the cluster with '$(basename "$0") start'"
    prepare
    local id
    id="taskmanager-$(date -u +%Y%m%dT%H%M%S)-$$"
    start_process flink-taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
        GET_TM_RESOURCE_PARAMS -D "taskmanager.resource-id=$id"
    wait_until 120 "the TaskManager $id registered" flink-taskmanager \
        "$LOG_DIR/flink-taskmanager.log" taskmanager_listed "$id"
    info "TaskManager $id registered with $FLINK_REST_URL"
}

stop() {
    require_commands ps
    stop_service flink-taskmanager 30
    stop_service flink-jobmanager 30
}

status() {
    require_commands curl ps
    local code=0 name
    for name in flink-jobmanager flink-taskmanager; do
        if is_running "$name"; then
            info "$name runs (pid $(service_pid "$name"))"
        else
            info "$name is not running"
            code=3
        fi
    done
    if rest_answers; then
        info "overview: $(curl -fsS --max-time 2 "$FLINK_REST_URL/overview")"
    fi
    return "$code"
}

case "${1:-}" in
start) start ;;
prepare)
    ensure_dirs
    prepare
    ;;
stop) stop ;;
status) status ;;
restart)
    stop
    start
    ;;
start-taskmanager) start_taskmanager ;;
stop-taskmanager)
    require_commands ps
    stop_service flink-taskmanager 30
    ;;
-h | --help | help) usage ;;
*)
    usage >&2
    exit 2
    ;;
esac
