//! The configuration of one queue: librdkafka properties plus the extension's own options.
//!
//! The extension's own options are listed in [`OPTIONS`]; every other key is a librdkafka
//! property and passes straight through. librdkafka refuses a key it does not know when the
//! configuration is validated, and the error then names the key and the extension's options.

use std::fmt;
use std::time::Duration;

use crate::kafka::{self, ClientSettings, InvalidProperty};

/// How `createItem` (delivery) or `deleteItem` (commit) waits for the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Return only once the broker has acknowledged the write.
    Strict,
    /// Batch the write; it is confirmed at the latest at the end of the request.
    Fast,
}

impl Mode {
    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value {
            "strict" => Ok(Mode::Strict),
            "fast" => Ok(Mode::Fast),
            _ => Err(ConfigError::invalid(key, value, "\"strict\" or \"fast\"")),
        }
    }
}

/// How long a worker without claims keeps its partitions: docs/design.md, "Who consumes what",
/// weighs a re-join against idle ownership.
pub const DEFAULT_IDLE_LEAVE: Duration = Duration::from_millis(1000);

/// With KIP-848 a new member learns of its partitions in a heartbeat after their owner gave
/// them up in one of its own: up to two of the coordinator's heartbeat intervals (5 s by
/// default), plus room for the commits in between.
pub const DEFAULT_JOIN_WAIT: Duration = Duration::from_millis(12_000);

/// The extension's own option names, with what each one means (for error messages and docs).
pub const OPTIONS: &[(&str, &str)] = &[
    ("topic_prefix", "prefix of every topic name"),
    (
        "delivery",
        "createItem: \"strict\" (acknowledged) or \"fast\" (batched)",
    ),
    (
        "commit",
        "deleteItem: \"strict\" (committed) or \"fast\" (batched)",
    ),
    ("claim_wait_ms", "longest wait of claimItem for an item"),
    (
        "join_wait_ms",
        "longest wait of a new worker, while other workers' partitions hold items, for the group to hand it partitions",
    ),
    (
        "idle_leave_ms",
        "a worker holding no claims gives its partitions back after this long without a claim (0: at the end of the request only)",
    ),
    ("timeout_ms", "longest wait of any call for the brokers"),
];

/// The extension's option names, comma-separated, for error messages.
pub fn option_names() -> String {
    OPTIONS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A configuration error that names the offending key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl ConfigError {
    fn invalid(key: &str, value: &str, expected: &str) -> Self {
        ConfigError(format!(
            "invalid value \"{value}\" for option \"{key}\": expected {expected}"
        ))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A fully resolved queue configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// librdkafka properties, in the order given; `group.id` is not among them.
    pub kafka: Vec<(String, String)>,
    /// The site's consumer group id; each queue consumes in `<group_id>.<topic>`.
    pub group_id: String,
    pub topic_prefix: String,
    pub delivery: Mode,
    pub commit: Mode,
    pub claim_wait: Duration,
    /// How long a claim of a worker that has not been handed any partition yet waits for
    /// them while the partitions of other workers hold items (counted from its joining).
    pub join_wait: Duration,
    /// A worker that holds no claims and has not claimed for this long leaves the group;
    /// `None`: it stays until the end of the request.
    pub idle_leave: Option<Duration>,
    pub timeout: Duration,
}

impl Settings {
    /// Defaults, before php.ini and the constructor's array are applied.
    pub fn defaults() -> Self {
        Settings {
            kafka: vec![("bootstrap.servers".into(), "127.0.0.1:9092".into())],
            group_id: "drupal".into(),
            topic_prefix: String::new(),
            delivery: Mode::Strict,
            commit: Mode::Strict,
            claim_wait: Duration::from_millis(2000),
            join_wait: DEFAULT_JOIN_WAIT,
            idle_leave: Some(DEFAULT_IDLE_LEAVE),
            timeout: Duration::from_millis(5000),
        }
    }

    /// Applies one key. Later keys override earlier ones.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        if key.contains('\0') || value.contains('\0') {
            return Err(ConfigError(format!(
                "invalid configuration key \"{}\": keys and values must not contain NUL bytes",
                key.replace('\0', "\\0")
            )));
        }
        match key {
            "group.id" => self.group_id = non_empty(key, value)?,
            "topic_prefix" => self.topic_prefix = value.to_string(),
            "delivery" => self.delivery = Mode::parse(key, value)?,
            "commit" => self.commit = Mode::parse(key, value)?,
            "claim_wait_ms" => self.claim_wait = millis(key, value, 0)?,
            "join_wait_ms" => self.join_wait = millis(key, value, 0)?,
            "idle_leave_ms" => {
                self.idle_leave = Some(millis(key, value, 0)?).filter(|d| !d.is_zero())
            }
            "timeout_ms" => self.timeout = millis(key, value, 1)?,
            _ => {
                // Everything else is a librdkafka property; librdkafka itself refuses unknown
                // keys when the configuration is validated (see `kafka::validate`).
                let value = value.to_string();
                match self.kafka.iter_mut().find(|(k, _)| k == key) {
                    Some(entry) => entry.1 = value,
                    None => self.kafka.push((key.to_string(), value)),
                }
            }
        }
        Ok(())
    }

    /// What the Kafka clients of this queue are configured with.
    pub fn client(&self) -> ClientSettings {
        ClientSettings {
            properties: self.kafka.clone(),
            timeout: self.timeout,
        }
    }

    /// Checks every librdkafka property now, so that a bad key fails in the constructor with
    /// its name rather than later in a hot path.
    pub fn validate(&self) -> Result<(), ConfigError> {
        kafka::validate(&self.kafka).map_err(|e| match e {
            InvalidProperty::UnknownKey(key) => ConfigError(format!(
                "unknown configuration key \"{key}\": it is neither an option of kafka_queue ({}) \
                 nor a librdkafka property",
                option_names()
            )),
            InvalidProperty::InvalidValue {
                key,
                value,
                description,
            } => ConfigError(format!(
                "invalid value \"{value}\" for configuration key \"{key}\": {description}"
            )),
            InvalidProperty::Other(m) => ConfigError(format!("invalid configuration: {m}")),
        })
    }

    /// The consumer group of one queue: per queue, so that a queue's admin operations
    /// (deleteQueue, garbageCollection) are not blocked by the workers of other queues.
    pub fn group_for(&self, topic: &str) -> String {
        format!("{}.{}", self.group_id, topic)
    }
}

