# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Shared by the scripts in deploy/: paths, ports, logging, PID files and bounded waits.
# Sourced, never run. Everything a script downloads or writes goes under $WORK_DIR
# (deploy/.work by default, gitignored); logs under $LOG_DIR, PID files under $RUN_DIR.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$DEPLOY_DIR/.." && pwd)"
WORK_DIR="${PROPENSITY_WORK_DIR:-$DEPLOY_DIR/.work}"
LOG_DIR="$WORK_DIR/logs"
RUN_DIR="$WORK_DIR/run"
KAFKA_HOME="$WORK_DIR/kafka"
FLINK_HOME="$WORK_DIR/flink"

KAFKA_PORT="${PROPENSITY_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${PROPENSITY_KAFKA_CONTROLLER_PORT:-9093}"
FLINK_REST_PORT="${PROPENSITY_FLINK_REST_PORT:-8081}"
FLINK_JM_RPC_PORT="${PROPENSITY_FLINK_RPC_PORT:-6123}"
BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
FLINK_REST_URL="http://127.0.0.1:$FLINK_REST_PORT"

JOB_JAR="${PROPENSITY_JOB_JAR:-$REPO_DIR/job/target/propensity-job-0.1.0-SNAPSHOT.jar}"
TOOLS_JAR="${PROPENSITY_TOOLS_JAR:-$DEPLOY_DIR/target/propensity-deploy-0.1.0-SNAPSHOT.jar}"
MVN="${PROPENSITY_MVN:-mvn}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# What Flink's stock config.yaml puts in env.java.opts.all: Flink and RocksDB reflect into
# these JDK packages on Java 17.
FLINK_JAVA_OPTS=(
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

info() { printf '%s\n' "$*"; }
warn() { printf 'WARN: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

ensure_dirs() { mkdir -p "$LOG_DIR" "$RUN_DIR"; }

# pom_property NAME: a <properties> value of the root pom, so versions are managed in one place.
pom_property() {
    local value
    value="$(sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$REPO_DIR/pom.xml" | head -n 1)"
    [[ -n "$value" ]] || die "property $1 not found in $REPO_DIR/pom.xml"
    printf '%s' "$value"
}

# fetch_jars POM DEST -Dkey=value...: copies the pom's runtime dependencies into DEST once.
# DEST/.complete records the resolved versions; a version change refetches. The copy goes to a
# temporary folder first, so an interrupted download is never mistaken for a complete one.
fetch_jars() {
    local pom="$1" dest="$2"
    shift 2
    local stamp="$*"
    if [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$stamp" ]]; then
        return 0
    fi
    info "downloading jars for $(basename "$(dirname "$pom")") via Maven ($stamp) into $dest"
    rm -rf "$dest.tmp"
    if ! "$MVN" -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$dest.tmp" "$@" >"$LOG_DIR/maven-fetch.log" 2>&1; then
        tail -n 30 "$LOG_DIR/maven-fetch.log" >&2
        die "Maven could not fetch the jars (full log: $LOG_DIR/maven-fetch.log)"
    fi
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
    printf '%s' "$stamp" >"$dest/.complete"
}

# render TEMPLATE OUT KEY=VALUE...: copies TEMPLATE replacing every @KEY@ by VALUE.
render() {
    local template="$1" out="$2"
    shift 2
    local args=() pair
    for pair in "$@"; do
        args+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
    done
    sed "${args[@]}" "$template" >"$out"
}

# Every process we start carries -Dpropensity.service=NAME and -Dpropensity.work=WORK_DIR, so
# stop commands can tell our processes from anything else that reused the PID.
service_marker() { printf -- '-Dpropensity.service=%s -Dpropensity.work=%s' "$1" "$WORK_DIR"; }

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# service_pid NAME: prints the PID if NAME runs (started by us, from this work dir).
service_pid() {
    local file pid args
    file="$(pid_file "$1")"
    [[ -f "$file" ]] || return 1
    pid="$(cat "$file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    args="$(ps -ww -o args= -p "$pid" 2>/dev/null || true)"
    [[ "$args" == *"-Dpropensity.service=$1 "* && "$args" == *"-Dpropensity.work=$WORK_DIR "* ]] ||
        return 1
    printf '%s' "$pid"
}

is_running() { service_pid "$1" >/dev/null; }

# start_service NAME LOGFILE COMMAND...: starts COMMAND in the background, detached from the
# terminal's stdin, output appended to LOGFILE, and records its PID.
start_service() {
    local name="$1" log="$2"
    shift 2
    ensure_dirs
    printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
    nohup "$@" >>"$log" 2>&1 </dev/null &
    printf '%s' "$!" >"$(pid_file "$name")"
}

# stop_service NAME [TIMEOUT_SECONDS]: SIGTERM, then SIGKILL after the timeout. Only ever
# signals the PID recorded for NAME, and only if it still is our process.
stop_service() {
    local name="$1" timeout="${2:-30}" pid waited=0
    if ! pid="$(service_pid "$name")"; then
        rm -f "$(pid_file "$name")"
        return 0
    fi
    info "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= timeout * 10)); then
            warn "$name (pid $pid) did not stop within ${timeout}s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    rm -f "$(pid_file "$name")"
}

# wait_until SECONDS DESCRIPTION SERVICE LOG COMMAND...: polls COMMAND every half second until
# it succeeds. Fails fast, with the log's tail, if SERVICE died or the time is up.
wait_until() {
    local timeout="$1" what="$2" service="$3" log="$4"
    shift 4
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if ! is_running "$service"; then
            tail -n 40 "$log" >&2 || true
            die "$service exited before $what (log: $log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$log" >&2 || true
            die "$what did not happen within ${timeout}s (log: $log)"
        fi
        sleep 0.5
    done
}

# port_free PORT: true if nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_port_free() {
    port_free "$1" || die "port $1 is already in use ($2 needs it); stop what uses it or set $3"
}

require_java() {
    command -v "$JAVA" >/dev/null 2>&1 || die "java not found: install JDK 17 or set JAVA_HOME"
}

# require_commands NAME...: fails at once, naming every command that is missing. Without curl
# (the REST API checks) or ps (which tells our processes from others), a start would otherwise
# wait for its full timeout and then blame the service, and a stop would miss what runs.
require_commands() {
    local name missing=()
    for name in "$@"; do
        command -v "$name" >/dev/null 2>&1 || missing+=("$name")
    done
    ((${#missing[@]} == 0)) && return 0
    die "${missing[*]} not found: the deploy scripts need bash, curl and ps (Debian or Ubuntu:" \
        "apt-get install curl procps; macOS has them)"
}

# The Java tools take their default Kafka and Flink addresses from these.
export PROPENSITY_BOOTSTRAP_SERVERS="${PROPENSITY_BOOTSTRAP_SERVERS:-$BOOTSTRAP_SERVERS}"
export PROPENSITY_FLINK_REST_URL="${PROPENSITY_FLINK_REST_URL:-$FLINK_REST_URL}"

require_tools_jar() {
    [[ -f "$TOOLS_JAR" ]] ||
        die "$TOOLS_JAR is missing: build it with 'mvn -B -q install -DskipTests -pl deploy -am'"
}

# tools_java ARGS...: replaces the shell with the Propensity tools (replay, alerts, topics,
# summary), so that signals to the script reach the JVM.
tools_java() {
    require_java
    require_tools_jar
    exec "$JAVA" -jar "$TOOLS_JAR" "$@"
}

# job_state JOB_ID: the job's state from the REST API (RUNNING, FAILED, ...), or nothing.
job_state() {
    curl -fsS --max-time 5 "$FLINK_REST_URL/jobs/$1" 2>/dev/null |
        sed -n 's/.*"state":"\([A-Z_]*\)".*/\1/p' | head -n 1
}

# all_tasks_running JOB_ID: the job and every one of its vertices are RUNNING.
all_tasks_running() {
    local details
    details="$(curl -fsS --max-time 5 "$FLINK_REST_URL/jobs/$1")" || return 1
    [[ "$details" == *'"state":"RUNNING"'* ]] || return 1
    ! printf '%s' "$details" | grep -o '"status":"[A-Z_]*"' | grep -v '"status":"RUNNING"' \
        >/dev/null
}

# wait_job_running JOB_ID SECONDS: waits until all the job's tasks run; fails fast, with the
# job's root exception, if the job fails or restarts.
wait_job_running() {
    local id="$1" deadline=$((SECONDS + $2)) state
    until all_tasks_running "$id"; do
        state="$(job_state "$id")"
        case "$state" in
        FAILED | FAILING | RESTARTING | CANCELED | CANCELLING)
            curl -fsS --max-time 5 "$FLINK_REST_URL/jobs/$id/exceptions" 2>/dev/null |
                head -c 3000 >&2 || true
            printf '\n' >&2
            tail -n 40 "$LOG_DIR/flink-taskmanager.log" >&2 || true
            die "job $id is $state (logs: $LOG_DIR/flink-*.log)"
            ;;
        esac
        ((SECONDS < deadline)) || die "job $id did not run within $2 s (state ${state:-unknown})"
        sleep 1
    done
}
