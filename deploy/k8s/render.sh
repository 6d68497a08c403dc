#!/usr/bin/env bash
# Renders deploy/k8s/flink-deployment.yaml with your parameters to stdout. See --help.
set -euo pipefail

K8S_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
    cat <<USAGE
Usage: $(basename "$0") --image IMAGE --state-uri URI --bootstrap-servers HOST:PORT [options]

Prints the FlinkDeployment for the Flink Kubernetes Operator with every parameter filled in:
  deploy/k8s/render.sh --image registry.example.com/propensity:0.1.0 \\
      --state-uri s3://my-bucket/propensity --bootstrap-servers kafka:9092 | kubectl apply -f -

Required:
  --image IMAGE                 image built with deploy/k8s/Dockerfile
  --state-uri URI               object storage for checkpoints, savepoints and HA metadata
                                (s3://bucket/prefix; needs the S3 plugin of the Dockerfile)
  --bootstrap-servers SERVERS   Kafka bootstrap servers reachable from the pods
Options (defaults in brackets):
  --name NAME                   FlinkDeployment name [propensity]
  --namespace NAMESPACE         [default]
  --parallelism N               job parallelism [2]
  --task-slots N                slots per TaskManager [2]
  --taskmanager-memory SIZE     TaskManager pod memory [4096m]
  --taskmanager-cpu CPUS        TaskManager pod CPUs [2]
  --jobmanager-memory SIZE      JobManager pod memory [2048m]
  --jobmanager-cpu CPUS         JobManager pod CPUs [1]
  -h, --help                    this help
USAGE
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 2
}

name=propensity
namespace=default
image=""
state_uri=""
bootstrap_servers=""
parallelism=2
task_slots=2
taskmanager_memory=4096m
taskmanager_cpu=2
jobmanager_memory=2048m
jobmanager_cpu=1
while (($# > 0)); do
    [[ "$1" == -h || "$1" == --help ]] && {
        usage
        exit 0
    }
    (($# >= 2)) || die "$1 needs a value"
    case "$1" in
    --name) name="$2" ;;
    --namespace) namespace="$2" ;;
    --image) image="$2" ;;
    --state-uri) state_uri="${2%/}" ;;
    --bootstrap-servers) bootstrap_servers="$2" ;;
    --parallelism) parallelism="$2" ;;
    --task-slots) task_slots="$2" ;;
    --taskmanager-memory) taskmanager_memory="$2" ;;
    --taskmanager-cpu) taskmanager_cpu="$2" ;;
    --jobmanager-memory) jobmanager_memory="$2" ;;
    --jobmanager-cpu) jobmanager_cpu="$2" ;;
    *)
        usage >&2
        die "unknown option $1"
        ;;
    esac
    shift 2
done

[[ -n "$image" ]] || die "--image is required"
[[ "$state_uri" =~ ^[a-z0-9]+:// ]] || die "--state-uri must be a URI such as s3://bucket/prefix"
[[ -n "$bootstrap_servers" ]] || die "--bootstrap-servers is required"
[[ "$parallelism" =~ ^[1-9][0-9]*$ ]] || die "--parallelism must be a positive integer"
[[ "$task_slots" =~ ^[1-9][0-9]*$ ]] || die "--task-slots must be a positive integer"
[[ "$taskmanager_cpu" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--taskmanager-cpu must be a number"
[[ "$jobmanager_cpu" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--jobmanager-cpu must be a number"
[[ "$taskmanager_memory" =~ ^[0-9]+[mg]$ ]] || die "--taskmanager-memory must look like 4096m"
[[ "$jobmanager_memory" =~ ^[0-9]+[mg]$ ]] || die "--jobmanager-memory must look like 2048m"

sed -e "s|@NAME@|$name|g" -e "s|@NAMESPACE@|$namespace|g" -e "s|@IMAGE@|$image|g" \
    -e "s|@STATE_URI@|$state_uri|g" -e "s|@BOOTSTRAP_SERVERS@|$bootstrap_servers|g" \
    -e "s|@PARALLELISM@|$parallelism|g" -e "s|@TASK_SLOTS@|$task_slots|g" \
    -e "s|@TASKMANAGER_MEMORY@|$taskmanager_memory|g" \
    -e "s|@TASKMANAGER_CPU@|$taskmanager_cpu|g" \
    -e "s|@JOBMANAGER_MEMORY@|$jobmanager_memory|g" \
    -e "s|@JOBMANAGER_CPU@|$jobmanager_cpu|g" \
    "$K8S_DIR/flink-deployment.yaml"
