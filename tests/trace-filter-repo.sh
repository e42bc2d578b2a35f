#!/usr/bin/env bash
# Proves that `leaktrap trace --purge-file` writes expressions that the real
# `git filter-repo --replace-text` (installed from PyPI into a throwaway venv)
# applies so that nothing is left: a second trace finds the secret nowhere.
#
# The repository is built here with a fixed identity and dates: the secret in
# a file on main, removed later, re-added on a branch, and in a tag. The
# secret is generated at run time. Every failure exits non-zero; nothing is
# skipped. KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
fail() { echo "trace-filter-repo: FAIL: $*" >&2; exit 1; }
for tool in git python3 cargo; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leaktrap-filter-repo.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

cargo build --release -q
leaktrap="$checkout/target/release/leaktrap"

echo "trace-filter-repo: installing git-filter-repo from PyPI into $tmp"
if python3 -m venv "$tmp/venv" >/dev/null 2>&1 && [ -x "$tmp/venv/bin/python" ]; then
  "$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check git-filter-repo \
    || fail "pip could not install git-filter-repo"
  export PATH="$tmp/venv/bin:$PATH"
else
  python3 -m pip install -q --disable-pip-version-check --target "$tmp/pylib" git-filter-repo \
    || fail "pip could not install git-filter-repo (--target)"
  export PYTHONPATH="$tmp/pylib${PYTHONPATH:+:$PYTHONPATH}"
  export PATH="$tmp/pylib/bin:$PATH"
fi
git filter-repo --version >/dev/null 2>&1 || fail "git filter-repo does not run"

export HOME="$tmp/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
export GIT_AUTHOR_NAME="Ada Tester" GIT_AUTHOR_EMAIL="ada@example.invalid"
export GIT_COMMITTER_NAME="Ada Tester" GIT_COMMITTER_EMAIL="ada@example.invalid"
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"

# A GitHub-classic-shaped token with a valid checksum, made up here.
secret=$(python3 - <<'PY'
import random, zlib
a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
r = random.Random(4242)
body = "ghp_" + "".join(r.choice(a) for _ in range(30))
n, s = zlib.crc32(body.encode()), ""
for _ in range(6):
    s, n = a[n % 62] + s, n // 62
print(body + s)
PY
)
repo="$tmp/repo"
git init -q -b main "$repo"
cd "$repo"
echo "hello" > README && git add . && git commit -qm init
printf 'A=1\nTOKEN=%s\n' "$secret" > app.env && git add . && git commit -qm "add settings"
git tag -a v1 -m "release"
printf 'A=1\n' > app.env && git commit -qam "remove token"
git checkout -q -b again
printf 't=%s\n' "$secret" > copy.txt && git add . && git commit -qm "oops"
git checkout -q main

printf '%s\n' "$secret" > "$tmp/secrets"
set +e
"$leaktrap" trace --secret-file "$tmp/secrets" --purge-file "$tmp/purge.txt" > "$tmp/before.txt"
code=$?
set -e
[ "$code" = 1 ] || fail "the first trace should find the secret (exit 1), got $code"
grep -q "introduced" "$tmp/before.txt" || fail "no timeline in: $(cat "$tmp/before.txt")"
! grep -qF "$secret" "$tmp/before.txt" || fail "trace printed the secret"
[ "$(stat -c %a "$tmp/purge.txt")" = 600 ] || fail "the purge file is not mode 600"

git filter-repo --force --quiet --replace-text "$tmp/purge.txt"
git reflog expire --expire=now --all
git gc -q --prune=now

set +e
"$leaktrap" trace --secret-file "$tmp/secrets" > "$tmp/after.txt"
code=$?
set -e
[ "$code" = 0 ] || fail "after filter-repo the secret is still there: $(cat "$tmp/after.txt")"
echo "trace-filter-repo: ok (found before, nowhere after git filter-repo)"
