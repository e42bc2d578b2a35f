//! `leaktrap hook install|uninstall|status`: leaktrap as a native git hook.
//!
//! The hooks directory is git's own answer (`git rev-parse --git-path hooks`),
//! so `core.hooksPath`, linked worktrees and submodules land where git looks.
//! The hook written is a small POSIX sh script with a marker line; all the
//! checking stays in the binary. A hook that was there before is moved aside
//! to `<hook>.leaktrap-chained` and run first; `uninstall` puts it back.
//! When husky, lefthook or the pre-commit framework own the hooks, nothing is
//! written: the snippet for their configuration is printed instead.

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first line after the shebang of every hook `hook install` writes.
/// Any `v<N>` is recognised as ours, so a newer leaktrap rewrites older hooks.
const MARKER: &str = "# leaktrap-managed hook";
const MARKER_LINE: &str = "# leaktrap-managed hook v1";
/// The marker of the shims in the leaktrap repository's `hooks/` directory.
const SHIM_MARKER: &str = "# leaktrap-shim";
const CHAINED_SUFFIX: &str = ".leaktrap-chained";
const REPLACED_SUFFIX: &str = ".leaktrap-replaced";

#[derive(Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit hook (with --pre-push, the pre-push hook too).
    Install(InstallArgs),
    /// Remove leaktrap's hooks and put back the hooks they chained.
    Uninstall {
        /// A directory inside the repository (default: the current one).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
    /// Show what git runs as pre-commit and pre-push hooks.
    Status {
        /// A directory inside the repository (default: the current one).
        #[arg(value_name = "PATH")]
        path: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct InstallArgs {
    /// Also install the pre-push hook (`leaktrap push`).
    #[arg(long)]
    pre_push: bool,
    /// Replace a hook that cannot be chained (a symbolic link, a directory,
    /// or a second foreign hook); it is moved to `<hook>.leaktrap-replaced`.
    #[arg(long)]
    force: bool,
    /// A directory inside the repository (default: the current one).
    #[arg(value_name = "PATH")]
    path: Option<PathBuf>,
}

pub fn run(cmd: HookCommand) -> Result<u8> {
    match cmd {
        HookCommand::Install(a) => install(&a),
        HookCommand::Uninstall { path } => uninstall(path.as_deref()),
        HookCommand::Status { path } => status(path.as_deref()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Hook {
    PreCommit,
    PrePush,
}

impl Hook {
    const ALL: [Hook; 2] = [Hook::PreCommit, Hook::PrePush];

    fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }
}

/// A tool that owns the repository's hooks.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Manager {
    /// `core.hooksPath` points into `.husky` (v9: `.husky/_`), or a husky v4
    /// hook script.
    Husky,
    /// A lefthook config file at the top of the work tree, or a hook
    /// script lefthook generated.
    Lefthook,
    /// A hook script written by `pre-commit install`.
    PreCommit,
}

impl Manager {
    fn name(&self) -> &'static str {
        match self {
            Manager::Husky => "husky",
            Manager::Lefthook => "lefthook",
            Manager::PreCommit => "the pre-commit framework",
        }
    }
}

/// What is at a hook's path.
#[derive(Debug, PartialEq, Eq)]
enum State {
    Missing,
    /// A hook `hook install` wrote; the binary path it recorded.
    Ours {
        recorded: Option<String>,
    },
    /// One of the shims of the leaktrap repository's `hooks/` directory.
    Shim,
    Managed(Manager),
    /// A regular file we did not write: it can be chained.
    Foreign,
    /// Something that cannot be chained safely: what it is.
    Obstacle(&'static str),
}

/// Where git looks for hooks, and who manages them.
struct Repo {
    hooks_dir: PathBuf,
    hooks_path_config: Option<String>,
    manager: Option<(Manager, String)>,
}

impl Repo {
    fn hook_path(&self, hook: Hook) -> PathBuf {
        self.hooks_dir.join(hook.name())
    }

    fn side_path(&self, hook: Hook, suffix: &str) -> PathBuf {
        self.hooks_dir.join(format!("{}{suffix}", hook.name()))
    }
}

/// Runs `git <args>` in `dir` and returns its trimmed stdout, or git's
/// stderr as the error. A path given on the command line wins over a
/// `GIT_DIR` in the environment (as it would for `git -C`).
fn git(dir: &Path, explicit: bool, args: &[&str]) -> Result<std::result::Result<String, String>> {
    let mut c = Command::new("git");
    c.current_dir(dir).args(args);
    if explicit {
        for v in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_INDEX_FILE",
        ] {
            c.env_remove(v);
        }
    }
    let out = c.stdin(std::process::Stdio::null()).output().context(
        "cannot run git, which finds the hooks directory the way git itself does; \
         install git or put it on PATH",
    )?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout)
            .trim_end_matches(['\n', '\r'])
            .to_string()))
    } else {
        Ok(Err(String::from_utf8_lossy(&out.stderr).trim().to_string()))
    }
}

