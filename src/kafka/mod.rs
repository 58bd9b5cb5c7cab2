//! The one place that knows librdkafka: client configuration, the producer, the group consumer,
//! and the admin and offset look-ups. No queue semantics live here.

pub mod admin;
pub mod consumer;
pub mod fork;
pub mod producer;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use anyhow::{anyhow, Result};
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaConfRes;
use rdkafka::ClientConfig;

use crate::queue::config::{option_names, Settings};

/// The configuration of a client of a queue: the library's defaults, then `defaults` (what this
/// kind of client needs unless the user says otherwise), then the user's librdkafka properties,
/// then the settings the queue's guarantees depend on, which nobody overrides.
pub fn client_config(settings: &Settings, defaults: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    let timeout_ms = millis(settings.timeout);
    config
        .set("socket.timeout.ms", &timeout_ms)
        .set("socket.connection.setup.timeout.ms", &timeout_ms);
    for (key, value) in defaults {
        config.set(*key, *value);
    }
    for (key, value) in &settings.kafka {
        config.set(key, value);
    }
    // The project never creates topics at run time, whatever the broker allows.
    config.set("allow.auto.create.topics", "false");
    config.set_log_level(RDKafkaLogLevel::Warning);
    config
}

/// Checks every librdkafka property now, so that a bad key fails in the constructor with its
/// name rather than later in a hot path.
pub fn validate(settings: &Settings) -> Result<()> {
    let mut config = ClientConfig::new();
    for (key, value) in &settings.kafka {
        config.set(key, value);
    }
    config
        .create_native_config()
        .map(drop)
        .map_err(|e| match e {
            KafkaError::ClientConfig(RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN, _, key, _) => anyhow!(
                "unknown configuration key \"{key}\": it is neither an option of kafka_queue ({}) \
             nor a librdkafka property",
                option_names()
            ),
            KafkaError::ClientConfig(_, description, key, value) => {
                anyhow!("invalid value \"{value}\" for configuration key \"{key}\": {description}")
            }
            other => anyhow!("invalid configuration: {other}"),
        })
}

pub fn millis(duration: Duration) -> String {
    duration.as_millis().to_string()
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs one admin future to completion on this thread (librdkafka completes it from its own).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}
