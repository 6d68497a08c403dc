#!/usr/bin/env bash
# Stops everything the deploy scripts started from this work folder, and nothing else.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<USAGE
Usage: $(basename "$0") [--purge]

Stops, in order, the quickstart's alert printer, the Flink TaskManager and JobManager (the
running job ends with them; retained checkpoints stay) and the Kafka broker. Only processes
whose PID files are in $RUN_DIR and that still carry this work folder's marker are signalled.

  --purge   also delete the broker data, checkpoints, savepoints and logs (keeps the jars)
USAGE
}

purge=false
case "${1:-}" in
"") ;;
--purge) purge=true ;;
-h | --help)
    usage
    exit 0
    ;;
*)
    usage >&2
    exit 2
    ;;
esac

require_commands ps
stop_service alerts-printer 10
stop_service flink-taskmanager 30
stop_service flink-jobmanager 30
stop_service kafka 30
rm -f "$RUN_DIR/job.id"

if [[ "$purge" == true ]]; then
    info "deleting data, checkpoints, savepoints and logs under $WORK_DIR"
    rm -rf "$KAFKA_HOME/data" "$FLINK_HOME/checkpoints" "$FLINK_HOME/savepoints" \
        "$FLINK_HOME/tmp" "$FLINK_HOME/web-upload" "$LOG_DIR"
fi
info "stopped"
