#!/usr/bin/env bash
# gitleaks-diff.sh — differential check: Gitleaks and leaktrap, same Gitleaks config.
#
# Usage:
#   benches/gitleaks-diff.sh dir CONFIG TREE     both tools over a directory tree
#   benches/gitleaks-diff.sh git CONFIG REPO     both tools over a repository's history
#   benches/gitleaks-diff.sh corpus OUT          write a small mixed corpus of generated
#                                                fake tokens (and a custom config,
#                                                OUT/../gitleaks-custom.toml) into OUT
#
# CONFIG is a Gitleaks config file, e.g. Gitleaks' own default config
# (config/gitleaks.toml in the Gitleaks repository; not shipped here, read it into
# /tmp) or the custom config `corpus` writes. Both tools get it with `--config`.
#
# Environment:
#   GITLEAKS      gitleaks binary (default: gitleaks on PATH, after
#                 ~/.cache/leaktrap-peers/bin from ../shared/tools/install-peers)
#   LEAKTRAP      leaktrap binary (default: <repo>/target/release/leaktrap)
#   DECODE_DEPTH  --max-decode-depth, for both tools (default 5, Gitleaks' default;
#                 0 compares without decoding base64/hex/percent-encoded text)
#   KEEP          directory to keep both raw reports in (default: a temporary one)
#
# Normalisation: every finding becomes (file, line, rule). Gitleaks locates the whole
# match (StartLine..EndLine), leaktrap the secret inside it: a leaktrap finding
# reproduces a Gitleaks one when file and rule are equal and its line lies within
# Gitleaks' StartLine..EndLine. Printed: agreement (% of Gitleaks' findings that
# leaktrap reproduces), exact start-line agreement, and every difference both ways.
# In git mode a finding is keyed on (commit, file, line, rule) for Gitleaks, and
# leaktrap's introducing commit is compared the same way.
#
# Never a test dependency: needs gitleaks, python3 and a release build.
set -uo pipefail

die() { echo "gitleaks-diff.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "$0")/.." && pwd)
PATH="$HOME/.cache/leaktrap-peers/bin:$PATH"
GITLEAKS=${GITLEAKS:-$(command -v gitleaks || true)}
LEAKTRAP=${LEAKTRAP:-$here/target/release/leaktrap}
DECODE_DEPTH=${DECODE_DEPTH:-5}

