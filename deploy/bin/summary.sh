#!/usr/bin/env bash
# Summarises a run: events in, alerts by type, dead letters, from the REST API and the topics.
# A thin wrapper over 'java -jar deploy/target/propensity-deploy-*.jar summary'; see --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_java summary "$@"
