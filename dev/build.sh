#!/usr/bin/env bash
# Developer in-place build. `dev/build.sh` builds every kernel; `dev/build.sh histogram,estimators`
# builds only those (so parallel work on one kernel does not wait on another's half-written file).
# The kernels compile in parallel, one job per usable core (FASTENTROPY_BUILD_JOBS=N to change).
# Debug info: FASTENTROPY_DEBUG=1 dev/build.sh (or a -g in CFLAGS); without it the .so files are
# built with -g0. Extra flags: CFLAGS/CPPFLAGS/LDFLAGS are honoured (CFLAGS after ours), e.g.
#   CFLAGS="-O1 -g -fsanitize=address" LDFLAGS="-fsanitize=address" dev/build.sh
# See dev/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# pyproject.toml's SPDX `license` string needs setuptools >= 77 (older ones reject the file).
if ! python - <<'PY'
import sys
import setuptools
major = int(setuptools.__version__.split(".")[0])
if major < 77:
    sys.exit(f"dev/build.sh: setuptools {setuptools.__version__} cannot read pyproject.toml "
             "(it needs >= 77 for the SPDX license string); run: "
             "python -m pip install 'setuptools>=77'")
PY
then
    exit 1
fi
FASTENTROPY_EXTENSIONS="${1:-}" python setup.py -q build_ext --inplace