corpus() {
    local out=$1
    mkdir -p "$out"
    python3 - "$out" <<'PY'
import os, random, sys
out = sys.argv[1]
rnd = random.Random(20240611)
A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"; a = A.lower(); D = "0123456789"
def r(alpha, n): return "".join(rnd.choice(alpha) for _ in range(n))
def w(rel, text):
    p = os.path.join(out, rel); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(text)
# Fake tokens in provider formats (generated; none is a real credential).
gens = {
 "github": lambda: "ghp_" + r(A+a+D, 36),
 "aws": lambda: "AKIA" + r(A+"234567", 16),
 "slack": lambda: "xoxb-" + r(D, 12) + "-" + r(D, 12) + "-" + r(A+a+D, 24),
 "stripe": lambda: "sk_live_" + r(A+a+D, 24),
 "gitlab": lambda: "glpat-" + r(A+a+D, 20),
 "npm": lambda: "npm_" + r(A+a+D, 36),
 "sendgrid": lambda: "SG." + r(A+a+D, 22) + "." + r(A+a+D, 43),
 "openai": lambda: "sk-proj-" + r(A+a+D, 74) + "T3BlbkFJ" + r(A+a+D, 74),
 "doppler": lambda: "dp.pt." + r(A+a+D, 43),
 "shopify": lambda: "shpat_" + r("abcdef"+D, 32),
}
styles = [
 lambda k, v: f'{k}_token = "{v}"\n',
 lambda k, v: f"export {k.upper()}_KEY={v}\n",
 lambda k, v: f"  {k}: {v}\n",
 lambda k, v: f'    "{k}ApiKey": "{v}",\n',
]
n = 0
for i in range(60):
    lines = []
    for j in range(rnd.randint(5, 40)):
        c = rnd.random()
        if c < 0.25:
            k = rnd.choice(list(gens)); lines.append(rnd.choice(styles)(k, gens[k]()))
        elif c < 0.35:
            # generic assignments, some high-entropy, some placeholders
            v = rnd.choice([r(A+a+D, 32), "changeme", "example-password", r(a, 20), r("abcdef"+D, 40)])
            lines.append(rnd.choice(["password", "api_key", "secret", "client_secret", "auth_token"]) + f' = "{v}"\n')
        elif c < 0.38:
            lines.append("-----BEGIN RSA PRIVATE KEY-----\n" + "".join(r(A+a+D+"+/", 64) + "\n" for _ in range(6)) + "-----END RSA PRIVATE KEY-----\n")
        else:
            lines.append(rnd.choice(["def f(x):\n", "    return x + 1\n", "// nothing to see\n", "name: service\n", "url = https://example.com/api\n", "\n"]))
    ext = rnd.choice(["py", "js", "env", "yml", "json", "go", "txt"])
    w(f"src/m{i // 10}/f{i}.{ext}", "".join(lines)); n += 1
# Custom-config material: acme ids/secrets near and far, fixtures, vendor, keystores.
for i in range(20):
    cid = "acme" + r(a+D, 12); sec = r(a+D, 32)
    gap = "".join("x: 1\n" for _ in range(rnd.choice([0, 1, 4])))
    w(f"acme/c{i}.yml", f"client_id: {cid}\n{gap}client_secret: {sec}\n")
    w(f"fixtures/f{i}.txt", f"acme_{r(a+D, 24)}" + (" # FAKE\n" if i % 2 else "\n"))
    w(f"vendor/v{i}.txt", f"acme_{r(a+D, 24)}\nother_{r(a+D, 24)}\n")
    w(f"keys/k{i}." + rnd.choice(["p12", "jks", "txt"]), "keystore\n")
# Encoded material: tokens behind base64, hex and percent-encoding, one and two
# layers deep (both tools decode to --max-decode-depth).
import base64, urllib.parse
b64 = lambda t: base64.b64encode(t.encode()).decode()
pct = lambda t: urllib.parse.quote(t, safe="")
enc_styles = [
 lambda k, v: f"  {k.upper()}_TOKEN: {b64(v)}\n",
 lambda k, v: f"GET /cb?next={pct('token=' + v)} 200\n",
 lambda k, v: f"blob = {v.encode().hex()}\n",
 lambda k, v: f"cfg: {b64('url=' + pct('https://u:' + v + '@x.test/'))}\n",
]
for i in range(20):
    lines = []
    for j in range(rnd.randint(3, 10)):
        k = rnd.choice(list(gens)); lines.append(rnd.choice(enc_styles)(k, gens[k]()))
    w(f"encoded/e{i}." + rnd.choice(["yaml", "log", "txt"]), "".join(lines))
print(f"wrote {n} mixed files, 80 custom-config files and 20 encoded files", file=sys.stderr)
PY
    cat > "$out/../gitleaks-custom.toml" <<'TOML'
title = "leaktrap differential: custom config"

[[rules]]
id = "acme-key"
description = "Acme key"
regex = '''acme_([a-z0-9]{24})'''
keywords = ["acme_"]
entropy = 3.0

[[rules.allowlists]]
condition = "AND"
paths = ['''^fixtures/''']
regexTarget = "line"
regexes = ['''FAKE''']

[[rules]]
id = "other-key"
regex = '''other_([a-z0-9]{24})'''
keywords = ["other_"]

[[rules]]
id = "acme-client-id"
regex = '''client_id: (acme[a-z0-9]{12})'''
keywords = ["client_id"]

[[rules.required]]
id = "acme-client-secret"
withinLines = 2

[[rules]]
id = "acme-client-secret"
regex = '''client_secret: ([a-z0-9]{32})'''
skipReport = true

[[rules]]
id = "keystore-file"
path = '''\.(?:p12|jks)$'''

[[rules]]
id = "provider-token"
regex = '''\b((?:ghp|glpat|npm|shpat)_?-?[A-Za-z0-9]{20,36})\b'''
keywords = ["ghp_", "glpat-", "npm_", "shpat_"]

[[rules.allowlists]]
stopwords = ["aaaa"]

[[allowlists]]
targetRules = ["acme-key"]
paths = ['''^vendor/''']
TOML
}

