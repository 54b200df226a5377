//! The progress bar of long work (the slices of a volume export, the files of an import wait), on stderr. It
//! is drawn only when stderr is a terminal: piped or redirected, nothing is written, so logs and captured
//! output stay plain text.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use osirix_sdk::Progress;

/// A bar of `done/total` units with a message, cleared when dropped. It is drawn from the first
/// [`Bar::update`] on, once the total is known.
#[derive(Debug)]
pub(crate) struct Bar {
    bar: ProgressBar,
    /// Whether stderr is a terminal, and so whether the bar is drawn at all.
    terminal: bool,
}

impl Bar {
    /// How often the bar is redrawn without news, so that the time spent moves during a long wait.
    const TICK: Duration = Duration::from_millis(200);

    /// Prepares a bar showing `message`, `unit` (e.g. "slices") and the time spent; it stays hidden when
    /// stderr is no terminal.
    pub(crate) fn start(message: impl Into<String>, unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let template = format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}})");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.into());
        Bar {
            bar,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Shows `progress`, the SDK's count of the work done; the first call sets the total and starts drawing.
    pub(crate) fn update(&self, progress: Progress) {
        let total = progress.total as u64;
        if self.bar.length() != Some(total) {
            self.bar.set_length(total);
            if self.terminal {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                self.bar.enable_steady_tick(Self::TICK);
            }
        }
        self.bar.set_position(progress.done as u64);
    }

    /// Changes the message.
    pub(crate) fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
