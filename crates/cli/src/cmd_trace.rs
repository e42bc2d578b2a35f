//! `leaktrap trace`: where known secrets live in a repository's history.
//!
//! The secrets come from stdin or a file (never argv). Every blob in the
//! object store (reachable or not) is searched once for them, in parallel,
//! with a literal search; every commit message (refs and reflogs) and
//! annotated tag message too. One walk of all refs and reflogs gives the
//! timeline: which commits introduced each occurrence, which removed it.
//! The reach comes from the refs: whose tip still holds it (and where),
//! whose history contains an introducing commit, whether a remote-tracking
//! ref does (it was pushed).

use crate::TraceArgs;
use anyhow::{bail, Context, Result};
use git2::Oid;
use leaktrap_core::Secret;
use leaktrap_sources::{
    parse_tag, read_objects, rfc3339_utc, BlobRef, Changes, CommitMeta, Git, Merges, Object,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::sync::atomic::AtomicUsize;
use std::sync::Mutex;

/// Where one secret was seen in one blob: 1-based lines.
type Hits = BTreeMap<Oid, BTreeMap<usize, BTreeSet<u64>>>;

pub fn run(args: TraceArgs) -> Result<u8> {
    let git = Git::discover(&args.repo)?;
    let secrets = match &args.from_report {
        Some(report) => {
            let mut s = crate::trace_input::secrets_from_report(&git, report, &args.finding)?;
            if args.secret_file.is_some() {
                for more in read_secrets(&args)? {
                    if !s.contains(&more) {
                        s.push(more);
                    }
                }
            }
            s
        }
        None => read_secrets(&args)?,
    };
    let ac = aho_corasick::AhoCorasick::new(&secrets).context("cannot build the search")?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);

    // Blobs and the walk (all refs and reflogs), side by side.
    let revs = vec!["--all".to_string(), "--reflog".to_string()];
    let mut messages: Vec<(usize, CommitMeta, u64)> = Vec::new();
    let (hits, walk) = std::thread::scope(|s| -> Result<(Hits, Changes)> {
        let walk = s.spawn(|| {
            // Merges are not diffed (a third of the walk's time on git/git);
            // blobs only a merge introduced get a second, narrow walk below.
            git.changes(&revs, None, Merges::Skip, |meta, body| {
                for m in ac.find_overlapping_iter(body) {
                    let line = 1 + memchr::memchr_iter(b'\n', &body[..m.start()]).count() as u64;
                    messages.push((m.pattern().as_usize(), meta.clone(), line));
                }
            })
        });
        let blobs = git.all_blobs()?;
        let hits = search_blobs(&git, &ac, &blobs, threads)?;
        let walk = walk
            .join()
            .map_err(|_| anyhow::anyhow!("the history walk crashed"))??;
        Ok((hits, walk))
    })?;
    let mut walk = walk;
    let orphans: std::collections::HashSet<Oid> = hits
        .keys()
        .filter(|b| !walk.intros.contains_key(b))
        .copied()
        .collect();
    if !orphans.is_empty() {
        let m = git.changes(&revs, Some(&orphans), Merges::Only, |_, _| {})?;
        walk.absorb(m);
    }
    let tags = search_tags(&git, &ac)?;
    let refs: Vec<(String, String)> = git
        .refs()?
        .iter()
        .map(|r| (r.name.clone(), r.target().to_string()))
        .collect();

    let reflog = reflog_entries(&git)?;
    let mut report = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        report.push(trace_one(
            &git, i, secret, &hits, &walk, &messages, &tags, &refs, &reflog,
        )?);
    }
    // A commit's summary line can hold one of the secrets itself.
    for t in &mut report {
        for e in t
            .introduced
            .iter_mut()
            .chain(t.removed.iter_mut())
            .chain(t.messages.iter_mut())
        {
            e.summary = scrub(&e.summary, &secrets);
        }
    }
    let found = report.iter().any(|r| r.found);
    if let Some(path) = &args.purge_file {
        write_purge_file(path, &secrets)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &TraceDoc {
                schema: "leaktrap.trace",
                schema_version: 1,
                repository: git.root().display().to_string(),
                secrets: &report,
            },
        )?;
        writeln!(out)?;
    } else {
        text(&mut out, &report, args.purge_file.as_deref())?;
    }
    out.flush()?;
    Ok(u8::from(found))
}

