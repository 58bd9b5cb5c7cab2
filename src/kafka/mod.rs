//! The one place that knows librdkafka: client configuration, the producer, the group consumer,
//! and the admin and offset look-ups. No queue semantics live here.

pub mod admin;
pub mod consumer;
pub mod error;
#[cfg(target_os = "linux")]
mod patches;
pub mod producer;
pub mod stats;

use std::ptr;
use std::thread;
use std::time::{Duration, Instant};

use rdkafka::bindings as rdsys;
use rdkafka::client::Client;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaConfRes;
use rdkafka::ClientConfig;
use rdkafka::ClientContext;
use rdkafka::TopicPartitionList;

pub use self::error::{About, Error, Resource};

/// What every client is configured with: the user's librdkafka properties and the longest wait
/// of any call for the brokers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientSettings {
    pub properties: Vec<(String, String)>,
    pub timeout: Duration,
}

/// The configuration of a client: the library's defaults, then `defaults` (what this kind of
/// client needs unless the user says otherwise), then the user's librdkafka properties, then
/// the settings the queue's guarantees depend on, which nobody overrides.
pub fn client_config(settings: &ClientSettings, defaults: &[(&str, &str)]) -> ClientConfig {
    let mut config = ClientConfig::new();
    let timeout_ms = millis(settings.timeout);
    config
        .set("socket.timeout.ms", &timeout_ms)
        .set("socket.connection.setup.timeout.ms", &timeout_ms);
    for (key, value) in defaults {
        config.set(*key, *value);
    }
    for (key, value) in &settings.properties {
        config.set(key, value);
    }
    // The project never creates topics at run time, whatever the broker allows.
    config.set("allow.auto.create.topics", "false");
    config.set_log_level(RDKafkaLogLevel::Warning);
    config
}

/// A librdkafka property librdkafka refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidProperty {
    UnknownKey(String),
    InvalidValue {
        key: String,
        value: String,
        description: String,
    },
    Other(String),
}

/// Checks every librdkafka property now, so that a bad key fails in the constructor with its
/// name rather than later in a hot path.
pub fn validate(properties: &[(String, String)]) -> Result<(), InvalidProperty> {
    let mut config = ClientConfig::new();
    for (key, value) in properties {
        config.set(key, value);
    }
    config
        .create_native_config()
        .map(drop)
        .map_err(|e| match e {
            KafkaError::ClientConfig(RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN, _, key, _) => {
                InvalidProperty::UnknownKey(key)
            }
            KafkaError::ClientConfig(_, description, key, value) => InvalidProperty::InvalidValue {
                key,
                value,
                description,
            },
            other => InvalidProperty::Other(other.to_string()),
        })
}

/// librdkafka's version.
pub fn version() -> String {
    rdkafka::util::get_rdkafka_version().1
}

/// The error of a commit's answer, per librdkafka's code.
fn commit_error(code: rdsys::rd_kafka_resp_err_t, about: About<'_>) -> Error {
    Error::from_code(code.into(), "", about)
}

/// Commits `offsets` and waits at most `timeout` for the coordinator's answer. librdkafka's
/// own synchronous commit has no time limit: with the brokers gone it would block the request.
/// While the group's coordinator moves (a broker restarts or fails over), the commit is sent
/// again until the new coordinator answers or the time is up: librdkafka hands those answers
/// back as they come.
pub fn commit_within<C: ClientContext>(
    client: &Client<C>,
    offsets: &TopicPartitionList,
    timeout: Duration,
    about: About<'_>,
) -> Result<(), Error> {
    let deadline = Instant::now() + timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    loop {
        match commit_once(client, offsets, left()) {
            Ok(()) => return Ok(()),
            // Time for another round after the pause, or the coordinator's answer is the error.
            Err(Some(code)) if coordinator_moving(code) && left() > COORDINATOR_RETRY_BACKOFF => {
                thread::sleep(COORDINATOR_RETRY_BACKOFF);
            }
            Err(Some(code)) => return Err(commit_error(code, about)),
            Err(None) => return Err(Error::TimedOut),
        }
    }
}

/// How long to wait before a commit goes again to a coordinator that is moving: librdkafka's
/// own `retry.backoff.ms` default.
const COORDINATOR_RETRY_BACKOFF: Duration = Duration::from_millis(100);

/// Answers to a commit that mean the group's coordinator is loading the group or has moved: the
/// same commit succeeds once the new coordinator is ready.
fn coordinator_moving(code: rdsys::rd_kafka_resp_err_t) -> bool {
    use rdsys::rd_kafka_resp_err_t::*;
    matches!(
        code,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS
            | RD_KAFKA_RESP_ERR_NOT_COORDINATOR
            | RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE
    )
}

/// One commit and its answer: `Err(Some(code))` for an error answer (of the request or of a
/// partition), `Err(None)` when none came within `timeout`.
fn commit_once<C: ClientContext>(
    client: &Client<C>,
    offsets: &TopicPartitionList,
    timeout: Duration,
) -> Result<(), Option<rdsys::rd_kafka_resp_err_t>> {
    use rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR as NO_ERROR;
    let client = client.native_ptr();
    // SAFETY: `client` is a live consumer handle; the temporary queue and the event are
    // destroyed here, and the offsets list is only read by librdkafka during the call.
    unsafe {
        let queue = rdsys::rd_kafka_queue_new(client);
        let err = rdsys::rd_kafka_commit_queue(client, offsets.ptr(), queue, None, ptr::null_mut());
        if err != NO_ERROR {
            rdsys::rd_kafka_queue_destroy(queue);
            return Err(Some(err));
        }
        let event = rdsys::rd_kafka_queue_poll(queue, millis_i32(timeout));
        let result = if event.is_null() {
            Err(None)
        } else {
            let mut result = match rdsys::rd_kafka_event_error(event) {
                NO_ERROR => Ok(()),
                err => Err(Some(err)),
            };
            let partitions = rdsys::rd_kafka_event_topic_partition_list(event);
            if result.is_ok() && !partitions.is_null() {
                let list = &*partitions;
                for i in 0..list.cnt as usize {
                    let err = (*list.elems.add(i)).err;
                    if err != NO_ERROR {
                        result = Err(Some(err));
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

/// A timeout as librdkafka's C calls take it: whole milliseconds in an `int`.
pub fn millis_i32(duration: Duration) -> i32 {
    duration.as_millis().min(i32::MAX as u128) as i32
}
