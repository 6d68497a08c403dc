#!/usr/bin/env bash
# Replays an event file to the events topic as JSON, keyed by user id.
# A thin wrapper over 'java -jar deploy/target/propensity-deploy-*.jar replay'; see --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_java replay "$@"