fn find_repo(path: Option<&Path>) -> Result<Repo> {
    let explicit = path.is_some();
    let dir = match path {
        Some(p) => p.to_path_buf(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !dir.is_dir() {
        bail!(
            "{} is not a directory; pass a directory inside a git repository",
            dir.display()
        );
    }
    let hooks = match git(&dir, explicit, &["rev-parse", "--git-path", "hooks"])? {
        Ok(h) => h,
        Err(e) => bail!(
            "{} is not inside a git repository ({e}); run this inside one, or pass the \
             repository's path as PATH",
            dir.display()
        ),
    };
    // A relative answer is relative to the directory git ran in.
    let hooks_dir = absolute(&dir.join(hooks));
    let hooks_path_config = git(&dir, explicit, &["config", "--get", "core.hooksPath"])?.ok();
    let top = git(&dir, explicit, &["rev-parse", "--show-toplevel"])?
        .ok()
        .filter(|t| !t.is_empty())
        .map(PathBuf::from);
    let manager = detect_manager(hooks_path_config.as_deref(), top.as_deref());
    Ok(Repo {
        hooks_dir,
        hooks_path_config,
        manager,
    })
}

/// `path` made absolute against the current directory, without resolving
/// symbolic links (the hooks directory is reported as git would name it).
fn absolute(path: &Path) -> PathBuf {
    let p = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    // Drop `.` components and fold `..` where it is lexically safe.
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some() && !out.is_symlink() => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// A hook manager that owns every hook of the repository, and why we think so.
fn detect_manager(hooks_path: Option<&str>, top: Option<&Path>) -> Option<(Manager, String)> {
    if let Some(hp) = hooks_path {
        if Path::new(hp)
            .components()
            .any(|c| c.as_os_str() == ".husky")
        {
            return Some((Manager::Husky, format!("core.hooksPath = {hp}")));
        }
    }
    let top = top?;
    for dir in ["", ".config"] {
        for stem in ["lefthook", ".lefthook"] {
            for ext in ["yml", "yaml", "toml", "json", "jsonc"] {
                let rel = Path::new(dir).join(format!("{stem}.{ext}"));
                if top.join(&rel).is_file() {
                    return Some((Manager::Lefthook, rel.display().to_string()));
                }
            }
        }
    }
    None
}

/// Looks at what is at a hook's path, without following a symbolic link.
fn state(path: &Path) -> Result<State> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::Missing),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", path.display())),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Ok(State::Obstacle("a symbolic link"));
    }
    if ft.is_dir() {
        return Ok(State::Obstacle("a directory"));
    }
    if !ft.is_file() {
        return Ok(State::Obstacle("not a regular file"));
    }
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    if text.lines().take(3).any(|l| l.starts_with(MARKER)) {
        let recorded = text
            .lines()
            .find_map(|l| l.strip_prefix("recorded="))
            .and_then(unquote);
        return Ok(State::Ours { recorded });
    }
    Ok(
        if text.lines().take(3).any(|l| l.starts_with(SHIM_MARKER)) {
            State::Shim
        } else if text.contains("File generated by pre-commit") || text.contains("pre-commit.com") {
            State::Managed(Manager::PreCommit)
        } else if text.contains("lefthook") || text.contains("LEFTHOOK") {
            State::Managed(Manager::Lefthook)
        } else if text.to_ascii_lowercase().contains("husky") {
            State::Managed(Manager::Husky)
        } else {
            State::Foreign
        },
    )
}

/// What `hook install` will do for one hook. Planned for every hook before
/// anything is written, so a refusal leaves the repository as it was.
#[derive(Debug)]
enum Plan {
    Snippet(Manager, String),
    Nothing(String),
    /// Write our hook, first moving aside what is there, if anything.
    Write {
        aside: Option<Aside>,
        rewrite: bool,
    },
}

