#!/usr/bin/env bash
# Kafka's own kafka-topics, run from the jars of the local broker (org.apache.kafka.tools.TopicCommand).
# Same options as in a Kafka distribution; see --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_java
[[ -f "$KAFKA_HOME/libs/.complete" ]] || "$DEPLOY_DIR/bin/kafka.sh" prepare
exec "$JAVA" -Dlog4j2.configurationFile="$DEPLOY_DIR/conf/kafka/log4j2-tools.properties" \
    -cp "$KAFKA_HOME/libs/*" org.apache.kafka.tools.TopicCommand "$@"
