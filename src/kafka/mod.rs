//! The one place that knows librdkafka: client configuration, the producer, the group consumer,
//! and the admin and offset look-ups. No queue semantics live here.

pub mod admin;
pub mod consumer;
pub mod fork;
pub mod producer;

use std::future::Future;
use std::pin::pin;
use std::ptr;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use anyhow::{anyhow, Result};
use rdkafka::bindings as rdsys;
use rdkafka::client::Client;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaConfRes;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;
use rdkafka::ClientContext;
use rdkafka::TopicPartitionList;

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

/// Why an offset commit did not go through.
#[derive(Debug)]
pub enum CommitError {
    /// The group no longer counts this client as a member (its session expired, it was
    /// fenced): the partitions it owned belong to others now.
    NotAMember(String),
    /// Any other refusal or failure.
    Failed(String),
    /// No answer within the timeout; the commit may still land later.
    TimedOut,
}

impl std::fmt::Display for CommitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommitError::NotAMember(e) => write!(f, "this worker is no longer a group member: {e}"),
            CommitError::Failed(e) => f.write_str(e),
            CommitError::TimedOut => f.write_str("the commit was not acknowledged in time"),
        }
    }
}

impl std::error::Error for CommitError {}

fn commit_error(code: RDKafkaErrorCode) -> CommitError {
    use RDKafkaErrorCode::*;
    match code {
        UnknownMemberId | IllegalGeneration | FencedMemberEpoch | StaleMemberEpoch
        | FencedInstanceId | AssignmentLost => CommitError::NotAMember(code.to_string()),
        _ => CommitError::Failed(code.to_string()),
    }
}

/// Commits `offsets` and waits at most `timeout` for the coordinator's answer. librdkafka's
/// own synchronous commit has no time limit: with the brokers gone it would block the request.
pub fn commit_within<C: ClientContext>(
    client: &Client<C>,
    offsets: &TopicPartitionList,
    timeout: Duration,
) -> Result<(), CommitError> {
    let client = client.native_ptr();
    // SAFETY: `client` is a live consumer handle; the temporary queue and the event are
    // destroyed here, and the offsets list is only read by librdkafka during the call.
    unsafe {
        let queue = rdsys::rd_kafka_queue_new(client);
        let err = rdsys::rd_kafka_commit_queue(client, offsets.ptr(), queue, None, ptr::null_mut());
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            rdsys::rd_kafka_queue_destroy(queue);
            return Err(commit_error(err.into()));
        }
        let event =
            rdsys::rd_kafka_queue_poll(queue, timeout.as_millis().min(i32::MAX as u128) as i32);
        let result = if event.is_null() {
            Err(CommitError::TimedOut)
        } else {
            let mut result = match rdsys::rd_kafka_event_error(event) {
                rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR => Ok(()),
                err => Err(commit_error(err.into())),
            };
            let partitions = rdsys::rd_kafka_event_topic_partition_list(event);
            if result.is_ok() && !partitions.is_null() {
                let list = &*partitions;
                for i in 0..list.cnt as usize {
                    let err = (*list.elems.add(i)).err;
                    if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                        result = Err(commit_error(err.into()));
                        break;
                    }
                }
            }
            rdsys::rd_kafka_event_destroy(event);
            result
        };
        rdsys::rd_kafka_queue_destroy(queue);
        result
    }
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