/// Where a hook that was there goes.
#[derive(Clone, Copy, Debug)]
enum Aside {
    /// `<hook>.leaktrap-chained`: run first; restored by `uninstall`.
    Chain,
    /// `<hook>.leaktrap-replaced` (`--force`): neither run nor restored.
    Replace,
}

impl Aside {
    fn suffix(self) -> &'static str {
        match self {
            Aside::Chain => CHAINED_SUFFIX,
            Aside::Replace => REPLACED_SUFFIX,
        }
    }
}

fn plan(repo: &Repo, hook: Hook, force: bool) -> Result<Plan> {
    if let Some((m, why)) = &repo.manager {
        return Ok(Plan::Snippet(m.clone(), why.clone()));
    }
    let path = repo.hook_path(hook);
    let chained = repo.side_path(hook, CHAINED_SUFFIX);
    let replaced = repo.side_path(hook, REPLACED_SUFFIX);
    let force_aside = |what: &str| -> Result<Plan> {
        if !force {
            bail!(
                "{} is {what}, which leaktrap cannot chain safely; remove it, or pass --force \
                 to move it to {} and install leaktrap's hook",
                path.display(),
                replaced.display()
            );
        }
        if fs::symlink_metadata(&replaced).is_ok() {
            bail!(
                "{} already exists; remove it (it holds a hook --force replaced before) and retry",
                replaced.display()
            );
        }
        Ok(Plan::Write {
            aside: Some(Aside::Replace),
            rewrite: false,
        })
    };
    Ok(match state(&path)? {
        State::Missing => Plan::Write {
            aside: None,
            rewrite: false,
        },
        State::Ours { .. } => Plan::Write {
            aside: None,
            rewrite: true,
        },
        State::Shim => Plan::Nothing(format!(
            "{} is the leaktrap shim from leaktrap's hooks/ directory; it already runs leaktrap",
            path.display()
        )),
        State::Managed(m) => Plan::Snippet(m, format!("{} was written by it", path.display())),
        State::Foreign if fs::symlink_metadata(&chained).is_ok() => force_aside(&format!(
            "a hook leaktrap did not write, and {} already holds the hook leaktrap chains",
            chained.display()
        ))?,
        State::Foreign => Plan::Write {
            aside: Some(Aside::Chain),
            rewrite: false,
        },
        State::Obstacle(what) => force_aside(what)?,
    })
}

fn install(args: &InstallArgs) -> Result<u8> {
    let repo = find_repo(args.path.as_deref())?;
    let hooks: &[Hook] = if args.pre_push {
        &Hook::ALL
    } else {
        &[Hook::PreCommit]
    };
    let plans = hooks
        .iter()
        .map(|&h| plan(&repo, h, args.force).map(|p| (h, p)))
        .collect::<Result<Vec<_>>>()?;
    let exe = recorded_exe();
    if let Some(hp) = &repo.hooks_path_config {
        if plans.iter().any(|(_, p)| matches!(p, Plan::Write { .. })) {
            println!(
                "note: core.hooksPath = {hp}: the hooks go to {}",
                repo.hooks_dir.display()
            );
        }
    }
    for (hook, plan) in plans {
        let path = repo.hook_path(hook);
        match plan {
            Plan::Snippet(m, why) => print_snippet(&m, &why, hook),
            Plan::Nothing(msg) => println!("{}: nothing to do: {msg}", hook.name()),
            Plan::Write { aside, rewrite } => {
                let moved = aside.map(|a| (a, repo.side_path(hook, a.suffix())));
                fs::create_dir_all(&repo.hooks_dir).with_context(|| {
                    format!(
                        "cannot create the hooks directory {}",
                        repo.hooks_dir.display()
                    )
                })?;
                if let Some((_, to)) = &moved {
                    fs::rename(&path, to).with_context(|| {
                        format!("cannot move {} to {}", path.display(), to.display())
                    })?;
                }
                if let Err(e) = write_hook(&path, &script(hook, exe.as_deref())) {
                    if let Some((_, to)) = &moved {
                        let _ = fs::rename(to, &path);
                    }
                    return Err(e);
                }
                let verb = if rewrite { "rewrote" } else { "installed" };
                println!("{}: {verb} {}", hook.name(), path.display());
                match moved {
                    Some((Aside::Chain, a)) => {
                        let note = if is_executable(&a) {
                            "it runs first, and its failure blocks"
                        } else {
                            "it is not executable, so, as before, git does not run it"
                        };
                        println!("  the hook that was there is kept as {} ({note})", a.display());
                    }
                    Some((Aside::Replace, a)) => println!(
                        "  the hook that was there was moved to {} (not run, not restored by uninstall)",
                        a.display()
                    ),
                    None if is_executable(&repo.side_path(hook, CHAINED_SUFFIX)) => {
                        println!("  chained: {}", repo.side_path(hook, CHAINED_SUFFIX).display());
                    }
                    None => {}
                }
            }
        }
    }
    if exe.is_none() {
        println!(
            "note: the path of this leaktrap binary could not be recorded; the hooks run the \
             leaktrap found on PATH"
        );
    }
    Ok(crate::exit::CLEAN)
}

