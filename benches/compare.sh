#!/usr/bin/env bash
# compare.sh — side-by-side, whole-process timing of secret scanners on one tree.
#
# Usage:
#   benches/compare.sh [tree] DIR     time full scans of the directory tree DIR
#   benches/compare.sh small FILE     time a scan of one small file (the "under 10 ms" check)
#
# Environment:
#   LEAKTRAP    leaktrap binary (default: <repo>/target/release/leaktrap); skipped if missing
#   RUNS        timed runs per tool after one warm-up run (default 5 for a tree, 20 for small)
#   SLOW_PEERS  1 = also run secretlint and detect-secrets (minutes per run on a big tree)
#   TOOLS       space-separated subset to run, e.g. TOOLS="leaktrap gitleaks rg"
#   PEERS_DIR   where tools/install-peers put the peers (default: $LEAKTRAP_PEERS or
#               ~/.cache/leaktrap-peers); its bin/ is put first on PATH
#   TIMEOUT     seconds before one run is killed and its tool dropped (default 1800)
#   LOG         file for the raw per-run numbers (default: a temporary file, path printed)
#   WARMUP      0 = skip the warm-up round (only when the cache is known to be warm)
#
# Method: warm page cache (one untimed warm-up run per tool, which also fills any rule
# cache a tool keeps), then RUNS rounds in which every tool runs once, in the same order
# (A B C, A B C, ...), so that drift of the machine hits all tools alike. Each run is
# wrapped in /usr/bin/time -f '%e %M' for peak RSS; wall time is taken with bash's
# EPOCHREALTIME around that call (microseconds; %e only has 10 ms steps, too coarse for
# the small-file check) and includes starting /usr/bin/time and timeout (a few ms on a
# small VM): the "(floor)" row runs `true` the same way and shows that overhead.
# Every tool runs with an empty temporary directory as its working directory, so no
# ignore file or config in the caller's directory is picked up. Output is discarded.
#
# Fairness: every tool is made to read every regular file of the tree: no .gitignore,
# no built-in vendor/lockfile path skips, no network, no update checks. Symlinks are not
# followed by any tool's default except secretlint's (see below). Per-tool notes sit
# next to each command line in tool_cmd().
#
# Needs: bash >= 5, coreutils, /usr/bin/time (Debian package `time`), and find/awk/grep
# from the base system. No hyperfine.
set -uo pipefail

die() { echo "compare.sh: $*" >&2; exit 2; }

mode=tree
case "${1:-}" in
  small) mode=small; shift ;;
  tree) shift ;;
  -h|--help|"") awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
