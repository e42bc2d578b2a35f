//! Terminal decisions: colour and progress.

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leaktrap_scan::Progress;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether to colour a stream: the flag wins; then `NO_COLOR`; then
/// `CLICOLOR_FORCE`/`FORCE_COLOR`; then `TERM=dumb`; then whether the stream
/// is a terminal.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if set("CLICOLOR_FORCE") || set("FORCE_COLOR") {
                true
            } else if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
                false
            } else {
                is_terminal
            }
        }
    }
}

/// Whether a progress display may appear: stderr is a terminal, and we are
/// not in CI or under the pre-commit framework (which runs hooks in a pty).
pub fn progress_allowed(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var_os("PRE_COMMIT").is_none()
}

/// A progress spinner on stderr that appears only once a scan has run for a
/// second, redraws at most 10 times a second, and clears itself at the end.
pub struct ProgressDisplay {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl ProgressDisplay {
    /// `unit`: what an input is called ("files", "blobs").
    pub fn start(progress: Arc<Progress>, unit: &'static str) -> ProgressDisplay {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut bar: Option<ProgressBar> = None;
            while !flag.load(Ordering::Relaxed) {
                // Parked, not asleep: `finish` wakes us at once.
                std::thread::park_timeout(Duration::from_millis(100));
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                if started.elapsed() < Duration::from_secs(1) {
                    continue;
                }
                let b = bar.get_or_insert_with(|| {
                    let b =
                        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
                    b.set_style(
                        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    b
                });
                let files = progress.inputs.load(Ordering::Relaxed);
                let bytes = progress.bytes.load(Ordering::Relaxed);
                b.set_message(format!("scanned {files} {unit}, {}", human_bytes(bytes)));
                b.tick();
            }
            if let Some(b) = bar {
                b.finish_and_clear();
            }
        });
        ProgressDisplay {
            stop,
            handle: Some(handle),
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

/// `1.2 MB`, decimal units.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
