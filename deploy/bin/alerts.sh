#!/usr/bin/env bash
# Prints the alerts topic, one readable line per alert (--raw for the JSON).
# A thin wrapper over 'java -jar deploy/target/propensity-deploy-*.jar alerts'; see --help.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tools_java alerts "$@"