fn uninstall(path: Option<&Path>) -> Result<u8> {
    let repo = find_repo(path)?;
    for hook in Hook::ALL {
        let path = repo.hook_path(hook);
        let chained = repo.side_path(hook, CHAINED_SUFFIX);
        let has_chained = fs::symlink_metadata(&chained).is_ok();
        let name = hook.name();
        match state(&path)? {
            State::Ours { .. } => {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                if has_chained {
                    restore(&chained, &path)?;
                    println!(
                        "{name}: removed leaktrap's hook; restored the hook it chained at {}",
                        path.display()
                    );
                } else {
                    println!("{name}: removed {}", path.display());
                }
            }
            State::Missing if has_chained => {
                restore(&chained, &path)?;
                println!(
                    "{name}: restored {} (leaktrap's hook was already gone)",
                    path.display()
                );
            }
            State::Missing => println!("{name}: not installed"),
            other => {
                println!(
                    "{name}: not leaktrap's hook, left alone: {} ({})",
                    path.display(),
                    describe(&other, false)
                );
                if has_chained {
                    println!(
                        "  {} is left too: it holds the hook leaktrap chained; restore it by hand if you want it",
                        chained.display()
                    );
                }
            }
        }
    }
    Ok(crate::exit::CLEAN)
}

fn restore(chained: &Path, path: &Path) -> Result<()> {
    fs::rename(chained, path).with_context(|| {
        format!(
            "cannot move {} back to {}",
            chained.display(),
            path.display()
        )
    })
}

fn status(path: Option<&Path>) -> Result<u8> {
    let repo = find_repo(path)?;
    match &repo.hooks_path_config {
        Some(hp) => println!(
            "hooks directory: {} (core.hooksPath = {hp})",
            repo.hooks_dir.display()
        ),
        None => println!("hooks directory: {}", repo.hooks_dir.display()),
    }
    for hook in Hook::ALL {
        let path = repo.hook_path(hook);
        let st = state(&path)?;
        // What runs comes first: a leaktrap hook written before a manager
        // arrived is still what git runs.
        let line = match &repo.manager {
            Some((m, why)) if !matches!(st, State::Ours { .. } | State::Shim) => {
                format!("managed by {} ({why})", m.name())
            }
            _ => status_line(&repo, hook, &st),
        };
        println!("{}: {line}: {}", hook.name(), path.display());
    }
    Ok(crate::exit::CLEAN)
}

/// What `status` says of the file at a hook's path.
fn status_line(repo: &Repo, hook: Hook, st: &State) -> String {
    let path = repo.hook_path(hook);
    let chained = is_executable(&repo.side_path(hook, CHAINED_SUFFIX));
    let mut s = describe(st, chained);
    if matches!(fs::symlink_metadata(&path), Ok(m) if m.is_file()) && !is_executable(&path) {
        s.push_str(" [not executable: git does not run it]");
    }
    if let State::Ours { recorded } = st {
        if find_binary(recorded.as_deref()).is_none() {
            s.push_str(" [leaktrap is neither at the recorded path nor on PATH: the hook blocks]");
        }
    }
    s
}