[ $# -eq 1 ] || die "expected one path argument (see --help)"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 (EPOCHREALTIME)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"

target=$(realpath -e -- "$1") || die "no such path: $1"
if [ "$mode" = small ]; then
  [ -f "$target" ] || die "small mode wants a regular file: $target"
  runs=${RUNS:-20}
else
  [ -d "$target" ] || die "tree mode wants a directory: $target"
  runs=${RUNS:-5}
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
timeout_s=${TIMEOUT:-1800}

repo=$(cd "$(dirname "$0")/.." && pwd)
leaktrap=${LEAKTRAP:-$repo/target/release/leaktrap}
case "$leaktrap" in /*) ;; *) leaktrap=$PWD/$leaktrap ;; esac
peers_dir=${PEERS_DIR:-${LEAKTRAP_PEERS:-$HOME/.cache/leaktrap-peers}}
export PATH="$peers_dir/bin:$PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/leaktrap-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/cwd"
log=$(realpath -m -- "${LOG:-$(mktemp "${TMPDIR:-/tmp}/leaktrap-compare-log.XXXXXX")}")
: > "$log" || die "cannot write $log"

# --- what is scanned -------------------------------------------------------------------
# Bytes = regular files only (symlinks not followed), as MB = 10^6 bytes.
if [ "$mode" = small ]; then
  nfiles=1; nbytes=$(stat -c %s "$target")
else
  read -r nfiles nbytes < <(find "$target" -type f -printf '%s\n' |
    awk '{n++; s+=$1} END {printf "%d %d\n", n, s}')
fi

# --- token prefixes for the ripgrep baseline ------------------------------------------
# 150 fixed strings that real credentials start with or sit next to. ripgrep with a
# literal set is the "read every byte and run one multi-literal search" floor; it does
# no regex confirmation, entropy or decoding, so it is a lower bound, not a peer.
cat > "$work/prefixes.txt" <<'EOF'
ghp_
gho_
ghu_
ghs_
ghr_
github_pat_
glpat-
gldt-
glrt-
glptt-
glcbt-
glsoat-
glft-
glimt-
gloas-
GR1348941
xoxb-
xoxp-
xoxa-
xoxr-
xoxs-
xoxe-
xapp-
hooks.slack.com/services/
AKIA
ASIA
ABIA
ACCA
A3T
APKA
aws_secret_access_key
aws_session_token
sk_live_
sk_test_
rk_live_
rk_test_
pk_live_
whsec_
sk-proj-
sk-svcacct-
sk-ant-api03-
sk-ant-admin01-
sk-or-v1-
AIza
ya29.
GOCSPX-
"private_key_id"
-----BEGIN
PRIVATE KEY-----
PuTTY-User-Key-File-
ssh-rsa AAAA
ssh-ed25519 AAAA
ecdsa-sha2-nistp
AGE-SECRET-KEY-1
npm_
//registry.npmjs.org/:_authToken
pypi-AgEIcHlwaS5vcmc
rubygems_
CLOJARS_
shpat_
shpca_
shppa_
shpss_
dop_v1_
doo_v1_
dor_v1_
hf_
api_org_
AccountKey=
SharedAccessSignature=
DefaultEndpointsProtocol=
xkeysib-
xsmtpsib-
sq0atp-
sq0csp-
EAAAE
EAACEdEose0cBA
AAAAAAAAAAAAAAAAAAAAA
lin_api_
ntn_
pscale_tkn_
pscale_pw_
pscale_oauth_
PMAK-
glc_
glsa_
eyJrIjoi
eyJhbGciOi
FLWSECK-
FLWPUBK-
dckr_pat_
EZAK
EZTK
shippo_live_
shippo_test_
pul-
.atlasv1.
hvs.
hvb.
dp.pt.
dp.st.
dp.ct.
dp.sa.
dp.scim.
dp.audit.
sntrys_
sntryu_
sgp_
nfp_
xai-
gsk_
pplx-
r8_
AKCp
cmVmdGtu
ATATT3
ATCTT3
bkua_
CCIPAT_
figd_
fio-u-
apify_api_
tfp_
pat-na1-
sk.eyJ
ops_eyJ
tskey-
dt0c01.
NRAK-
NRII-
NRJS-
rdme_
LTAI
AKID
GOOG1
mongodb+srv://
postgres://
mysql://
amqp://
redis://
password=
passwd
api_key
apikey
secret_key
client_secret
access_token
auth_token
Authorization: Bearer
x-api-key
EOF
nprefix=$(grep -c '' "$work/prefixes.txt")
[ "$nprefix" -eq 150 ] || die "prefix list has $nprefix entries, want 150"

# --- peer configs that drop built-in path skips -----------------------------------------
# gitleaks 8.30: the default config's global [allowlist] `paths` (vendor/github.com/...,
# go.sum, lockfiles, node_modules, images, fonts, ...) is applied by the directory walker
# before a file is read (sources/files.go: "skipping directory: global allowlist"), and
# `[extend] useDefault` always re-adds it. gitleaks has no "print config" command, but its
# default TOML is embedded verbatim in the binary (NUL after it), so we cut it out of the
# binary, drop only that `paths` array (its regexes/stopwords only filter findings) and
# pass the result with -c. If that fails, gitleaks runs with its defaults and says so.
gitleaks_cfg=""
make_gitleaks_cfg() {
  local bin off
  bin=$(command -v gitleaks) || return 1
  off=$(LC_ALL=C grep -a -b -o -m1 -F '# This file has been auto-generated. Do not edit manually.' "$bin" |
        head -n1 | cut -d: -f1)
  [ -n "$off" ] || return 1
  tail -c +"$((off + 1))" "$bin" | head -z -n1 | tr -d '\0' |
    awk '/^\[\[rules\]\]/ {inrules = 1}
         !inrules && /^paths = \[/ {skip = 1; next}
         skip { if ($0 ~ /^\]/) skip = 0; next }
         {print}' > "$work/gitleaks-all-files.toml"
  grep -q '^\[\[rules\]\]' "$work/gitleaks-all-files.toml" || return 1
  (cd "$work/cwd" && gitleaks dir --no-banner -c "$work/gitleaks-all-files.toml" "$work/cwd" >/dev/null 2>&1) ||
    return 1
  gitleaks_cfg=$work/gitleaks-all-files.toml
}

# betterleaks 2.0: the default config's top-level `prefilter` expression skips the same
# kind of paths (vendor/github.com/..., lockfiles, node_modules, venvs, images, fonts).
# `betterleaks config show toml` prints the resolved default config (it round-trips to
# the same `config hash`); we drop that one top-level prefilter and pass it with -c.
betterleaks_cfg=""
make_betterleaks_cfg() {
  command -v betterleaks >/dev/null || return 1
  (cd "$work/cwd" && betterleaks config show toml) 2>/dev/null |
    awk -v q="'''" '/^\[\[rules\]\]/ {inrules = 1}
         !inrules && index($0, "prefilter = " q) == 1 {skip = 1; next}
         skip { if (index($0, q) == 1) skip = 0; next }
         {print}' > "$work/betterleaks-all-files.toml"
  grep -q '^\[\[rules\]\]' "$work/betterleaks-all-files.toml" || return 1
  ! grep -q '^prefilter' "$work/betterleaks-all-files.toml" || return 1
  (cd "$work/cwd" && betterleaks config check -c "$work/betterleaks-all-files.toml" >/dev/null 2>&1) ||
    return 1
  betterleaks_cfg=$work/betterleaks-all-files.toml
}

# ripsecrets has no flag to scan hidden files: its walker (the `ignore` crate's defaults)
# skips dot-files and dot-directories, honours .ignore files, and .gitignore only inside a
# git work tree. Paths given on the command line are always walked, so every hidden entry
# is passed as an extra root; each hidden entry is then walked exactly once (its hidden
# parent's walk skips it). .gitignore/.ignore inside the tree cannot be turned off (the
# corpus should not be a git work tree and should have no .ignore files). It also reads
# .secretsignore from its working directory (empty here). No size limit.
hidden_roots=()
if [ "$mode" = tree ]; then
  mapfile -d '' hidden_roots < <(find "$target" -mindepth 1 -name '.*' ! -type l -print0)
fi

# --- the tools ---------------------------------------------------------------------------
fast_tools=(leaktrap gitleaks betterleaks kingfisher ripsecrets rg)
slow_tools=(secretlint detect-secrets)
tools=("${fast_tools[@]}")
[ "${SLOW_PEERS:-0}" = 1 ] && tools+=("${slow_tools[@]}")
if [ -n "${TOOLS:-}" ]; then
  read -r -a tools <<< "$TOOLS"
fi

# tool_cmd NAME TARGET: sets CMD (argv) and OK (space-separated exit codes that mean
# "scan finished", with or without findings).
tool_cmd() {
  local t=$2
  OK="0 1"
  case "$1" in
    leaktrap)
      CMD=("$leaktrap" scan --no-ignore "$t") ;;
    gitleaks)
      # `dir` never reads .gitignore. --max-archive-depth 2 so archives are read like
      # kingfisher (default 2) and betterleaks (default 8) do; gitleaks' default 0 skips
      # archive and compressed files entirely. No size limit unless
      # --max-target-megabytes; binary (application/*) files are skipped by content sniff.
      CMD=(gitleaks dir --no-banner --no-color --log-level error --max-archive-depth 2)
      [ -n "$gitleaks_cfg" ] && CMD+=(-c "$gitleaks_cfg")
      CMD+=("$t") ;;
    betterleaks)
      # `fs` never reads .gitignore; archives default depth 8; no size limit unless
      # --max-target-megabytes; validation is off unless --validate; -j default 4x cores.
      CMD=(betterleaks fs --no-banner --no-color --log-level error)
      [ -n "$betterleaks_cfg" ] && CMD+=(-c "$betterleaks_cfg")
      CMD+=("$t") ;;
    kingfisher)
      # Kingfisher validates findings over the network by default: -n/--no-validate turns
      # it off, --no-update-check stops the release check. --git-history none: scan the
      # files only, even if TREE is a git work tree. It does not read .gitignore; default
      # limits: files over 256 MB are skipped (--max-file-size), archives are extracted to
      # depth 2. Its compiled Vectorscan rule database is cached in ~/.cache/kingfisher
      # (filled by the warm-up run). Exit 200 = findings.
      CMD=(kingfisher scan "$t" --no-validate --no-update-check --git-history none --quiet)
      OK="0 200 205" ;;
    ripsecrets)
      CMD=(ripsecrets "$t")
      if [ "$mode" = tree ]; then CMD+=("${hidden_roots[@]}"); fi ;;
    rg)
      # -uuu: no ignore files, hidden files, binary files searched. No size limit.
      CMD=(rg -uuu --no-messages -c -F -f "$work/prefixes.txt" -- "$t") ;;
    secretlint)
      # secretlint 12 (node, one thread): glob with dot files; always skips **/.git/** and
      # **/node_modules/**; its globber follows symlinked directories (may read some files
      # twice). Reads the rule config installed by install-peers. No size limit.
      CMD=(secretlint --secretlintrc "$peers_dir/.secretlintrc.json" --no-color --format json)
      if [ "$mode" = tree ]; then CMD+=("$t/**/*"); else CMD+=(--no-glob "$t"); fi ;;
    detect-secrets)
      # --all-files: walk the tree instead of `git ls-files`; -n: no network verification.
      # Its default filter is_non_text_file skips ~40 extensions (.lock, .sum, .svg, .css,
      # .map, .gz, ...) by name: disabled here (undecodable files are still skipped).
      # It only reports paths under its working directory, so it runs from the tree
      # (env -C). Multi-process: peak RSS is the largest single process, not the sum.
      local dir=$t arg=.
      [ -f "$t" ] && { dir=$(dirname "$t"); arg=$(basename "$t"); }
      CMD=(env -C "$dir" detect-secrets scan --all-files -n
           --disable-filter detect_secrets.filters.heuristic.is_non_text_file "$arg")
      OK="0" ;;
    floor)
      CMD=(true); OK="0" ;;
    *) return 1 ;;
  esac
}

