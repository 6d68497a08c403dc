#!/usr/bin/env bash
# Creates the job's topics (events, alerts, dead letters, late events) if they are missing.
# A thin wrapper over 'java -jar deploy/target/propensity-deploy-*.jar topics'; see --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_java topics "$@"
