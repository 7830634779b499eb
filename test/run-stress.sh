#!/bin/sh
# make check-stress: the scenario catalogue against the bundled gateway.
set -u
cd "$(dirname "$0")/.." || exit 1
exec "${GWSTRESS:-./gwstress}" --scale "${STRESS_SCALE:-smoke}"