/// One secret per line from `--secret-file` or stdin; blank lines and
/// trailing whitespace ignored. Never from the command line.
fn read_secrets(args: &TraceArgs) -> Result<Vec<Vec<u8>>> {
    let mut raw = Vec::new();
    match &args.secret_file {
        Some(p) => {
            raw = std::fs::read(p)
                .with_context(|| format!("cannot read the secret file {}", p.display()))?;
        }
        None => {
            use std::io::IsTerminal;
            if std::io::stdin().is_terminal() {
                bail!(
                    "give the secrets on stdin (one per line) or with --secret-file FILE; \
                     never on the command line, where shell history and process lists keep them"
                );
            }
            std::io::stdin()
                .read_to_end(&mut raw)
                .context("cannot read the secrets from stdin")?;
        }
    }
    let secrets: Vec<Vec<u8>> = raw
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii_end().trim_ascii_start().to_vec())
        .filter(|l| !l.is_empty())
        .collect();
    if secrets.is_empty() {
        bail!("no secret given: put one per line on stdin or in --secret-file");
    }
    if let Some(short) = secrets.iter().find(|s| s.len() < 8) {
        bail!(
            "a secret of {} bytes would match all over the repository; give the whole \
             secret (at least 8 bytes)",
            short.len()
        );
    }
    Ok(secrets)
}

/// Searches every blob, each worker with its own `git cat-file --batch`
/// (the same reading as `leaktrap git`).
fn search_blobs(
    git: &Git,
    ac: &aho_corasick::AhoCorasick,
    blobs: &[BlobRef],
    threads: usize,
) -> Result<Hits> {
    let parts = crate::cmd_git::split(blobs, crate::cmd_git::PART_BYTES);
    let longest = ac.max_pattern_len();
    let next = AtomicUsize::new(0);
    let hits = Mutex::new(Hits::new());
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..threads.min(parts.len()).max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut buf = Vec::new();
                    crate::cmd_git::read_parts(git, blobs, &parts, &next, |cat, _, _| {
                        let Some((oid, obj)) = cat.next_header()? else {
                            bail!("git cat-file stopped early");
                        };
                        let Object::Found { size, .. } = obj else {
                            return Ok(());
                        };
                        let found = search_stream(cat, size, ac, longest, &mut buf)?;
                        cat.end_object()?;
                        if !found.is_empty() {
                            hits.lock()
                                .map_err(|_| anyhow::anyhow!("a search worker crashed"))?
                                .insert(oid, found);
                        }
                        Ok(())
                    })
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("a search worker crashed"))??;
        }
        Ok(())
    })?;
    hits.into_inner()
        .map_err(|_| anyhow::anyhow!("a search worker crashed"))
}

/// Blobs are read in windows of this size, so a huge one costs no more memory.
const WINDOW: usize = 8 << 20;

/// Searches one blob's content as `cat` streams it, window by window; each
/// window starts with the last `longest - 1` bytes of the one before, so a
/// secret across a window's edge is found once. Returns, per secret, the
/// 1-based lines it is on.
fn search_stream(
    cat: &mut leaktrap_sources::CatFile,
    size: u64,
    ac: &aho_corasick::AhoCorasick,
    longest: usize,
    buf: &mut Vec<u8>,
) -> Result<BTreeMap<usize, BTreeSet<u64>>> {
    let keep = longest.saturating_sub(1);
    let mut found: BTreeMap<usize, BTreeSet<u64>> = BTreeMap::new();
    let mut left = size;
    // Lines before buf[0], and how much of buf was carried over.
    let (mut lines_before, mut carried) = (0u64, 0usize);
    buf.clear();
    loop {
        let take = usize::try_from(left).unwrap_or(usize::MAX).min(WINDOW);
        let start = buf.len();
        buf.resize(start + take, 0);
        cat.read_content(&mut buf[start..])?;
        left -= take as u64;
        let (mut line, mut at) = (lines_before + 1, 0usize);
        for m in ac.find_overlapping_iter(&buf[..]) {
            if m.end() <= carried {
                continue; // seen in the window before
            }
            // Overlapping matches come by their end: a later one may start
            // earlier (one secret inside another).
            let p = m.start();
            if p >= at {
                line += memchr::memchr_iter(b'\n', &buf[at..p]).count() as u64;
            } else {
                line -= memchr::memchr_iter(b'\n', &buf[p..at]).count() as u64;
            }
            at = p;
            found
                .entry(m.pattern().as_usize())
                .or_default()
                .insert(line);
        }
        if left == 0 {
            return Ok(found);
        }
        let cut = buf.len().saturating_sub(keep);
        lines_before += memchr::memchr_iter(b'\n', &buf[..cut]).count() as u64;
        buf.drain(..cut);
        carried = buf.len();
    }
}