tool_version() {
  case "$1" in
    leaktrap) "$leaktrap" --version 2>/dev/null | head -n1 ;;
    gitleaks) echo "gitleaks $(gitleaks version 2>/dev/null)" ;;
    betterleaks) echo "betterleaks $(betterleaks --version 2>/dev/null)" ;;
    kingfisher) kingfisher --version 2>/dev/null | head -n1 ;;
    ripsecrets) ripsecrets --version 2>/dev/null | head -n1 ;;
    rg) rg --version 2>/dev/null | head -n1 ;;
    secretlint) echo "secretlint $(secretlint --version 2>/dev/null)" ;;
    detect-secrets) echo "detect-secrets $(detect-secrets --version 2>/dev/null)" ;;
  esac
}

tool_present() {
  case "$1" in
    leaktrap) [ -x "$leaktrap" ] ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

# --- header ------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576; exit}' /proc/meminfo)
echo "# leaktrap compare — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $mem RAM, $(uname -srm)"
if [ "$mode" = small ]; then
  echo "target:  $target (1 file, $nbytes bytes)"
else
  awk -v n="$nfiles" -v b="$nbytes" -v t="$target" \
    'BEGIN {printf "target:  %s (%d files, %.1f MB in regular files)\n", t, n, b / 1e6}'
