#!/usr/bin/env bash
# Developer in-place build. `dev/build.sh` builds every kernel; `dev/build.sh histogram,estimators`
# builds only those (so parallel work on one kernel does not wait on another's half-written file).
set -euo pipefail
cd "$(dirname "$0")/.."
FASTENTROPY_EXTENSIONS="${1:-}" python setup.py -q build_ext --inplace -j 2
