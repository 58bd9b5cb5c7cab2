//! Where the extension reports what it cannot return to a caller: items that could not be
//! delivered at the end of a request, deleted lists that could not be committed. The PHP layer
//! installs PHP's error log as the sink; without one (in `cargo test`) reports go to stderr.

use std::sync::OnceLock;

static SINK: OnceLock<fn(&str)> = OnceLock::new();

/// Installs the sink, once per process.
pub fn install(sink: fn(&str)) {
    let _ = SINK.set(sink);
}

pub fn warn(message: &str) {
    match SINK.get() {
        Some(sink) => sink(message),
        None => eprintln!("{message}"),
    }
}