compare() {
    local mode=$1 config=$2 target=$3
    [ -n "$GITLEAKS" ] && [ -x "$GITLEAKS" ] || die "gitleaks not found (run ../shared/tools/install-peers)"
    [ -x "$LEAKTRAP" ] || die "no leaktrap at $LEAKTRAP (cargo build --release)"
    [ -f "$config" ] || die "no config $config"
    config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
    local keep=${KEEP:-$(mktemp -d)}
    mkdir -p "$keep"
    local gl=$keep/gitleaks.json lt=$keep/leaktrap.json
    local t0 t1 t2
    t0=$EPOCHREALTIME
    if [ "$mode" = dir ]; then
        (cd "$target" && "$GITLEAKS" dir -c "$config" --no-banner --max-decode-depth "$DECODE_DEPTH" \
            -f json -r "$gl" --exit-code 0 . 2>"$keep/gitleaks.log") || die "gitleaks failed: $(tail -3 "$keep/gitleaks.log")"
        t1=$EPOCHREALTIME
        (cd "$target" && "$LEAKTRAP" scan --config "$config" --max-decode-depth "$DECODE_DEPTH" --no-ignore --format json -q . \
            >"$lt" 2>"$keep/leaktrap.log")
    else
        (cd "$target" && "$GITLEAKS" git -c "$config" --no-banner --max-decode-depth "$DECODE_DEPTH" \
            -f json -r "$gl" --exit-code 0 . 2>"$keep/gitleaks.log") || die "gitleaks failed: $(tail -3 "$keep/gitleaks.log")"
        t1=$EPOCHREALTIME
        (cd "$target" && "$LEAKTRAP" git --config "$config" --max-decode-depth "$DECODE_DEPTH" --format json -q . \
            >"$lt" 2>"$keep/leaktrap.log")
    fi
    local rc=$?
    t2=$EPOCHREALTIME
    [ "$rc" -le 1 ] || die "leaktrap failed (exit $rc): $(tail -3 "$keep/leaktrap.log")"
    echo "gitleaks-diff: $mode mode, config $config, target $target"
    printf 'time: gitleaks %.1f s, leaktrap %.1f s; reports in %s\n' \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$keep"
    python3 - "$mode" "$gl" "$lt" <<'PY'
import json, sys, collections
mode, glp, ltp = sys.argv[1:]
gl = json.load(open(glp)) or []
lt = json.load(open(ltp))["findings"]
norm = lambda p: p[2:] if p.startswith("./") else p
def commit_of(f):
    o = f.get("origin") or f.get("commit") or {}
    if isinstance(o, dict):
        return (o.get("commit") or o.get("introduced_by", {}).get("commit") or "")
    return str(o)
G = [(f["Commit"] if mode == "git" else "", norm(f["File"]), f["RuleID"], f["StartLine"], max(f["EndLine"], f["StartLine"])) for f in gl]
def commits_of(f):
    # leaktrap reports a secret once, naming the commit that introduced it
    # and any other commits that introduced the same content at that path.
    if mode != "git": return [""]
    o = f.get("origin") or {}
    return [commit_of(f)] + [c if isinstance(c, str) else c.get("commit", "") for c in o.get("also_in", [])]
L = [(c, norm(f["path"]), f["rule_id"], f["start_line"]) for f in lt for c in commits_of(f)]
byk = collections.defaultdict(list)
for i, (c, p, r, l) in enumerate(L):
    byk[(c, p, r)].append((l, i))
used = set(); exact = 0; missed = []
for g in G:
    c, p, r, s, e = g
    # Gitleaks' path-only findings have line 0; leaktrap's have line 1.
    if s == 0: s, e = 1, 1
    cand = [(l, i) for (l, i) in byk.get((c, p, r), []) if i not in used and s <= l <= e]
    if cand:
        l, i = min(cand, key=lambda x: abs(x[0] - s)); used.add(i); exact += l == s
    else:
        missed.append(g)
extra = [L[i] for i in range(len(L)) if i not in used]
n = len(G)
pct = 100.0 * (n - len(missed)) / n if n else 100.0
print(f"gitleaks findings: {n}   leaktrap findings: {len(L)}")
print(f"reproduced: {n - len(missed)}/{n} = {pct:.2f}%   (same start line: {exact})")
print(f"only gitleaks: {len(missed)}   only leaktrap: {len(extra)}")
by = collections.Counter(g[2] for g in missed)
if missed:
    print("\n-- only in gitleaks (commit, file, rule, start, end):")
    for g in sorted(missed): print("  ", *g)
    print("   by rule:", dict(by.most_common()))
if extra:
    print("\n-- only in leaktrap (commit, file, rule, line):")
    for x in sorted(extra): print("  ", *x)
    print("   by rule:", dict(collections.Counter(x[2] for x in extra).most_common()))
PY
}

case "${1:-}" in
    corpus) [ $# -eq 2 ] || die "usage: $0 corpus OUT"; corpus "$2" ;;
    dir|git) [ $# -eq 3 ] || die "usage: $0 $1 CONFIG TARGET"; compare "$@" ;;
    *) die "usage: $0 dir|git CONFIG TARGET | corpus OUT" ;;
esac
