#!/usr/bin/env bash
# accuracy.sh — recall, precision and hard-negative hits of leaktrap and the peer
# scanners on the generated, labelled accuracy corpus (crates/accuracy), both splits.
#
# Usage:
#   benches/accuracy.sh [OUT_DIR]
#
# OUT_DIR (default: a new temporary directory, path printed) receives, per split,
# <split>/tree/ (the corpus), <split>/labels.json, one native report per tool, one scored
# summary per tool (<split>/<tool>.score.txt: per family, misses and false positives by
# format id, never a secret value) and <split>/table.md (all tools side by side, with
# the union of the peers). Nothing is written inside the repository.
#
# Environment:
#   SIZE        small or large (default large)
#   TOOLS       space-separated subset (default: leaktrap and every installed peer:
#               gitleaks betterleaks kingfisher ripsecrets secretlint detect-secrets)
#   SPLITS      default "dev holdout"; add "probe" for every format in every syntax
#   PEERS_DIR   where tools/install-peers put the peers (default: $LEAKTRAP_PEERS or
#               ~/.cache/leaktrap-peers); its bin/ is put first on PATH. Missing peers
#               are skipped; install them with ../shared/tools/install-peers.
#   LEAKTRAP    leaktrap binary (default <repo>/target/release/leaktrap, built if missing)
#   ACCURACY    leaktrap-accuracy binary (default <repo>/target/release/leaktrap-accuracy)
#   TIMEOUT     seconds per tool and split before it is killed (default 900)
#
# Every tool runs with its default rules and filters (what a user gets), no network
# validation, from the split's directory so reported paths are tree/...; the scorer maps
# any path form back onto the corpus. Peers run under `nice`.
set -uo pipefail

die() { echo "accuracy.sh: $*" >&2; exit 2; }
case "${1:-}" in -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;; esac

repo=$(cd "$(dirname "$0")/.." && pwd)
size=${SIZE:-large}
splits=${SPLITS:-dev holdout}
timeout_s=${TIMEOUT:-900}
peers_dir=${PEERS_DIR:-${LEAKTRAP_PEERS:-$HOME/.cache/leaktrap-peers}}
export PATH="$peers_dir/bin:$PATH"
leaktrap=${LEAKTRAP:-$repo/target/release/leaktrap}
acc=${ACCURACY:-$repo/target/release/leaktrap-accuracy}

if [ ! -x "$leaktrap" ] || [ ! -x "$acc" ]; then
  echo "building leaktrap and leaktrap-accuracy (release)..." >&2
  (cd "$repo" && cargo build --release -q -p leaktrap -p leaktrap-accuracy --bins) ||
    die "cargo build failed"
fi

out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/leaktrap-accuracy.XXXXXX")}
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

all_tools=(leaktrap gitleaks betterleaks kingfisher ripsecrets secretlint detect-secrets)
if [ -n "${TOOLS:-}" ]; then read -r -a tools <<< "$TOOLS"; else tools=("${all_tools[@]}"); fi
present=()
for t in "${tools[@]}"; do
  case "$t" in
    leaktrap) present+=("$t") ;;
    *) if command -v "$t" >/dev/null; then present+=("$t"); else echo "skipping $t: not installed (../shared/tools/install-peers)" >&2; fi ;;
  esac
done

# run_tool NAME: scans ./tree from the current directory, report to ./NAME.report
run_tool() {
  local t=$1 rc
  case "$t" in
    leaktrap)
      timeout "$timeout_s" "$leaktrap" scan --no-ignore tree --format json > leaktrap.report 2> leaktrap.log ;;
    gitleaks)
      timeout "$timeout_s" nice gitleaks dir --no-banner --no-color --log-level error \
        -f json -r gitleaks.report tree > gitleaks.log 2>&1 ;;
    betterleaks)
      timeout "$timeout_s" nice betterleaks fs --no-banner --no-color --log-level error \
        -o betterleaks.json tree > betterleaks.log 2>&1  # it insists on a .json name
      mv -f betterleaks.json betterleaks.report 2>/dev/null ;;
    kingfisher)
      timeout "$timeout_s" nice kingfisher scan tree --no-validate --no-update-check \
        --git-history none --quiet --format json > kingfisher.report 2> kingfisher.log ;;
    ripsecrets)
      # ripsecrets skips dot-files and dot-directories when walking; paths given on the
      # command line are always read, so every hidden entry is passed as an extra root.
      local hidden=()
      mapfile -d '' hidden < <(find tree -mindepth 1 -name '.*' ! -type l -print0)
      timeout "$timeout_s" nice ripsecrets tree "${hidden[@]}" > ripsecrets.report 2> ripsecrets.log ;;
    secretlint)
      timeout "$timeout_s" nice secretlint --secretlintrc "$peers_dir/.secretlintrc.json" \
        --no-color --format json 'tree/**/*' > secretlint.report 2> secretlint.log ;;
    detect-secrets)
      # --all-files: walk the tree instead of `git ls-files`; -n: no network verification.
      (cd tree && timeout "$timeout_s" nice detect-secrets scan --all-files -n .) \
        > detect-secrets.report 2> detect-secrets.log ;;
  esac
  rc=$?
  [ "$rc" = 124 ] && echo "  $t: timed out after ${timeout_s}s" >&2
  return 0
}

for split in $splits; do
  d=$out/$split
  "$acc" generate --split "$split" --size "$size" "$d" || die "generate failed"
  cd "$d" || die "cd $d"
  args=()
  for t in "${present[@]}"; do
    start=$EPOCHREALTIME
    run_tool "$t"
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
    if "$acc" score --labels labels.json --tool "$t" --list 200 "$t.report" > "$t.score.txt" 2> "$t.score.err"; then
      echo "  $split $t: $(sed -n 2p "$t.score.txt" | tr -s ' ') ($secs s)" >&2
      args+=("$t=$t.report")
    else
      echo "  $split $t: report not scored ($(head -c 200 "$t.score.err"))" >&2
    fi
  done
  "$acc" table --labels labels.json "${args[@]}" > table.md
  echo
  echo "## $split split ($size)"
  echo
  cat table.md
done
echo
echo "results in $out"
