#!/usr/bin/env bash
# The README's one command: builds the job, starts a local Kafka broker and Flink cluster,
# submits the job, replays real events, prints alerts as they arrive and a summary. See --help.
set -euo pipefail
# shellcheck source=bin/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bin/lib.sh"

# the Taobao slice the default models were trained on (with the head slice): 9 days, so both
# purchase-intent alerts and, as event time passes days, churn-risk alerts show up
DEFAULT_FILE="$REPO_DIR/data/taobao-userbehavior-tail/UserBehavior_tail.csv.gz"
REES46_FILE="data/rees46-multicategory-2019oct-head/2019-Oct_head.csv.gz"

usage() {
    cat <<USAGE
Usage: deploy/quickstart.sh [options] [-- JOB_ARGUMENTS...]

Runs Propensity end to end on this machine (JDK 17, Maven, curl and ps are all it needs):
  1. builds the job and the tools (mvn -B -q install -DskipTests -pl job,deploy -am)
  2. starts a fresh Kafka broker ($BOOTSTRAP_SERVERS) and Flink cluster ($FLINK_REST_URL);
     the first run downloads their jars with Maven into $WORK_DIR
  3. creates the topics and submits the job
  4. replays a real event file, paced by event time, while printing alerts as they arrive
     (default: the Taobao slice the default models were trained on, 114 users over 9 days, in
     about a minute; a Taobao file is grouped by user, so a time-sorted copy is replayed)
  5. prints a summary from the Flink REST API and the topics
The broker, the cluster and the job keep running afterwards so you can explore the web UI;
stop them with deploy/bin/stop.sh. Ctrl-C at any point stops everything.

Options:
  --skip-build        use the jars already built
  --speed-up FACTOR   event time runs FACTOR times faster than wall time (default 14400, 4 hours
                      per second: the Taobao slice takes about a minute; use 180 for the REES46
                      slice, 3 hours in a minute); 0 = as fast as possible
  --file PATH         event file to replay (default: $DEFAULT_FILE;
                      e.g. $REES46_FILE)
  --format FORMAT     rees46, taobao or json (default: from the file name)
  --stop-at-end       stop everything after the summary
  -h, --help          this help
Arguments after '--' go to the job, e.g. -- --delivery exactly-once --purchase-threshold 0.3
Logs: $LOG_DIR
USAGE
}

build=true
speed_up=14400
file="$DEFAULT_FILE"
format=""
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
        format="${2:?--format needs rees46, taobao or json}"
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
# what the steps need, checked before minutes of building (and before the traps: nothing to stop)
require_java
require_commands curl ps
trap on_exit EXIT
trap on_signal INT TERM

[[ -f "$file" ]] || die "event file $file not found"
# the replay tool's rule: UserBehavior* is taobao, *.json/*.jsonl json, anything else rees46
if [[ -z "$format" ]]; then
    case "$(basename "$file")" in
    UserBehavior*) format=taobao ;;
    *.json | *.json.gz | *.jsonl | *.jsonl.gz) format=json ;;
    *) format=rees46 ;;
    esac
fi

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

replay_file="$file"
if [[ "$format" == taobao ]]; then
    # Taobao files are grouped by user (each user's 9 days, then the next user's): in file order
    # the first user would carry event time, and so the watermark, to the end at once, and every
    # later user's inactivity checks would be due the moment their events arrive. Replay a copy
    # in time order (stable: a user's events at one second keep their order).
    replay_file="$WORK_DIR/replay/$(basename "${file%.gz}" .csv).by-time.csv"
    mkdir -p "$WORK_DIR/replay"
    gzip -dcf "$file" | LC_ALL=C sort -s -t, -k5,5n >"$replay_file"
fi

step "replaying $(basename "$file") at $speed_up x; alerts are printed as they arrive"
read -r -a marker <<<"$(service_marker alerts-printer)"
"$JAVA" "${marker[@]}" -jar "$TOOLS_JAR" alerts --from-beginning </dev/null &
printf '%s' "$!" >"$(pid_file alerts-printer)"
run_step "$DEPLOY_DIR/bin/replay.sh" "$replay_file" --format "$format" \
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
  more events       deploy/bin/replay.sh $REES46_FILE --speed-up 180
                    (October 2019: after the Taobao days in event time, so nothing is late)
  logs              $LOG_DIR
DONE

finished=true
if [[ "$stop_at_end" == true ]]; then
    step "stopping everything"
    "$DEPLOY_DIR/bin/stop.sh"
else
    printf '\nThe broker, the cluster and the job keep running. Stop them with: deploy/bin/stop.sh\n'
fi
