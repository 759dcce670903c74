#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang-14 (AddressSanitizer + UBSan) into
# build-fuzz/ (or $MBL_FUZZ_BUILD_DIR) and runs each for $MBL_FUZZ_SECONDS (default 30) seconds on
# its kept corpus (tests/fuzz/corpus/<target>/) and its crash reproducers
# (tests/fuzz/<target>/crashes/), $MBL_FUZZ_JOBS (default 2) targets at a time.
# docs/reliability.md ("Fuzzing") has the figures and how to reproduce them.
#
#   bash scripts/fuzz.sh [--merge] [--seeds] [--build-only] [TARGET...]
#
#   TARGET        run only these (default: every tests/fuzz/*_fuzz.cc)
#   --merge       afterwards, add to the kept corpus the new inputs that add coverage
#                 (libFuzzer -merge=1); without it the kept corpus is left as it is
#   --seeds       regenerate the seed files (tests/fuzz/corpus/*/seed-*) with fuzz_make_seeds first
#   --build-only  build the fuzzers and stop
#   --run-only    run fuzzers built before, without building (the test suite's fuzz_run_* tests)
#
# New inputs of a run go to $build/fuzz-work/<target>/corpus (kept between runs); a crash's input
# is copied to tests/fuzz/<target>/crashes/, where the ctest test fuzz_<target> replays it. Exits
# non-zero when any target crashed. Needs clang-14 and libclang-rt-14-dev (scripts/install-deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MBL_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${MBL_FUZZ_SECONDS:-30}
jobs=${MBL_FUZZ_JOBS:-2}
merge=0
seeds=0
build_only=0
run_only=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    --seeds) seeds=1 ;;
    --build-only) build_only=1 ;;
    --run-only) run_only=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$root"/tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" _fuzz.cc)
    targets+=("$name")
  done
fi

if ! command -v clang++-14 >/dev/null 2>&1 ||
    ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz.sh: needs clang-14 and libclang-rt-14-dev (bash scripts/install-deps.sh)" >&2
  exit 2
fi

start=$(date +%s)
if [ "$run_only" = 1 ]; then
  for t in "${targets[@]}"; do
    if [ ! -x "$build/tests/fuzz/fuzz_$t" ]; then
      echo "fuzz.sh: $build/tests/fuzz/fuzz_$t is not built; run: bash scripts/fuzz.sh --build-only" >&2
      exit 2
    fi
  done
elif [ ! -f "$build/CMakeCache.txt" ]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMBL_FUZZ=ON >/dev/null
fi
if [ "$run_only" = 0 ]; then
  build_targets=()
  for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
  if [ "$seeds" = 1 ]; then build_targets+=(fuzz_make_seeds); fi
  cmake --build "$build" -j "${MBL_JOBS:-2}" --target "${build_targets[@]}"
  echo "fuzz.sh: fuzzers built in $(( $(date +%s) - start )) s"
fi
if [ "$seeds" = 1 ]; then
  "$build/tests/fuzz/fuzz_make_seeds" "$root" "$root/tests/fuzz/corpus"
fi
if [ "$build_only" = 1 ]; then exit 0; fi

dict_for() {
  case "$1" in
    envelope|record_json|http_api|scenario|config|exit_bundle) echo "$root/tests/fuzz/dict/json.dict" ;;
  esac
}

run_target() {
  local t=$1
  local work="$build/fuzz-work/$t"
  local kept="$root/tests/fuzz/corpus/$t"
  local crashes="$root/tests/fuzz/$t/crashes"
  mkdir -p "$work/corpus" "$work/artifacts"
  rm -f "$work/artifacts"/*
  local inputs=("$work/corpus" "$kept")
  if [ -d "$crashes" ]; then inputs+=("$crashes"); fi
  local options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1
                 -artifact_prefix="$work/artifacts/")
  local dict
  dict=$(dict_for "$t")
  if [ -n "$dict" ]; then options+=(-dict="$dict"); fi
  local status=0
  "$build/tests/fuzz/fuzz_$t" "${options[@]}" "${inputs[@]}" >"$work/log" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    mkdir -p "$crashes"
    for artifact in "$work/artifacts"/*; do
      [ -f "$artifact" ] || continue
      cp "$artifact" "$crashes/"
      echo "fuzz.sh: $t: $(basename "$artifact") -> tests/fuzz/$t/crashes/ (log: $work/log)"
    done
    echo "fuzz.sh: $t failed; the end of its log:"
    tail -n 60 "$work/log"
    echo "FAILED" >"$work/result"
  else
    echo "ok" >"$work/result"
  fi
  if [ "$merge" = 1 ] && [ "$status" = 0 ]; then
    "$build/tests/fuzz/fuzz_$t" -merge=1 -timeout=25 -rss_limit_mb=4096 "$kept" "$work/corpus" \
      >"$work/merge.log" 2>&1
  fi
}

echo "fuzz.sh: ${#targets[@]} targets, ${seconds} s each, ${jobs} at a time"
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$t" &
done
wait

failed=0
printf '%-12s %-7s %10s %8s %8s %12s %8s\n' target result execs exec/s cov corpus kept
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  result=$(cat "$work/result" 2>/dev/null || echo "FAILED")
  [ "$result" = ok ] || failed=1
  done_line=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$work/log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  corp=$(echo "$done_line" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
  kept=$(find "$root/tests/fuzz/corpus/$t" -type f | wc -l)
  printf '%-12s %-7s %10s %8s %8s %12s %8s\n' "$t" "$result" "${execs:--}" "${rate:--}" \
    "${cov:--}" "${corp:--}" "$kept"
done
echo "fuzz.sh: done in $(( $(date +%s) - start )) s"
exit "$failed"