fi
echo "method:  $([ "${WARMUP:-1}" = 0 ] && echo "no" || echo 1) warm-up + $runs timed runs per tool, interleaved; median reported"

active=()
for t in "${tools[@]}"; do
  if ! tool_cmd "$t" x 2>/dev/null; then echo "skip:    $t (unknown tool name)"; continue; fi
  if ! tool_present "$t"; then
    if [ "$t" = leaktrap ]; then echo "skip:    leaktrap (no binary at $leaktrap)"
    else echo "skip:    $t (not installed; see tools/install-peers)"; fi
    continue
  fi
  active+=("$t")
done
for t in "${active[@]}"; do
  case "$t" in
    gitleaks) make_gitleaks_cfg ||
      echo "warning: gitleaks runs with its default config, which skips vendor/, lockfiles, ... by path" ;;
    betterleaks) make_betterleaks_cfg ||
      echo "warning: betterleaks runs with its default prefilter, which skips vendor/, lockfiles, ... by path" ;;
  esac
done
echo "versions:"
for t in "${active[@]}"; do printf '  %-15s %s\n' "$t" "$(tool_version "$t")"; done
echo "commands:"
for t in "${active[@]}"; do
  tool_cmd "$t" "$target"
  line="${CMD[*]}"
  [ "$t" = ripsecrets ] && [ ${#hidden_roots[@]} -gt 0 ] &&
    line="ripsecrets $target <+${#hidden_roots[@]} hidden paths>"
  printf '  %-15s %s\n' "$t" "$line"
done
echo "raw log: $log"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min load average before the runs)"
echo
# cpu_ticks: "total steal" jiffies of the whole machine, from /proc/stat's first line
cpu_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9; exit}' /proc/stat; }
read -r ticks0 steal0 < <(cpu_ticks)

# --- timing ------------------------------------------------------------------------------
# run_once NAME ROUND: one timed run; appends "NAME ROUND wall_s rss_kb exit" to the log.
run_once() {
  local name=$1 round=$2 t0 t1 rc wall rss
  tool_cmd "$name" "$target"
  t0=$EPOCHREALTIME
  /usr/bin/time -o "$work/time.out" -f '%e %M' \
    timeout --kill-after=10 "$timeout_s" "${CMD[@]}" >/dev/null 2>"$work/stderr"
  rc=$?
  t1=$EPOCHREALTIME
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')
  rss=$(tail -n1 "$work/time.out" | awk '{print $2}')
  echo "$name $round $wall ${rss:-0} $rc" >> "$log"
  LAST_RC=$rc
}

