//! kafka_queue: a Drupal queue backend on Apache Kafka, as a PHP extension.
//!
//! Three layers whose doors open one way: [`php`] (the PHP classes) → [`queue`] (the queue
//! contract, plain Rust) → [`kafka`] (librdkafka).

pub mod kafka;
#[cfg(not(test))]
pub mod php;
pub mod queue;
