#!/usr/bin/env bash
# history.sh — side-by-side timing of full-history git scans.
#
# Usage:
#   benches/history.sh REPO      REPO: a git repository (bare or not), e.g. a clone of git/git
#
# Environment:
#   LEAKTRAP   leaktrap binary (default: <repo>/target/release/leaktrap)
#   RUNS       timed runs per tool after one warm-up round (default 3)
#   TOOLS      subset, default "git-floor leaktrap betterleaks gitleaks kingfisher";
#              "leaktrap-trace" times `leaktrap trace` (secret from TRACE_SECRET)
#   PEERS_DIR  where tools/install-peers put the peers (default ~/.cache/leaktrap-peers)
#
# Method: one untimed warm-up round (page cache, kingfisher's rule cache), then RUNS rounds
# in which every tool runs once in the same order, so drift hits all alike. Wall time from
# bash's EPOCHREALTIME, peak RSS from /usr/bin/time. Output is discarded; no tool validates
# anything over the network. "git-floor" is git inflating every object once on one thread
# (`git cat-file --batch-all-objects --batch --unordered`): what any reader of a repository
# pays before matching anything.
#
# Per-tool command lines (what each one scans):
#   leaktrap    `leaktrap git -q`: every blob reachable from any ref (and the unreachable
#               ones), commit and tag messages, provenance for findings
#   betterleaks `betterleaks git`: `git log -p` over all refs (its default)
#   gitleaks    `gitleaks git`: `git log -p --all` patches
#   kingfisher  `kingfisher scan --git-history full --no-validate`: blobs of the history
set -uo pipefail
die() { echo "history.sh: $*" >&2; exit 2; }
[ $# -eq 1 ] || die "usage: benches/history.sh REPO"
target=$(realpath -e -- "$1") || die "no such path: $1"
git -C "$target" rev-parse --git-dir >/dev/null 2>&1 || die "not a git repository: $target"
runs=${RUNS:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
leaktrap=${LEAKTRAP:-$repo/target/release/leaktrap}
peers_dir=${PEERS_DIR:-${LEAKTRAP_PEERS:-$HOME/.cache/leaktrap-peers}}
export PATH="$peers_dir/bin:$PATH"
tools=(${TOOLS:-git-floor leaktrap betterleaks gitleaks kingfisher})
# What trace looks for: a made-up value found in no repository unless TRACE_SECRET is set.
trace_value=${TRACE_SECRET:-0000leaktrap-trace-benchmark-value-that-is-in-no-repository-0000} # leaktrap:allow
work=$(mktemp -d "${TMPDIR:-/tmp}/leaktrap-history.XXXXXX")
trap 'rm -rf "$work"' EXIT

cmd_for() {
  local t=$target
  case "$1" in
    git-floor) CMD=(git -C "$t" cat-file --batch-all-objects --batch --unordered) ;;
    leaktrap) CMD=("$leaktrap" git "$t" -q) ;;
    # trace: the secret on stdin (TRACE_SECRET, default a 64-char value absent from any repo).
    leaktrap-trace) CMD=(sh -c 'printf "%s\n" "$1" | "$2" trace "$3" > /dev/null' trace "$trace_value" "$leaktrap" "$t") ;;
    betterleaks) CMD=(betterleaks git "$t" --no-banner --no-color --log-level error --exit-code=0) ;;
    gitleaks) CMD=(gitleaks git "$t" --no-banner --log-level error --exit-code 0) ;;
    kingfisher) CMD=(kingfisher scan "$t" --git-history full --no-validate --no-update-check --quiet) ;;
    *) return 1 ;;
  esac
}

available=()
for t in "${tools[@]}"; do
  cmd_for "$t" || die "unknown tool $t"
  if command -v "${CMD[0]}" >/dev/null 2>&1 || [ -x "${CMD[0]}" ]; then available+=("$t")
  else echo "history.sh: $t not found, skipped" >&2; fi
done

run_one() { # tool -> "wall_s rss_kb"
  cmd_for "$1"
  local t0 t1
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/rss" "${CMD[@]}" >/dev/null 2>"$work/err" </dev/null
  local rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" -gt 1 ]; then echo "history.sh: $1 exited $rc: $(tail -3 "$work/err")" >&2; fi
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') $(tail -1 "$work/rss")"
}

echo "repository: $target"
echo "commits (all refs): $(git -C "$target" rev-list --all --count)"
git -C "$target" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' --unordered |
  awk '$1=="blob"{n++; s+=$2} END{printf "blobs: %d, %.2f GB\n", n, s/1e9}'
echo "machine: $(nproc) cores; runs: $runs (+1 warm-up)"
for t in "${available[@]}"; do run_one "$t" >/dev/null; done
declare -A walls rss
for ((i = 0; i < runs; i++)); do
  for t in "${available[@]}"; do
    read -r w m < <(run_one "$t")
    walls[$t]+="$w "; rss[$t]+="$m "
    echo "run $((i + 1)) $t ${w}s ${m}KB" >&2
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
base=$(echo "${walls[leaktrap]:-}" | median)
printf '%-12s %10s %10s %12s\n' tool "median s" "peak MB" "vs leaktrap"
for t in "${available[@]}"; do
  w=$(echo "${walls[$t]}" | median)
  m=$(echo "${rss[$t]}" | median)
  r=$(awk -v a="$w" -v b="${base:-0}" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }')
  printf '%-12s %10.2f %10.0f %12s\n' "$t" "$w" "$(awk -v k="$m" 'BEGIN{print k/1024}')" "$r"
done
