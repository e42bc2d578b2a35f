#!/usr/bin/env bash
# Proves .pre-commit-hooks.yaml with the real pre-commit framework
# (https://pre-commit.com): `pre-commit try-repo <this checkout> leaktrap-system`
# in a throwaway repository must
#   (a) fail on a staged fake GitHub token, naming the file, without printing it;
#   (b) pass on a clean staged file.
# It uses the leaktrap-system hook with the release binary built here first
# on PATH, so pre-commit does not rebuild the crate through `language: rust`.
#
# Needs git, python3 with pip (pre-commit is installed from PyPI into a
# throwaway venv) and a Rust toolchain. Every failure exits non-zero; nothing
# is skipped. The token is generated at run time: none is in the repository.
# KEEP=1 keeps the temporary directory (the venv, the repository, the output).
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

fail() {
  echo "precommit-framework: FAIL: $*" >&2
  exit 1
}

for tool in git python3 cargo; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/leaktrap-precommit.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

echo "precommit-framework: building leaktrap (release)"
cargo build --release -q
bin_dir="$checkout/target/release"
[ -x "$bin_dir/leaktrap" ] || fail "no binary at $bin_dir/leaktrap after cargo build"

echo "precommit-framework: installing pre-commit from PyPI into $tmp"
# A venv when python3 can make one; otherwise (Debian without python3-venv)
# a --target install run with PYTHONPATH.
if python3 -m venv "$tmp/venv" >/dev/null 2>&1 && [ -x "$tmp/venv/bin/python" ]; then
  py="$tmp/venv/bin/python"
  "$py" -m pip install -q --disable-pip-version-check pre-commit \
    || fail "pip could not install pre-commit into the venv"
else
  echo "precommit-framework: python3 -m venv is unavailable; using pip install --target" >&2
  py=python3
  python3 -m pip install -q --disable-pip-version-check --target "$tmp/pylib" pre-commit \
    || fail "pip could not install pre-commit (pip install --target)"
  export PYTHONPATH="$tmp/pylib${PYTHONPATH:+:$PYTHONPATH}"
fi
"$py" -m pre_commit --version || fail "pre-commit does not run"

# A throwaway repository with a fixed identity and dates, and no user or
# system git configuration.
repo="$tmp/repo"
mkdir -p "$repo" "$tmp/home"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Ada Tester" GIT_AUTHOR_EMAIL="ada@example.invalid"
export GIT_COMMITTER_NAME="Ada Tester" GIT_COMMITTER_EMAIL="ada@example.invalid"
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"
export PRE_COMMIT_HOME="$tmp/pre-commit-cache"
unset LEAKTRAP_CONFIG
export PATH="$bin_dir:$PATH"
cd "$repo"
git init -q -b main
git config commit.gpgsign false
echo "# demo" > README.md
git add README.md
git commit -q -m init

# A GitHub classic token in the real format: ghp_ + 30 base62 characters +
# the 6-character base62 CRC32 of those 30. Fake: random characters.
token=$(python3 - <<'EOF'
import random, zlib
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
payload = "".join(random.SystemRandom().choice(B62) for _ in range(30))
n = zlib.crc32(payload.encode())
check = ""
for _ in range(6):
    check = B62[n % 62] + check
    n //= 62
print("ghp_" + payload + check)
EOF
)
[ "${#token}" -eq 40 ] || fail "token generator produced ${#token} characters, want 40"

try_repo() {
  "$py" -m pre_commit try-repo "$checkout" leaktrap-system --verbose >"$tmp/out" 2>&1
}

# (a) a staged token: the hook fails, names the file, never prints the token.
printf 'API_URL=https://api.example.invalid\nGITHUB_TOKEN=%s\n' "$token" > settings.env
git add settings.env
if try_repo; then
  cat "$tmp/out" >&2
  fail "(a) pre-commit passed with a staged token"
fi
if grep -qF "$token" "$tmp/out"; then
  fail "(a) the output contains the token"
fi
grep -q 'settings.env:2:14' "$tmp/out" || { cat "$tmp/out" >&2; fail "(a) the finding (settings.env:2:14) is not in the output"; }
grep -q 'github.pat-classic' "$tmp/out" || { cat "$tmp/out" >&2; fail "(a) the rule id is not in the output"; }
echo "precommit-framework: (a) staged token blocked, not printed"

# (b) a clean staged file: the hook passes.
git rm -q --cached settings.env
rm settings.env
printf 'API_URL=https://api.example.invalid\n' > settings.env
git add settings.env
if ! try_repo; then
  cat "$tmp/out" >&2
  fail "(b) pre-commit failed on a clean staged file"
fi
grep -q 'leaktrap (secrets in staged changes' "$tmp/out" || { cat "$tmp/out" >&2; fail "(b) the leaktrap-system hook did not run"; }
grep -q 'Passed' "$tmp/out" || { cat "$tmp/out" >&2; fail "(b) no 'Passed' in the output"; }
echo "precommit-framework: (b) clean staged file passed"
echo "precommit-framework: ok"
