#!/usr/bin/env bash
# The README's one command: builds the job, starts a local Kafka broker and Flink cluster,
# submits the job, replays real events, prints alerts as they arrive and a summary. See --help.
set -euo pipefail
# shellcheck source=bin/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bin/lib.sh"

DEFAULT_FILE="$REPO_DIR/data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz"

usage() {
    cat <<USAGE
Usage: deploy/quickstart.sh [options] [-- JOB_ARGUMENTS...]

Runs Propensity end to end on this machine (JDK 17 and Maven are all it needs):
  1. builds the job and the tools (mvn -B -q install -DskipTests -pl job,deploy -am)
  2. starts a fresh Kafka broker ($BOOTSTRAP_SERVERS) and Flink cluster ($FLINK_REST_URL);
     the first run downloads their jars with Maven into $WORK_DIR
  3. creates the topics and submits the job
  4. replays a real event file (default: the REES46 slice in data/, 3 hours of events in about
     a minute) while printing alerts as they arrive
  5. prints a summary from the Flink REST API and the topics
The broker, the cluster and the job keep running afterwards so you can explore the web UI;
stop them with deploy/bin/stop.sh. Ctrl-C at any point stops everything.

Options:
  --skip-build        use the jars already built
  --speed-up FACTOR   event time runs FACTOR times faster than wall time (default 180: the
                      REES46 slice takes about a minute); 0 = as fast as possible
  --file PATH         event file to replay (default: $DEFAULT_FILE)
  --format FORMAT     rees46, taobao or json (default: from the file name)
  --stop-at-end       stop everything after the summary
  -h, --help          this help
Arguments after '--' go to the job, e.g. -- --delivery exactly-once --purchase-threshold 0.3
Logs: $LOG_DIR
USAGE
}

build=true
speed_up=180
file="$DEFAULT_FILE"
format_args=()
stop_at_end=false
job_args=()
while (($# > 0)); do
    case "$1" in
    --skip-build)
        build=false
        shift
        ;;
    --speed-up)
        speed_up="${2:?--speed-up needs a factor}"
        shift 2
        ;;
    --file)
        file="${2:?--file needs a path}"
        shift 2
        ;;
    --format)
        format_args=(--format "${2:?--format needs rees46, taobao or json}")
        shift 2
        ;;
    --stop-at-end)
        stop_at_end=true
        shift
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
        die "unknown option $1"
        ;;
    esac
done

step() { printf '\n==> %s\n' "$*"; }

# The long steps run as background children awaited with 'wait', so that SIGTERM (or SIGINT)
# to this script is handled at once instead of after the step; the handler ends the child.
finished=false
child=""
run_step() {
    "$@" &
    child=$!
    local status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}
on_exit() {
    local status=$?
    if [[ -n "$child" ]]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    if [[ "$finished" != true ]]; then
        trap - INT TERM EXIT
        printf '\n' >&2
        warn "quickstart did not finish (exit $status): stopping everything; logs in $LOG_DIR"
        "$DEPLOY_DIR/bin/stop.sh" >&2 || true
    fi
    exit "$status"
}
on_signal() {
    trap - INT TERM
    printf '\ninterrupted\n' >&2
    exit 130
}
trap on_exit EXIT
trap on_signal INT TERM

require_java
[[ -f "$file" ]] || die "event file $file not found"

if [[ "$build" == true ]]; then
    step "building the job and the tools (mvn -B -q install -DskipTests -pl job,deploy -am)"
    command -v "$MVN" >/dev/null 2>&1 || die "mvn not found: install Maven 3.8+"
    (cd "$REPO_DIR" && "$MVN" -B -q -Dstyle.color=never install -DskipTests -Dspotless.check.skip=true \
        -pl job,deploy -am)
fi
[[ -f "$JOB_JAR" ]] || die "$JOB_JAR is missing (run without --skip-build)"
require_tools_jar

step "starting a fresh Kafka broker and Flink cluster (logs in $LOG_DIR)"
"$DEPLOY_DIR/bin/stop.sh" --purge >/dev/null
"$DEPLOY_DIR/bin/kafka.sh" start --clean
"$DEPLOY_DIR/bin/flink.sh" start

step "creating the topics"
"$DEPLOY_DIR/bin/topics.sh"

step "submitting the job"
run_step "$DEPLOY_DIR/bin/submit.sh" --wait-running 120 -- "${job_args[@]+"${job_args[@]}"}"
job_id="$(cat "$RUN_DIR/job.id")"

step "replaying $(basename "$file"); alerts are printed as they arrive"
read -r -a marker <<<"$(service_marker alerts-printer)"
"$JAVA" "${marker[@]}" -jar "$TOOLS_JAR" alerts --from-beginning </dev/null &
printf '%s' "$!" >"$(pid_file alerts-printer)"
run_step "$DEPLOY_DIR/bin/replay.sh" "$file" "${format_args[@]+"${format_args[@]}"}" \
    --speed-up "$speed_up" --progress lines --progress-seconds 10

step "waiting for the job to read every event and checkpoint"
summary_status=0
run_step "$DEPLOY_DIR/bin/summary.sh" --job-id "$job_id" --wait-seconds 180 || summary_status=$?
# let the printer show the alerts that the last checkpoint flushed
sleep 2
stop_service alerts-printer 10 >/dev/null
((summary_status == 0)) || die "the job did not catch up with the events (see above)"

cat <<DONE

==> done. Look around:
  Flink web UI      $FLINK_REST_URL/#/job/running/$job_id/overview
                    the job graph with records and bytes in/out per task, back pressure,
                    the Checkpoints tab (incremental RocksDB checkpoints and their sizes),
                    Task Managers > Logs/Metrics
  Prometheus        http://127.0.0.1:9249/metrics (JobManager; the TaskManager takes the
                    next free port of 9249-9260)
  alerts            deploy/bin/alerts.sh --from-beginning   (or --raw for the JSON)
  more events       deploy/bin/replay.sh data/taobao-userbehavior-head/UserBehavior_head.csv.gz
  logs              $LOG_DIR
DONE

finished=true
if [[ "$stop_at_end" == true ]]; then
    step "stopping everything"
    "$DEPLOY_DIR/bin/stop.sh"
else
    printf '\nThe broker, the cluster and the job keep running. Stop them with: deploy/bin/stop.sh\n'
fi
