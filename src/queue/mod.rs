//! The queue: Drupal's queue operations on Kafka, in plain Rust (no PHP types).

pub mod config;
pub mod deleted;
pub mod envelope;
pub mod ids;
pub mod leases;
pub mod operations;
pub mod registry;
pub mod report;
pub mod topic;
pub mod tracker;
pub mod worker;

pub use self::operations::{ItemRef, Queue, QueueError, Status};
