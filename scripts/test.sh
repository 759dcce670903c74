#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, runs the whole test suite.
# Ends with ctest's summary. MBL_BUILD_DIR overrides the build directory (default: build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
# The libFuzzer binaries (clang, build-fuzz/): the suite's fuzz_run_* tests fuzz each ~30 s.
bash "$root/scripts/fuzz.sh" --build-only
# playwright-core for the browser tests, exactly as locked (from the npm registry).
(cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
cd "${MBL_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j2 --timeout 600
