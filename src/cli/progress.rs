//! Progress lines for long imports and exports: on stderr, only when stderr
//! is a terminal, and only once an operation has run for a moment, so quick
//! commands and scripts (pipes, files) never see them.

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Nothing is shown before this: most commands finish sooner.
const QUIET_FOR: Duration = Duration::from_millis(300);

pub struct Progress {
    enabled: bool,
    started: Instant,
    shown: bool,
}

impl Progress {
    pub fn new() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            shown: false,
        }
    }

    /// Replaces the progress line with `what`.
    pub fn show(&mut self, what: impl Display) {
        if self.enabled && self.started.elapsed() >= QUIET_FOR {
            let mut err = std::io::stderr().lock();
            // A progress line that cannot be drawn is no reason to fail.
            let _ = write!(err, "\r\x1b[2K{what}");
            let _ = err.flush();
            self.shown = true;
        }
    }

    /// Erases the progress line (before the command prints its result).
    pub fn clear(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
