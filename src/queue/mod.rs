//! The queue: Drupal's queue operations on Kafka, in plain Rust (no PHP types).

pub mod config;
pub mod deleted;
pub mod envelope;
pub mod error;
pub mod ids;
pub mod leases;
pub mod operations;
pub mod provision;
pub mod registry;
pub mod rewritten;
pub mod topic;
pub mod tracker;
pub mod worker;

pub use crate::process::report;

pub use self::error::{ErrorCode, QueueError};
pub use self::operations::{ItemRef, Queue, Status};
pub use self::provision::{provision, Provision};

/// The version of the Kafka client library (librdkafka) of this build.
pub fn librdkafka_version() -> String {
    crate::kafka::version()
}
