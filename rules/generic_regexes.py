#!/usr/bin/env python3
"""Regenerates the `regex` lines of the assignment rules in rules/generic.toml.

The five assignment rules (password, secret, api-key, key, token) share one shape and
differ only in the name they look for and the shortest value they accept. Their
regexes are long and regular, so they are written here once and pasted into the TOML;
everything else in generic.toml (keywords, examples, allowlists) is edited by hand.

    python3 rules/generic_regexes.py        # rewrites rules/generic.toml in place
    cargo run --release -- rules check rules/generic.toml

Each alternative has its own secret group (secret, secret2, ...); the engine reports
the one that took part. The alternatives, for a NAME followed by the engine's
`{qualifier}` (API_KEY_PROD, dbPassword2, CLIENT_SECRET_V2; rules/README.md):

  A  NAME{assign}VALUE            every join of rules/README.md's `{assign}`; VALUE
                                  "double", 'single' or `backtick` quoted (anything but
                                  space, `,` and `;`) or bare (no quotes, brackets or
                                  separators; balanced parentheses allowed)
  B  NAME" , "VALUE  NAME || "v"  lookup defaults and setters: getenv("NAME", "v"),
                                  define('NAME', 'v'), process.env.NAME || "v",
                                  Rust's .unwrap_or("v"), Ruby's fetch("NAME") { "v" },
                                  Gradle's buildConfigField("String", "NAME", "\"v\"")
  C  <...NAME ...>VALUE           XML elements, with or without attributes
  D  ENV NAME VALUE, --name VALUE Dockerfile ENV and command-line flags
  E  set NAME VALUE               commands that set a named value with a space:
                                  fish `set -gx`, Windows `setx`, csh `setenv`, Apache
                                  `SetEnv`, nginx `fastcgi_param`, `git config`,
                                  `aws configure set`, `dotnet user-secrets set`,
                                  `gh secret set NAME --body VALUE`, ...
  F  `NAME` to `VALUE`, | NAME | VALUE |
                                  documentation: inline code, and Markdown table rows
                                  whose first cell is the name
  G  NAME,VALUE  NAME<TAB>VALUE   CSV and TSV exports (a field of its own)
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TOML = os.path.join(HERE, "generic.toml")

NAMES = {
    "generic.password-assignment": (
        r"(?:password|passwd|pwd|passphrase|(?:\b|[_.-])pass|(?-i:[a-z0-9]Pass))",
        8,
    ),
    "generic.secret-assignment": (
        r"secret(?:[ _.-]?(?:access[_.-]?)?key)?(?:[_.-]?base)?",
        10,
    ),
    "generic.api-key-assignment": (r"api[ _.-]?key", 16),
    "generic.key-assignment": (
        r"(?:[A-Za-z0-9_.-]*(?:[A-Za-z0-9][_.-]?key|credentials?|creds|[_.-]pat"
        r"|(?-i:[a-z0-9]Pat)))",
        20,
    ),
    "generic.token-assignment": (r"[A-Za-z0-9_.-]*token", 16),
}

# Commands that set a named value, the name and value separated by blanks.
SETTERS = (
    r"(?:\bset(?:x|env)?(?:[ \t]+-[A-Za-z]+)*|\bSetEnv|\bfastcgi_param"
    r"|\bconfig(?:ure)?[ \t]+set|\buser-secrets[ \t]+set|\bsecrets?[ \t]+set"
    r"|\bgit[ \t]+config(?:[ \t]+--[a-z]+)*)"
)


class Groups:
    def __init__(self):
        self.n = 0

    def next(self):
        self.n += 1
        return "secret" if self.n == 1 else "secret%d" % self.n


def quoted(g, quote, lo):
    """A quoted value: not starting with a `${` reference, at least `lo` characters."""
    return r"%s(?P<%s>(?:[^%s\s,;$]|\$[^%s\s,;{])[^%s\s,;]{%d,})%s" % (
        quote, g.next(), quote, quote, quote, lo - 1, quote)


def bare(g, lo):
    """An unquoted value, ended by a blank, quote, separator or closing bracket."""
    return (
        r"(?P<%s>(?:[^\s\"'`,;()&{}\]:=$<|\\@!]|\$[^\s\"'`,;()&{}\]<|])"
        r"(?:[^\s\"'`,;()&{}\]<|]|\([^\s\"'`,;()&{}\]<|]*\)){%d,})"
        r"(?:[\s\"'`,;)&}\]<|]|$)" % (g.next(), lo - 1)
    )


def build(name, lo):
    g = Groups()
    n = name + "{qualifier}"  # the engine's list of _PROD, _V2, ... suffixes
    any_value = lambda: "(?:%s|%s|%s)" % (quoted(g, '"', lo), quoted(g, "'", lo), bare(g, lo))
    a = n + "{assign}(?:%s|%s|%s|%s)" % (
        quoted(g, '"', lo), quoted(g, "'", lo), quoted(g, "`", lo), bare(g, lo))
    b = n + (r"(?:[\"'`][ \t]*,|(?:[\"'`]?[\])])?[ \t]*(?:\|\||\?\?|\bor\b)"
             r"|[\"'`]\)(?:\.unwrap_or(?:_else)?\((?:\|_\|[ \t]*)?|[ \t]*\{))[ \t]*"
             r"(?:%s|%s|\"\\\"(?P<%s>[^\"\\\s,;$]{%d,})\\\"\")"
             % (quoted(g, '"', lo), quoted(g, "'", lo), g.next(), lo))
    c = r"<[A-Za-z0-9_:.-]*" + n + r"(?:[ \t][^<>\r\n]*)?>" + bare(g, lo)
    d = r"(?:\bENV[ \t]+[A-Za-z0-9_.-]*|--[A-Za-z0-9-]*)" + n + r"[ \t]+" + any_value()
    e = (SETTERS + r"[ \t]+[\"']?[A-Za-z0-9_.:/-]*?" + n
         + r"[\"']?[ \t]+(?:(?:--body|--value|-b)[ \t=]+)?" + any_value())
    p = r"[A-Za-z0-9_.-]*?"  # the rest of the name, where NAME is its end
    # a table's name is its row's first cell: later cells are descriptions
    f = ("`" + p + n + r"`[ \t]*(?:=|:|to|is)[ \t]*" + quoted(g, "`", lo)
         + r"|^[ \t]*\|[ \t]*`?" + p + n + r"`?[ \t]*\|[ \t]*(?:"
         + quoted(g, "`", lo) + "|" + bare(g, lo) + ")")
    h = r"(?:^|[,\t])" + p + n + r"(?:\t+|,)" + bare(g, lo)
    return "(?i)(?:" + "|".join([a, b, c, d, e, f, h]) + ")"


def main():
    text = open(TOML).read()
    out, current = [], None
    for line in text.split("\n"):
        m = re.match(r'^id = "(.*)"$', line)
        if m:
            current = m.group(1)
        if line.startswith("regex = '''") and current in NAMES:
            line = "regex = '''" + build(*NAMES[current]) + "'''"
        out.append(line)
    open(TOML, "w").write("\n".join(out))


if __name__ == "__main__":
    main()
