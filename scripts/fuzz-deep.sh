#!/usr/bin/env bash
# The deep run: every Solidity invariant and fuzz test at TRADELINE_INVARIANT_RUNS (default 10,000) runs, depth 64,
# one test per process (`--grep`), JOBS at a time. A single process runs the whole campaign on one core for hours,
# so each test's result is appended to fuzz/deep-results.tsv as soon as it is known, with the tree it ran on; a
# later run skips what is already recorded for the same contracts and tests, and resumes the rest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS=${TRADELINE_INVARIANT_RUNS:-10000}
JOBS=${JOBS:-2}
OUT=fuzz/deep-results.tsv
# What the results depend on: the contracts, the Solidity tests and the config, as committed git objects (a dirty
# tree is refused, so a result always names what it ran): the contracts/ tree, a digest of the test/ listing of .sol
# files (names and blob ids; the mocha tests do not change a Solidity test's result) and the config's blob.
if [[ -n $(git status --porcelain -- contracts test hardhat.config.ts) ]]; then
  echo "error: contracts/, test/ or hardhat.config.ts has uncommitted changes; commit them first" >&2
  exit 1
fi
solidity_tests=$(git ls-tree -r HEAD -- test | awk '$4 ~ /\.sol$/' | sha1sum | cut -c1-7)
tree=$(git rev-parse --short HEAD:contracts)-$solidity_tests-$(git rev-parse --short HEAD:hardhat.config.ts)
mkdir -p fuzz
[[ -f $OUT ]] || printf 'test\tfile\truns\tresult\tseconds\ttree\tdate\n' >"$OUT"

npx hardhat build --quiet
pending=()
while IFS=: read -r file name; do
  if ! awk -F'\t' -v n="$name" -v r="$RUNS" -v t="$tree" '$1==n && $3==r && $6==t && $4=="pass" {found=1} END {exit !found}' "$OUT"; then
    pending+=("$file:$name")
  fi
done < <(grep -oE 'function (invariant|testFuzz)_[A-Za-z0-9_]+' test/*/*.t.sol | sed -E 's/function //')
echo "deep run at $RUNS runs (tree $tree): ${#pending[@]} test(s) to run, $JOBS at a time"

run_one() {
  local file=${1%%:*} name=${1#*:} start log result
  start=$(date +%s)
  log=$(mktemp)
  if TRADELINE_INVARIANT_RUNS=$RUNS npx hardhat test solidity --no-compile --grep "^${name}\(" >"$log" 2>&1 &&
    grep -q "1 passing" "$log"; then
    result=pass
  else
    result=fail
    sed -n '/failing/,$p' "$log" | head -40 >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$file" "$RUNS" "$result" "$(($(date +%s) - start))" "$tree" \
    "$(date -u +%FT%TZ)" >>"$OUT"
  echo "$result $name ($(($(date +%s) - start)) s)"
  rm -f "$log"
}
export -f run_one
export RUNS tree OUT
printf '%s\n' "${pending[@]}" | xargs -r -P "$JOBS" -I{} bash -c 'run_one "$@"' _ {}
! grep -qP "\t$RUNS\tfail\t[0-9]+\t$tree\t" "$OUT"
