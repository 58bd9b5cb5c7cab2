//! The queue's errors: what the caller did wrong, or what Kafka did, with the operation it
//! happened in and what to do about it. [`ErrorCode`] is what PHP code sees as the exception
//! code, so that it can tell "not authorized" from "unreachable" from "topic missing".

use crate::kafka::{self, Resource};

/// The kind of failure, stable across releases: PHP's `KafkaQueueException::getCode()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorCode {
    /// A configuration key or value is wrong.
    Configuration = 1,
    /// No broker could be reached.
    Unreachable = 2,
    /// SASL authentication failed.
    Authentication = 3,
    /// The TLS handshake or the certificate check failed.
    Tls = 4,
    /// An ACL is missing; the message names the resource.
    NotAuthorized = 5,
    /// The queue's topic does not exist.
    TopicMissing = 6,
    /// No answer within timeout_ms.
    TimedOut = 7,
    /// This worker lost its group membership.
    NotAMember = 8,
    /// The broker refused a record (too large, invalid).
    Refused = 9,
    /// A createItem whose outcome is unknown: the item may have been written.
    OutcomeUnknown = 10,
    /// Impossible while other workers of the queue are live members of its group.
    QueueBusy = 11,
    /// Any other broker failure.
    Failed = 12,
}

impl ErrorCode {
    /// Every code with its PHP constant name, for the binding.
    pub const ALL: [(ErrorCode, &'static str); 12] = [
        (ErrorCode::Configuration, "CONFIGURATION"),
        (ErrorCode::Unreachable, "UNREACHABLE"),
        (ErrorCode::Authentication, "AUTHENTICATION"),
        (ErrorCode::Tls, "TLS"),
        (ErrorCode::NotAuthorized, "NOT_AUTHORIZED"),
        (ErrorCode::TopicMissing, "TOPIC_MISSING"),
        (ErrorCode::TimedOut, "TIMED_OUT"),
        (ErrorCode::NotAMember, "NOT_A_MEMBER"),
        (ErrorCode::Refused, "REFUSED"),
        (ErrorCode::OutcomeUnknown, "OUTCOME_UNKNOWN"),
        (ErrorCode::QueueBusy, "QUEUE_BUSY"),
        (ErrorCode::Failed, "FAILED"),
    ];

    /// Whether the same call may succeed later without anyone changing anything.
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::Unreachable
                | ErrorCode::TimedOut
                | ErrorCode::NotAMember
                | ErrorCode::OutcomeUnknown
                | ErrorCode::QueueBusy
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Bad input from the caller: a negative delay, data that cannot be queued.
    #[error("{0}")]
    InvalidArgument(String),
    /// A bad configuration key or value.
    #[error("{0}")]
    Config(String),
    /// Kafka failed, timed out or refused while doing `during`.
    #[error("{during}: {error}; {}", advice(.error))]
    Kafka { during: String, error: kafka::Error },
    /// Impossible while the queue's group has live members; the message names them.
    #[error("{0}")]
    Busy(String),
}

pub type Result<T, E = QueueError> = std::result::Result<T, E>;

impl QueueError {
    pub fn kafka(during: impl Into<String>, error: kafka::Error) -> Self {
        QueueError::Kafka {
            during: during.into(),
            error,
        }
    }