fn non_empty(key: &str, value: &str) -> Result<String, ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::invalid(key, value, "a non-empty string"));
    }
    Ok(value.to_string())
}

fn millis(key: &str, value: &str, min: u64) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms >= min && ms <= 3_600_000 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::invalid(
            key,
            value,
            &format!("milliseconds between {min} and 3600000"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_are_listed_for_error_messages() {
        assert!(option_names().contains("claim_wait_ms"));
        assert!(option_names().contains("topic_prefix"));
    }

    #[test]
    fn other_keys_pass_through_and_override() {
        let mut s = Settings::defaults();
        s.set("bootstrap.servers", "a:1").unwrap();
        s.set("acks", "all").unwrap();
        assert_eq!(
            s.kafka,
            vec![
                ("bootstrap.servers".into(), "a:1".into()),
                ("acks".into(), "all".into())
            ]
        );
    }

    #[test]
    fn group_id_is_the_site_and_each_queue_gets_its_own_group() {
        let mut s = Settings::defaults();
        s.set("group.id", "site1").unwrap();
        assert!(s.kafka.iter().all(|(k, _)| k != "group.id"));
        assert_eq!(s.group_for("foo"), "site1.foo");
        assert!(s.set("group.id", "").is_err());
    }

    #[test]
    fn modes_and_durations_are_validated() {
        let mut s = Settings::defaults();
        s.set("delivery", "fast").unwrap();
        assert_eq!(s.delivery, Mode::Fast);
        let err = s.set("commit", "sometimes").unwrap_err();
        assert!(err.0.contains("\"commit\""));
        s.set("claim_wait_ms", "0").unwrap();
        assert_eq!(s.claim_wait, Duration::ZERO);
        assert_eq!(s.idle_leave, Some(DEFAULT_IDLE_LEAVE));
        assert_eq!(s.join_wait, DEFAULT_JOIN_WAIT);
        s.set("join_wait_ms", "0").unwrap();
        assert_eq!(s.join_wait, Duration::ZERO);
        assert!(s.set("join_wait_ms", "soon").is_err());
        s.set("idle_leave_ms", "250").unwrap();
        assert_eq!(s.idle_leave, Some(Duration::from_millis(250)));
        s.set("idle_leave_ms", "0").unwrap();
        assert_eq!(s.idle_leave, None, "0: only at the end of the request");
        assert!(s.set("idle_leave_ms", "-1").is_err());
        assert!(s.set("timeout_ms", "0").is_err());
        assert!(s.set("timeout_ms", "-5").is_err());
        assert!(s.set("timeout_ms", "abc").is_err());
        let err = s.set("client.id", "a\0b").unwrap_err();
        assert!(err.0.contains("\"client.id\""), "{}", err.0);
    }
}