/// Annotated tags whose message holds a secret: (secret, tag name, tagger, date).
fn search_tags(
    git: &Git,
    ac: &aho_corasick::AhoCorasick,
) -> Result<Vec<(usize, String, String, String)>> {
    let tags = git.annotated_tags()?;
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let oids: Vec<Oid> = tags.iter().map(|t| t.1).collect();
    let objects = read_objects(git, &oids)?;
    let mut out = Vec::new();
    for (name, oid) in &tags {
        let Some(Some(content)) = objects.get(oid) else {
            continue;
        };
        let (tagger, _email, time, msg) = parse_tag(content);
        for m in ac.find_overlapping_iter(msg) {
            out.push((
                m.pattern().as_usize(),
                name.clone(),
                tagger.clone(),
                rfc3339_utc(time),
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[derive(Serialize)]
struct TraceDoc<'a> {
    schema: &'static str,
    schema_version: u32,
    repository: String,
    secrets: &'a [Traced],
}

#[derive(Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    /// Author date.
    date: String,
    /// Committer date: when the commit entered the history (a rebase or a
    /// cherry-pick moves it; a tag: the tag's date).
    committed: String,
    commit: String,
    author: String,
    email: String,
    summary: String,
    path: String,
    /// Lines of the file (at that commit) that hold it; empty for removals
    /// and messages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lines: Vec<u64>,
}

#[derive(Serialize)]
struct Traced {
    /// The secret, masked.
    secret: String,
    found: bool,
    /// Commits that put it at a path (a file that did not hold it before).
    introduced: Vec<Event>,
    /// Commits that took it out of a path (changed or deleted the file).
    removed: Vec<Event>,
    /// Commit messages and annotated tags that contain it.
    messages: Vec<Event>,
    /// Refs whose tip still holds it, with the paths.
    at_tips: BTreeMap<String, Vec<String>>,
    /// Refs whose history contains a commit that introduced it.
    in_history_of: Vec<String>,
    /// Per ref: the introductions and removals in its history, oldest first
    /// (by committer date).
    timeline: BTreeMap<String, Vec<Step>>,
    /// Reflog entries (`HEAD@{2}`, `refs/stash@{0}`) whose commit has it in
    /// its history: reachable from here even where no ref is.
    reflog: Vec<String>,
    /// A remote-tracking ref reaches it: it has been pushed.
    pushed: bool,
    /// Blobs holding it that no walked commit introduced (dropped commits
    /// whose reflog expired, objects never committed).
    unreachable_blobs: Vec<String>,
    /// From the earliest introduction to its removal from every ref tip;
    /// `until` is absent while some tip still holds it.
    exposure: Option<Window>,
}

/// One change on one ref's timeline.
#[derive(Serialize)]
struct Step {
    /// `introduced` or `removed`.
    change: &'static str,
    committed: String,
    commit: String,
    path: String,
}

#[derive(Serialize)]
struct Window {
    since: String,
    until: Option<String>,
}

fn event(c: &CommitMeta, path: &str) -> Event {
    Event {
        date: rfc3339_utc(c.time),
        committed: rfc3339_utc(c.commit_time),
        commit: c.oid.to_string(),
        author: c.author_name.clone(),
        email: c.author_email.clone(),
        summary: c.summary.clone(),
        path: path.to_string(),
        lines: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn trace_one(
    git: &Git,
    i: usize,
    secret: &[u8],
    hits: &Hits,
    walk: &Changes,
    messages: &[(usize, CommitMeta, u64)],
    tags: &[(usize, String, String, String)],
    refs: &[(String, String)],
    reflog: &[(String, Oid)],
) -> Result<Traced> {
    let holds = |b: &Oid| hits.get(b).is_some_and(|m| m.contains_key(&i));
    let blobs: Vec<Oid> = hits.keys().filter(|b| holds(b)).copied().collect();
    let mut introduced = BTreeSet::new();
    let mut removed = BTreeSet::new();
    let mut paths = BTreeSet::new();
    let mut unreachable = Vec::new();
    for b in &blobs {
        let Some(intros) = walk.intros.get(b) else {
            unreachable.push(b.to_string());
            continue;
        };
        for intro in intros {
            paths.insert(intro.path.clone());
            if !intro.parents.iter().any(holds) {
                let mut e = event(&walk.commits[intro.commit as usize], &intro.path);
                e.lines = hits
                    .get(b)
                    .and_then(|m| m.get(&i))
                    .map(|l| l.iter().copied().collect())
                    .unwrap_or_default();
                introduced.insert(e);
            }
        }
    }
    // Removals: a commit changed a file that held it into one that does not.
    for intros in walk
        .intros
        .iter()
        .filter(|(b, _)| !holds(b))
        .map(|(_, l)| l)
    {
        for intro in intros {
            if intro.parents.iter().any(holds) {
                removed.insert(event(&walk.commits[intro.commit as usize], &intro.path));
            }
        }
    }
    // ...or deleted it.
    let by_oid: HashMap<Oid, &CommitMeta> = walk.commits.iter().map(|c| (c.oid, c)).collect();
    for (c, deleted) in &walk.deleted {
        if deleted.iter().any(holds) {
            if let Some(meta) = by_oid.get(c) {
                removed.insert(event(meta, "(deleted file)"));
            }
        }
    }
    let mut msgs: Vec<Event> = messages
        .iter()
        .filter(|(s, _, _)| *s == i)
        .map(|(_, c, line)| event(c, &format!("(commit message, line {line})")))
        .collect();
    msgs.extend(tags.iter().filter(|t| t.0 == i).map(|t| Event {
        date: t.3.clone(),
        committed: t.3.clone(),
        commit: String::new(),
        author: t.2.clone(),
        email: String::new(),
        summary: String::new(),
        path: format!("(tag message {})", t.1),
        lines: Vec::new(),
    }));
    msgs.sort();
    msgs.dedup();

    // Tips: does `<ref>:<path>` name a blob that holds it?
    let mut at_tips: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !paths.is_empty() {
        let queries: Vec<(String, String)> = refs
            .iter()
            .flat_map(|(r, _)| paths.iter().map(move |p| (r.clone(), p.clone())))
            .collect();
        for ((r, p), oid) in queries.iter().zip(resolve(git, &queries)?) {
            if oid.as_ref().is_some_and(holds) {
                at_tips.entry(r.clone()).or_default().push(p.clone());
            }
        }
    }
    // History: refs that contain an introducing commit (or a message).
    let mut in_history: BTreeSet<String> = BTreeSet::new();
    let commits: BTreeSet<&str> = introduced
        .iter()
        .chain(msgs.iter())
        .map(|e| e.commit.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    // Every commit the walk saw that descends from one of them (the walk
    // covers all refs and reflogs, so every tip is among them); a ref whose
    // tip is one of those has it in its history.
    // The graph's edges downwards, built once for every walk below.
    let mut children: HashMap<Oid, Vec<Oid>> = HashMap::new();
    for (c, ps) in &walk.parents {
        for p in ps {
            children.entry(*p).or_default().push(*c);
        }
    }
    let reached = descendants(&children, &commits);
    for (r, tip) in refs {
        if Oid::from_str(tip).is_ok_and(|t| reached.contains(&t)) {
            in_history.insert(r.clone());
        }
    }
    for t in tags.iter().filter(|t| t.0 == i) {
        in_history.insert(t.1.clone());
    }
    let pushed = in_history
        .iter()
        .chain(at_tips.keys())
        .any(|r| r.starts_with("refs/remotes/"));
    // Per ref: which introductions and removals its history holds.
    let mut timeline: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    let tips: Vec<(&String, Oid)> = refs
        .iter()
        .filter_map(|(r, t)| Some((r, Oid::from_str(t).ok()?)))
        .collect();
    let steps = introduced
        .iter()
        .map(|e| ("introduced", e))
        .chain(removed.iter().map(|e| ("removed", e)));
    for (change, e) in steps.take(MAX_TIMELINE_EVENTS) {
        let reach = descendants(&children, &BTreeSet::from([e.commit.as_str()]));
        for (r, tip) in &tips {
            if reach.contains(tip) {
                timeline.entry((*r).clone()).or_default().push(Step {
                    change,
                    committed: e.committed.clone(),
                    commit: e.commit.clone(),
                    path: e.path.clone(),
                });
            }
        }
    }
    for steps in timeline.values_mut() {
        steps.sort_by(|a, b| {
            (&a.committed, &a.commit, a.change, &a.path).cmp(&(
                &b.committed,
                &b.commit,
                b.change,
                &b.path,
            ))
        });
    }
    let reflog: Vec<String> = reflog
        .iter()
        .filter(|(_, c)| reached.contains(c))
        .map(|(name, c)| format!("{name} ({})", &c.to_string()[..12]))
        .collect();
    let found = !blobs.is_empty() || !msgs.is_empty();
    let since = introduced
        .iter()
        .chain(msgs.iter())
        .map(|e| e.date.clone())
        .min();
    let exposure = since.map(|since| Window {
        since,
        until: if at_tips.is_empty() && msgs.is_empty() {
            removed.iter().map(|e| e.date.clone()).max()
        } else {
            None
        },
    });
    Ok(Traced {
        secret: Secret::new(secret).to_string(),
        found,
        introduced: introduced.into_iter().collect(),
        removed: removed.into_iter().collect(),
        messages: msgs,
        at_tips,
        in_history_of: in_history.into_iter().collect(),
        timeline,
        reflog,
        pushed,
        unreachable_blobs: unreachable,
        exposure,
    })
}

/// Introductions and removals placed on per-ref timelines (each costs a
/// walk of the commit graph); a secret with more is listed without them.
const MAX_TIMELINE_EVENTS: usize = 500;

/// Every reflog entry: (`HEAD@{1}`, commit).
fn reflog_entries(git: &Git) -> Result<Vec<(String, Oid)>> {
    let out = git
        .command()
        .args(["log", "-g", "--all", "--format=%gD%x09%H"])
        .stderr(std::process::Stdio::null())
        .output()
        .context("cannot run git log -g")?;
    // A repository without reflogs answers with an error: none to list.
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (name, oid) = l.split_once('\t')?;
            Some((name.to_string(), Oid::from_str(oid).ok()?))
        })
        .collect())
}

/// `text` with every secret in it masked.
fn scrub(text: &str, secrets: &[Vec<u8>]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if let Ok(s) = std::str::from_utf8(s) {
            if out.contains(s) {
                out = out.replace(s, &Secret::new(s.as_bytes()).to_string());
            }
        }
    }
    out
}

/// `starts` and every walked commit that has one of them as an ancestor.
fn descendants(
    children: &HashMap<Oid, Vec<Oid>>,
    starts: &BTreeSet<&str>,
) -> std::collections::HashSet<Oid> {
    let mut seen: std::collections::HashSet<Oid> = starts
        .iter()
        .filter_map(|s| Oid::from_str(s).ok())
        .collect();
    let mut todo: Vec<Oid> = seen.iter().copied().collect();
    while let Some(c) = todo.pop() {
        for ch in children.get(&c).into_iter().flatten() {
            if seen.insert(*ch) {
                todo.push(*ch);
            }
        }
    }
    seen
}

/// Resolves `<ref>:<path>` names to blob ids in one `cat-file --batch-check`.
fn resolve(git: &Git, queries: &[(String, String)]) -> Result<Vec<Option<Oid>>> {
    let mut child = git
        .command()
        .args(["cat-file", "--batch-check=%(objectname) %(objecttype)"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("cannot run git cat-file")?;
    let mut input = child.stdin.take().context("no stdin")?;
    let text: String = queries.iter().map(|(r, p)| format!("{r}:{p}\n")).collect();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().context("git cat-file failed")?;
    let _ = writer.join();
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut f = l.split(' ');
            let oid = f.next()?;
            (f.next() == Some("blob"))
                .then(|| Oid::from_str(oid).ok())
                .flatten()
        })
        .collect())
}

/// The `git filter-repo --replace-text` expressions: owner-only, since it
/// holds the secrets themselves.
fn write_purge_file(path: &std::path::Path, secrets: &[Vec<u8>]) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write the purge file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    for s in secrets {
        f.write_all(b"literal:")?;
        f.write_all(s)?;
        f.write_all(b"==>***REMOVED***\n")?;
    }
    Ok(())
}