    pub fn code(&self) -> ErrorCode {
        use kafka::Error as K;
        match self {
            QueueError::InvalidArgument(_) | QueueError::Config(_) => ErrorCode::Configuration,
            QueueError::Busy(_) => ErrorCode::QueueBusy,
            QueueError::Kafka { error, .. } => match error {
                K::Config(_) => ErrorCode::Configuration,
                K::Unreachable(_) => ErrorCode::Unreachable,
                K::Authentication(_) => ErrorCode::Authentication,
                K::Tls(_) => ErrorCode::Tls,
                K::NotAuthorized { .. } => ErrorCode::NotAuthorized,
                K::TopicMissing(_) => ErrorCode::TopicMissing,
                K::NotAMember(_) => ErrorCode::NotAMember,
                K::GroupBusy(_) => ErrorCode::QueueBusy,
                K::TimedOut => ErrorCode::TimedOut,
                K::Refused(_) => ErrorCode::Refused,
                K::OutcomeUnknown(_) => ErrorCode::OutcomeUnknown,
                K::Other { .. } => ErrorCode::Failed,
            },
        }
    }
}

/// What an operator or a caller can do about `error`.
fn advice(error: &kafka::Error) -> String {
    use kafka::Error as K;
    match error {
        K::Config(_) => "fix the configuration".into(),
        K::Unreachable(_) => "check bootstrap.servers and that the brokers are up, and that \
                              security.protocol matches the brokers' listener (SSL or SASL_SSL \
                              for a TLS port)"
            .into(),
        K::Authentication(_) => {
            "check sasl.mechanisms, sasl.username and sasl.password (or the OAUTHBEARER \
             settings) against the user the brokers know"
                .into()
        }
        K::Tls(_) => "check ssl.ca.location (the CA that signed the brokers' certificates), the \
                      client certificate if the brokers require one, and that the listener \
                      speaks TLS"
            .into(),
        K::NotAuthorized { resource, .. } => match resource {
            Resource::Topic(t) => format!(
                "grant this principal the ACLs on topic \"{t}\" that the README's \"Secured \
                 clusters\" section lists for its role (Describe and Write to enqueue, Describe \
                 and Read to work)"
            ),
            Resource::Group(g) => format!(
                "grant this principal Read (and Describe) on group \"{g}\" (the README's \
                 \"Secured clusters\" section lists the ACLs per role)"
            ),
            Resource::Cluster | Resource::Unknown => {
                "grant this principal the ACLs the README's \"Secured clusters\" section lists \
                 for its role"
                    .into()
            }
        },
        K::TopicMissing(_) => "topics are created at deploy time only: provision it \
                               (KafkaQueueAdmin::provision(), php/provision.php, or the Drupal \
                               module's drush kafka-queue:provision)"
            .into(),
        K::NotAMember(_) => "the group dropped this worker; claim again to rejoin".into(),
        K::GroupBusy(_) => "stop the queue's workers and try again".into(),
        K::TimedOut => "the brokers did not answer within timeout_ms; try again".into(),
        K::Refused(_) => "nothing was written; an item larger than the broker accepts needs a \
                          larger message.max.bytes on the topic, or smaller data"
            .into(),
        K::OutcomeUnknown(_) => {
            "it may have been written: check for the item id before creating it again".into()
        }
        K::Other { .. } => "see the brokers' logs; try again".into(),
    }
}

impl From<super::config::ConfigError> for QueueError {
    fn from(e: super::config::ConfigError) -> Self {
        QueueError::Config(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::error::RDKafkaErrorCode;

    #[test]
    fn each_kafka_error_has_its_code_and_advice() {
        let e = QueueError::kafka(
            "cannot claim from queue \"q\"",
            kafka::Error::NotAuthorized {
                resource: Resource::Group("site.q".into()),
                code: RDKafkaErrorCode::GroupAuthorizationFailed,
            },
        );
        assert_eq!(e.code(), ErrorCode::NotAuthorized);
        assert!(!e.code().is_retriable());
        let text = e.to_string();
        assert!(text.starts_with("cannot claim from queue \"q\": not authorized on group"));
        assert!(text.contains("grant this principal Read"));
        let e = QueueError::kafka("x", kafka::Error::TimedOut);
        assert_eq!(e.code(), ErrorCode::TimedOut);
        assert!(e.code().is_retriable());
    }

    #[test]
    fn codes_are_distinct_and_listed_once() {
        let mut values: Vec<i32> = ErrorCode::ALL.iter().map(|(c, _)| *c as i32).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values, (1..=12).collect::<Vec<_>>());
    }
}