declare -A dropped=()
order=(floor "${active[@]}")
cd "$work/cwd" || die "cannot enter $work/cwd"
first_round=0; [ "${WARMUP:-1}" = 0 ] && first_round=1
for round in $(seq "$first_round" "$runs"); do   # round 0 = warm-up, not counted
  for t in "${order[@]}"; do
    [ -n "${dropped[$t]:-}" ] && continue
    run_once "$t" "$round"
    tool_cmd "$t" "$target"
    if [[ " $OK " != *" $LAST_RC "* ]]; then
      if [ "$LAST_RC" = 124 ] || [ "$LAST_RC" = 137 ]; then
        dropped[$t]="timed out after ${timeout_s}s"
      else
        dropped[$t]="exit $LAST_RC: $(tail -n3 "$work/stderr" | tr '\n' ' ' | cut -c1-200)"
      fi
      echo "drop:    $t (round $round, ${dropped[$t]})" >&2
    fi
  done
  [ "$round" -eq 0 ] && echo "warm-up done" >&2 || echo "round $round/$runs done" >&2
done

read -r ticks1 steal1 < <(cpu_ticks)
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) after the runs"
awk -v t="$((ticks1 - ticks0))" -v s="$((steal1 - steal0))" \
  'BEGIN {printf "steal:   %.1f%% of CPU time was taken by the hypervisor during the runs\n", t ? 100 * s / t : 0}'
echo

# --- report ------------------------------------------------------------------------------
# median of the numbers on stdin (mean of the middle two for an even count)
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) exit 1;
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

declare -A med_s=() med_rss=() min_s=() max_s=()
for t in "${order[@]}"; do
  [ -n "${dropped[$t]:-}" ] && continue
  sel=$(awk -v t="$t" '$1 == t && $2 > 0' "$log")
  med_s[$t]=$(awk '{print $3}' <<< "$sel" | median)
  med_rss[$t]=$(awk '{print $4}' <<< "$sel" | median)
  min_s[$t]=$(awk '{print $3}' <<< "$sel" | sort -g | head -n1)
  max_s[$t]=$(awk '{print $3}' <<< "$sel" | sort -g | tail -n1)
done

lt=${med_s[leaktrap]:-}
if [ "$mode" = small ]; then
  printf '%-15s %10s %10s %10s %10s %9s %14s\n' tool "median ms" "-floor ms" "min ms" "max ms" "RSS MiB" "leaktrap/tool"
else
  printf '%-15s %9s %9s %9s %9s %9s %14s\n' tool "median s" "min s" "max s" "MB/s" "RSS MiB" "leaktrap/tool"
fi
for t in "${order[@]}"; do
  if [ -n "${dropped[$t]:-}" ]; then printf '%-15s dropped: %s\n' "$t" "${dropped[$t]}"; continue; fi
  name=$t; [ "$t" = floor ] && name="(floor)"
  awk -v n="$name" -v m="${med_s[$t]}" -v lo="${min_s[$t]}" -v hi="${max_s[$t]}" \
      -v r="${med_rss[$t]}" -v b="$nbytes" -v lt="$lt" -v small="$([ "$mode" = small ] && echo 1)" \
      -v fl="${med_s[floor]:-0}" '
    BEGIN {
      ratio = (lt == "" || n == "(floor)") ? "n/a" : sprintf("%.2f", lt / m)
      if (small) printf "%-15s %10.1f %10.1f %10.1f %10.1f %9.1f %14s\n", n, m * 1000, (m - fl) * 1000, lo * 1000, hi * 1000, r / 1024, ratio
      else if (n == "(floor)") printf "%-15s %9.3f %9.3f %9.3f %9s %9.1f %14s\n", n, m, lo, hi, "-", r / 1024, ratio
      else printf "%-15s %9.2f %9.2f %9.2f %9.1f %9.1f %14s\n", n, m, lo, hi, b / 1e6 / m, r / 1024, ratio
    }'
done
echo
[ "$mode" = tree ] && echo "MB/s = regular-file bytes of the target (10^6) / median wall seconds."
echo "RSS = median of peak resident set (GNU time %M). leaktrap/tool < 1: leaktrap is faster."
if [ "$mode" = small ]; then
  echo "-floor ms = median minus the (floor) median, i.e. without the cost of starting a process"
  echo "through /usr/bin/time and timeout. Small-file check: leaktrap's median under 10 ms."
fi
exit 0
