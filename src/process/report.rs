//! Where the extension reports what it cannot return to a caller: items that could not be
//! delivered at the end of a request, deleted lists that could not be committed. The PHP layer
//! installs PHP's error log as the sink; without one (in `cargo test`) reports go to stderr.
//!
//! PHP's error log may only be written from PHP's own thread: reports made on a background
//! thread (a worker leaving its group when idle) wait until [`flush_deferred`] runs on PHP's.

use std::cell::Cell;
use std::sync::OnceLock;

use parking_lot::Mutex;

static SINK: OnceLock<fn(&str)> = OnceLock::new();
static DEFERRED: Mutex<Vec<String>> = Mutex::new(Vec::new());

thread_local! {
    static BACKGROUND: Cell<bool> = const { Cell::new(false) };
}

/// Installs the sink, once per process.
pub fn install(sink: fn(&str)) {
    let _ = SINK.set(sink);
}

/// Marks the calling thread as a background thread: its reports are deferred.
pub fn on_background_thread() {
    BACKGROUND.with(|b| b.set(true));
}

pub fn warn(message: &str) {
    if BACKGROUND.with(Cell::get) {
        DEFERRED.lock().push(message.to_string());
        return;
    }
    match SINK.get() {
        Some(sink) => sink(message),
        None => eprintln!("{message}"),
    }
}

/// Writes the reports of background threads (on PHP's thread).
pub fn flush_deferred() {
    let deferred = std::mem::take(&mut *DEFERRED.lock());
    for message in deferred {
        warn(&message);
    }
}