fn describe(st: &State, chained: bool) -> String {
    match st {
        State::Missing => "not installed".into(),
        State::Ours { .. } => format!(
            "installed (leaktrap, chained: {})",
            if chained { "yes" } else { "no" }
        ),
        State::Shim => "installed (leaktrap shim)".into(),
        State::Managed(m) => format!("managed by {}", m.name()),
        State::Foreign => "foreign hook".into(),
        State::Obstacle(what) => format!("foreign hook ({what})"),
    }
}

/// What to add to a hook manager's configuration instead of a hook file.
fn print_snippet(m: &Manager, why: &str, hook: Hook) {
    println!(
        "{}: managed by {} ({why}); nothing written. Add leaktrap to its configuration:",
        hook.name(),
        m.name()
    );
    let text = match (m, hook) {
        (Manager::Husky, Hook::PreCommit) => "# .husky/pre-commit\nleaktrap staged\n".to_string(),
        (Manager::Husky, Hook::PrePush) => "# .husky/pre-push\nleaktrap push \"$@\"\n".to_string(),
        (Manager::Lefthook, Hook::PreCommit) => {
            "# lefthook.yml\npre-commit:\n  commands:\n    leaktrap:\n      run: leaktrap staged\n"
                .to_string()
        }
        (Manager::Lefthook, Hook::PrePush) => {
            "# lefthook.yml\npre-push:\n  commands:\n    leaktrap:\n      \
             run: leaktrap push {1} {2}\n      use_stdin: true   # git's list of pushed refs\n"
                .to_string()
        }
        (Manager::PreCommit, hook) => {
            let (id, then) = match hook {
                Hook::PreCommit => ("leaktrap-system", ""),
                Hook::PrePush => (
                    "leaktrap-push",
                    "\n# then: pre-commit install --hook-type pre-push",
                ),
            };
            format!(
                "# .pre-commit-config.yaml\nrepos:\n  - repo: {}\n    rev: v{}\n    hooks:\n      \
                 - id: {id}{then}\n",
                env!("CARGO_PKG_REPOSITORY"),
                env!("CARGO_PKG_VERSION")
            )
        }
    };
    for line in text.lines() {
        println!("    {line}");
    }
}

/// The absolute path of the running binary, as the hook will record it.
/// `None` when it cannot be known or cannot be written in a sh script
/// (not UTF-8): the hook then uses the leaktrap on PATH alone.
fn recorded_exe() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let s = exe.to_str()?;
    // Git for Windows runs hooks with its sh, which takes `C:/x/y.exe`.
    Some(if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.to_string()
    })
}

/// The binary a hook would run: the recorded path if it is executable,
/// else `leaktrap` on PATH.
fn find_binary(recorded: Option<&str>) -> Option<PathBuf> {
    if let Some(r) = recorded {
        if is_executable(Path::new(r)) {
            return Some(PathBuf::from(r));
        }
    }
    let path = std::env::var_os("PATH")?;
    let name = if cfg!(windows) {
        "leaktrap.exe"
    } else {
        "leaktrap"
    };
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// `s` as one sh word: single-quoted, a `'` written as `'\''`.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The inverse of [`quote`] for the one line we read back.
fn unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let out = inner.replace(r"'\''", "'");
    (!out.is_empty()).then_some(out)
}

