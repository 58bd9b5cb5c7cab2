//! kafka_queue: a Drupal queue backend on Apache Kafka, as a PHP extension.
//!
//! Three layers whose doors open one way: [`php`] (the PHP classes) → [`queue`] (the queue
//! contract, plain Rust) → [`kafka`] (librdkafka); [`process`] holds what every layer may use.

pub mod kafka;
#[cfg(not(test))]
pub mod php;
pub mod process;
pub mod queue;
