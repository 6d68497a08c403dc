#!/usr/bin/env bash
# Submits the Propensity job to a Flink cluster with Flink's own client (flink run).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") [options] [-- JOB_ARGUMENTS...]

Submits the job jar with Flink's CliFrontend ('flink run'), detached, and prints the job id
(also written to $RUN_DIR/job.id).

Options:
  --jobmanager HOST:PORT   REST address of the cluster (default 127.0.0.1:$FLINK_REST_PORT, the
                           local cluster of flink.sh); any Flink 2.2 session cluster works
  --jar PATH               job jar (default $JOB_JAR)
  --parallelism N          job parallelism (default: the cluster's parallelism.default)
  --from-savepoint PATH    restore the job's state from a savepoint or retained checkpoint
  --flink-option KEY=VALUE a Flink setting for this job only (flink run -DKEY=VALUE), e.g.
                           restart-strategy.type=fixed-delay; repeat for more
  --attached               wait for the job to end instead of returning after submission
  --wait-running SECONDS   after submitting, wait until every task runs (default 60; 0 = no)
  -h, --help               this help

Everything after '--' goes to the job unchanged, e.g.
  -- --delivery exactly-once --kafka.security.protocol SASL_SSL
When you submit to the local cluster and do not give them, these job arguments are added:
  --bootstrap-servers $BOOTSTRAP_SERVERS
  --checkpoint-dir file://$FLINK_HOME/checkpoints
The client's log: $LOG_DIR/flink-client.log.
USAGE
}

jobmanager="127.0.0.1:$FLINK_REST_PORT"
jar="$JOB_JAR"
wait_seconds=60
flink_args=()
job_args=()
while (($# > 0)); do
    case "$1" in
    --jobmanager)
        jobmanager="${2:?--jobmanager needs HOST:PORT}"
        shift 2
        ;;
    --jar)
        jar="${2:?--jar needs a path}"
        shift 2
        ;;
    --parallelism)
        flink_args+=(--parallelism "${2:?--parallelism needs a number}")
        shift 2
        ;;
    --from-savepoint)
        flink_args+=(--fromSavepoint "${2:?--from-savepoint needs a path}")
        shift 2
        ;;
    --flink-option)
        [[ "${2:-}" == ?*=* ]] || die "--flink-option needs KEY=VALUE"
        flink_args+=("-D$2")
        shift 2
        ;;
    --attached)
        attached=true
        shift
        ;;
    --wait-running)
        wait_seconds="${2:?--wait-running needs seconds}"
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    --)
        shift
        job_args=("$@")
        break
        ;;
    *)
        usage >&2
        die "unknown option $1 (job arguments go after --)"
        ;;
    esac
done

[[ -f "$jar" ]] || die "job jar $jar not found: build it with 'mvn -B -q install -DskipTests -pl job -am'"
require_java
# the wait for the tasks asks the REST API: check for curl before submitting, not after
[[ "${attached:-false}" == true || "$wait_seconds" == 0 ]] || require_commands curl
ensure_dirs
"$DEPLOY_DIR/bin/flink.sh" prepare

# has_job_arg KEY: the user already gave --KEY to the job
has_job_arg() {
    local arg
    for arg in "${job_args[@]+"${job_args[@]}"}"; do
        [[ "$arg" == "--$1" || "$arg" == "--$1="* ]] && return 0
    done
    return 1
}
# the local defaults only make sense for the local cluster
if [[ "$jobmanager" == "127.0.0.1:$FLINK_REST_PORT" || "$jobmanager" == "localhost:$FLINK_REST_PORT" ]]; then
    has_job_arg bootstrap-servers || job_args+=(--bootstrap-servers "$BOOTSTRAP_SERVERS")
    has_job_arg checkpoint-dir || job_args+=(--checkpoint-dir "file://$FLINK_HOME/checkpoints")
fi

[[ "${attached:-false}" == true ]] || flink_args+=(--detached)
info "submitting $(basename "$jar") to $jobmanager: ${job_args[*]+"${job_args[*]}"}"
output_file="$RUN_DIR/submit.out"
set +e
FLINK_CONF_DIR="$FLINK_HOME/conf" FLINK_PLUGINS_DIR="$FLINK_HOME/plugins" "$JAVA" \
    "${FLINK_JAVA_OPTS[@]}" -Dlog.file="$LOG_DIR/flink-client.log" \
    -Dlog4j.configurationFile="file:$FLINK_HOME/conf/log4j-cli.properties" \
    -cp "$FLINK_HOME/lib/*" org.apache.flink.client.cli.CliFrontend run \
    --jobmanager "$jobmanager" "${flink_args[@]}" "$jar" "${job_args[@]+"${job_args[@]}"}" 2>&1 |
    tee "$output_file"
status="${PIPESTATUS[0]}"
set -e
((status == 0)) || die "submission failed (exit $status; client log: $LOG_DIR/flink-client.log)"

job_id="$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' "$output_file" | head -n 1)"
[[ -n "$job_id" ]] || die "no job id in the client's output (client log: $LOG_DIR/flink-client.log)"
printf '%s' "$job_id" >"$RUN_DIR/job.id"
if [[ "${attached:-false}" != true && "$wait_seconds" != 0 ]]; then
    FLINK_REST_URL="http://$jobmanager" wait_job_running "$job_id" "$wait_seconds"
    info "job $job_id runs: http://$jobmanager/#/job/running/$job_id/overview"
fi