/// The hook script. The binary is looked for at the path of the leaktrap
/// that installed it (so a git client whose PATH lacks ~/.cargo/bin still
/// finds it), then on PATH (so an upgrade that moves the binary still
/// works); with neither, the hook blocks and says how to bypass it.
fn script(hook: Hook, exe: Option<&str>) -> String {
    let name = hook.name();
    let (what, bypass, run) = match hook {
        Hook::PreCommit => (
            "commit",
            "git commit --no-verify",
            "exec \"$leaktrap\" staged\n".to_string(),
        ),
        Hook::PrePush => (
            "push",
            "git push --no-verify",
            // git writes the pushed refs on stdin once: keep them (the
            // trailing `x` keeps trailing newlines) and replay to both.
            "if [ -x \"$chained\" ]; then\n  \
               input=$(cat; echo x)\n  \
               input=${input%x}\n  \
               printf '%s' \"$input\" | \"$chained\" \"$@\" || exit $?\n  \
               printf '%s' \"$input\" | \"$leaktrap\" push \"$@\"\n  \
               exit $?\n\
             fi\n\
             exec \"$leaktrap\" push \"$@\"\n"
                .to_string(),
        ),
    };
    let chain = match hook {
        Hook::PreCommit => "if [ -x \"$chained\" ]; then\n  \"$chained\" \"$@\" || exit $?\nfi\n",
        Hook::PrePush => "",
    };
    let recorded = quote(exe.unwrap_or(""));
    format!(
        "#!/bin/sh\n\
         {MARKER_LINE} ({name})\n\
         # Written by `leaktrap hook install`; `leaktrap hook uninstall` removes it\n\
         # and puts back the hook it chained ({name}{CHAINED_SUFFIX}), which runs first.\n\
         # All checks are in the leaktrap binary. To skip them once: {bypass}\n\
         recorded={recorded}\n\
         leaktrap=$recorded\n\
         if [ -z \"$leaktrap\" ] || [ ! -x \"$leaktrap\" ]; then\n  \
           leaktrap=$(command -v leaktrap 2>/dev/null) || leaktrap=\n\
         fi\n\
         if [ -z \"$leaktrap\" ]; then\n  \
           echo \"leaktrap: the leaktrap binary was not found (not at '$recorded', not on PATH), so this {what} was not checked for secrets.\" >&2\n  \
           echo \"leaktrap: {what} blocked. Install leaktrap or put it on PATH (then run leaktrap hook install again),\" >&2\n  \
           echo \"leaktrap: or skip the check once with '{bypass}' at your own risk.\" >&2\n  \
           exit 1\n\
         fi\n\
         chained=\"$(dirname \"$0\")/{name}{CHAINED_SUFFIX}\"\n\
         {chain}{run}"
    )
}

/// Writes a hook through a temporary file and a rename, mode 0755.
fn write_hook(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_file_name(format!(
        "{}.leaktrap-tmp",
        path.file_name()
            .unwrap_or(OsStr::new("hook"))
            .to_string_lossy()
    ));
    let result = (|| -> std::io::Result<()> {
        fs::write(&tmp, text)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write the hook {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips() {
        for s in ["/usr/bin/leaktrap", "/o'brien/bin/leaktrap", "/a b/$x`y`"] {
            assert_eq!(unquote(&quote(s)).as_deref(), Some(s));
        }
        assert_eq!(unquote("''"), None);
    }

    #[test]
    fn a_written_hook_is_recognised_with_its_binary() {
        let d = tempfile::tempdir().unwrap();
        for hook in Hook::ALL {
            let p = d.path().join(hook.name());
            write_hook(&p, &script(hook, Some("/opt/it's/leaktrap"))).unwrap();
            assert_eq!(
                state(&p).unwrap(),
                State::Ours {
                    recorded: Some("/opt/it's/leaktrap".into())
                }
            );
            write_hook(&p, &script(hook, None)).unwrap();
            assert_eq!(state(&p).unwrap(), State::Ours { recorded: None });
        }
    }

    #[test]
    fn foreign_and_managed_hooks_are_told_apart() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pre-commit");
        let cases = [
            ("#!/bin/sh\nmake lint\n", State::Foreign),
            (
                "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n",
                State::Managed(Manager::PreCommit),
            ),
            (
                "#!/bin/sh\ncall_lefthook run pre-commit\n",
                State::Managed(Manager::Lefthook),
            ),
            ("#!/bin/sh\n# husky\n", State::Managed(Manager::Husky)),
            (
                "#!/bin/sh\n# leaktrap-shim v1\nexec leaktrap staged\n",
                State::Shim,
            ),
        ];
        for (text, want) in cases {
            fs::write(&p, text).unwrap();
            assert_eq!(state(&p).unwrap(), want, "{text}");
        }
        assert_eq!(state(&d.path().join("none")).unwrap(), State::Missing);
        assert_eq!(state(d.path()).unwrap(), State::Obstacle("a directory"));
    }

    #[test]
    fn husky_and_lefthook_are_detected() {
        assert_eq!(
            detect_manager(Some(".husky/_"), None).map(|m| m.0),
            Some(Manager::Husky)
        );
        assert_eq!(detect_manager(Some(".githooks"), None), None);
        let d = tempfile::tempdir().unwrap();
        assert_eq!(detect_manager(None, Some(d.path())), None);
        fs::write(d.path().join(".lefthook.yml"), "pre-commit: {}\n").unwrap();
        assert_eq!(
            detect_manager(None, Some(d.path())),
            Some((Manager::Lefthook, ".lefthook.yml".into()))
        );
    }
}