fn text(out: &mut dyn Write, report: &[Traced], purge: Option<&std::path::Path>) -> Result<()> {
    for t in report {
        writeln!(out, "secret {}", t.secret)?;
        if !t.found {
            writeln!(out, "  not found anywhere in this repository\n")?;
            continue;
        }
        for (what, list) in [
            ("introduced", &t.introduced),
            ("removed", &t.removed),
            ("in a message", &t.messages),
        ] {
            for e in list {
                let short = e.commit.get(..12).unwrap_or(&e.commit);
                let lines = if e.lines.is_empty() {
                    String::new()
                } else {
                    let l: Vec<String> = e.lines.iter().map(u64::to_string).collect();
                    format!(":{}", l.join(","))
                };
                writeln!(
                    out,
                    "  {what:<12} {} {short:<12} {} <{}> {}{lines}  {}",
                    e.date, e.author, e.email, e.path, e.summary
                )?;
            }
        }
        if t.at_tips.is_empty() {
            writeln!(out, "  no ref's tip holds it any more")?;
        }
        for (r, paths) in &t.at_tips {
            writeln!(out, "  still at the tip of {r}: {}", paths.join(", "))?;
        }
        if !t.in_history_of.is_empty() {
            writeln!(out, "  in the history of: {}", t.in_history_of.join(", "))?;
        }
        for (r, steps) in &t.timeline {
            let s: Vec<String> = steps
                .iter()
                .map(|s| {
                    format!(
                        "{} {} {} {}",
                        s.committed,
                        s.change,
                        s.commit.get(..12).unwrap_or(&s.commit),
                        s.path
                    )
                })
                .collect();
            writeln!(out, "  timeline of {r}: {}", s.join("; "))?;
        }
        if !t.reflog.is_empty() {
            writeln!(out, "  in reflog entries: {}", t.reflog.join(", "))?;
        }
        writeln!(
            out,
            "  {}",
            if t.pushed {
                "PUSHED: a remote-tracking ref reaches it"
            } else {
                "no remote-tracking ref reaches it (not pushed, as far as this clone knows)"
            }
        )?;
        for b in &t.unreachable_blobs {
            writeln!(out, "  in unreachable blob {b}")?;
        }
        if let Some(w) = &t.exposure {
            match &w.until {
                Some(u) => writeln!(out, "  exposed from {} until {u}", w.since)?,
                None => writeln!(out, "  exposed since {} and STILL EXPOSED", w.since)?,
            }
        }
        writeln!(out)?;
    }
    if report.iter().any(|t| t.found) {
        writeln!(
            out,
            "What to do, in this order:\n\
             \x20 1. Rotate and revoke the secret now: history rewriting does not un-leak it.\n\
             \x20 2. Purge it: git filter-repo --replace-text {} (then force-push every ref\n\
             \x20    listed above, and have every clone re-cloned).\n\
             \x20 3. Review the provider's access logs for the exposure window.\n\
             Not purged from here: forks and other clones, CI caches and artifacts,\n\
             pull-request refs on the server, packed backups.",
            purge.map_or("<file from --purge-file>".to_string(), |p| p
                .display()
                .to_string())
        )?;
    }
    Ok(())
}
