//! What went wrong with Kafka, typed: the kind of failure decides what a caller can do about it,
//! so it is decided once, here, from librdkafka's error codes and never from message text.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

/// A Kafka resource an ACL can grant access to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    Topic(String),
    Group(String),
    Cluster,
    /// librdkafka did not say which (an error reported outside any request of ours).
    Unknown,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::Topic(t) => write!(f, "topic \"{t}\""),
            Resource::Group(g) => write!(f, "group \"{g}\""),
            Resource::Cluster => f.write_str("the cluster"),
            Resource::Unknown => f.write_str("a resource"),
        }
    }
}

/// A failure of the Kafka client or of the brokers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A librdkafka property or value that librdkafka refuses.
    #[error("{0}")]
    Config(String),
    /// No broker could be reached (refused, unresolvable, disconnected at once).
    #[error("no Kafka broker could be reached: {0}")]
    Unreachable(String),
    /// SASL authentication failed.
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The TLS handshake or the certificate check failed.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The principal lacks an ACL on `resource`.
    #[error("not authorized on {resource} ({code:?})")]
    NotAuthorized {
        resource: Resource,
        code: RDKafkaErrorCode,
    },
    #[error("topic \"{0}\" does not exist in Kafka")]
    TopicMissing(String),
    /// The group no longer counts this client as a member (session expired, fenced).
    #[error("the group no longer counts this worker as a member ({0:?})")]
    NotAMember(RDKafkaErrorCode),
    /// The group has live members, so it refuses a commit from outside it.
    #[error("the group has live members ({0:?})")]
    GroupBusy(RDKafkaErrorCode),
    /// No answer within timeout_ms.
    #[error("no answer from Kafka within timeout_ms")]
    TimedOut,
    /// A record the broker refused; nothing was written.
    #[error("the broker refused the record ({0:?}: {0})")]
    Refused(RDKafkaErrorCode),
    /// A record whose acknowledgement never came: it may or may not be in Kafka.
    #[error("no acknowledgement came; the record may have been written: {0}")]
    OutcomeUnknown(String),
    /// Any other error, with librdkafka's code.
    #[error("{code:?}: {detail}")]
    Other {
        code: RDKafkaErrorCode,
        detail: String,
    },
}

/// Who an error is about, when librdkafka's code alone does not say.
#[derive(Clone, Copy, Default)]
pub struct About<'a> {
    pub topic: Option<&'a str>,
    pub group: Option<&'a str>,
}

impl<'a> About<'a> {
    pub fn topic(topic: &'a str) -> Self {
        About {
            topic: Some(topic),
            group: None,
        }
    }

    pub fn group(group: &'a str) -> Self {
        About {
            topic: None,
            group: Some(group),
        }
    }
}

impl Error {
    /// The error for librdkafka's `code`; `detail` is librdkafka's own text.
    pub fn from_code(code: RDKafkaErrorCode, detail: &str, about: About<'_>) -> Self {
        use RDKafkaErrorCode::*;
        let detail = if detail.is_empty() {
            code.to_string()
        } else {
            detail.to_string()
        };
        match code {
            TopicAuthorizationFailed => Error::NotAuthorized {
                resource: about
                    .topic
                    .map_or(Resource::Unknown, |t| Resource::Topic(t.into())),
                code,
            },
            GroupAuthorizationFailed => Error::NotAuthorized {
                resource: about
                    .group
                    .map_or(Resource::Unknown, |g| Resource::Group(g.into())),
                code,
            },
            ClusterAuthorizationFailed => Error::NotAuthorized {
                resource: Resource::Cluster,
                code,
            },
            Authentication
            | SaslAuthenticationFailed
            | UnsupportedSASLMechanism
            | IllegalSASLState => Error::Authentication(detail),
            SSL => Error::Tls(detail),
            BrokerTransportFailure | AllBrokersDown | Resolve | NetworkException => {
                Error::Unreachable(detail)
            }
            UnknownTopicOrPartition | UnknownTopic | UnknownTopicId => {
                Error::TopicMissing(about.topic.unwrap_or("(unknown)").into())
            }
            UnknownMemberId | IllegalGeneration | FencedMemberEpoch | StaleMemberEpoch
            | FencedInstanceId | AssignmentLost | RebalanceInProgress => Error::NotAMember(code),
            MessageSizeTooLarge | InvalidMessageSize | InvalidRecord | InvalidMessage
            | PolicyViolation | InvalidTimestamp => Error::Refused(code),
            OperationTimedOut | RequestTimedOut | TimedOutQueue | MessageTimedOut => {
                Error::TimedOut
            }
            NonEmptyGroup => Error::GroupBusy(code),
            InvalidArgument | InvalidType | Conflict | UnknownPartition => Error::Config(detail),
            _ => Error::Other { code, detail },
        }
    }

    /// The error for one of rust-rdkafka's errors.
    pub fn from_rdkafka(error: &KafkaError, about: About<'_>) -> Self {
        match error.rdkafka_error_code() {
            Some(code) => Error::from_code(code, &error.to_string(), about),
            None => Error::Other {
                code: RDKafkaErrorCode::Fail,
                detail: error.to_string(),
            },
        }
    }

    /// Whether the principal or its connection is refused: trying again cannot help until an
    /// operator changes credentials, certificates or ACLs.
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self,
            Error::Authentication(_) | Error::Tls(_) | Error::NotAuthorized { .. }
        )
    }
}

/// How long every broker must have been unreachable, for a client that has had no answer
/// yet, before a call gives up early: long enough for a broker that is restarting or a first
/// connection on a loaded machine, short of the whole timeout.
const UNREACHABLE_GRACE: Duration = Duration::from_millis(500);

/// What librdkafka reported about a client's connections through its error callback, which
/// names authentication and TLS failures within milliseconds, long before a request times out.
/// Until a client has had one answer from the brokers, blocking calls wait in short slices and
/// give up as soon as this says the brokers cannot be used.
#[derive(Default)]
pub struct Health {
    /// The failure and since when it has been going on.
    failure: Mutex<Option<(Error, Instant)>>,
    /// librdkafka's last connection-failure log line: it names causes, such as a plaintext
    /// client on a TLS listener, that reach the error callback only as "all brokers down".
    last_connection_failure: Mutex<Option<String>>,
    answered: AtomicBool,
}

impl Health {
    /// Records an error from librdkafka's error callback.
    pub fn note(&self, error: &KafkaError, reason: &str) {
        let Some(code) = error.rdkafka_error_code() else {
            return;
        };
        // "All brokers are down" says less than the transport error before it.
        let specific = code != RDKafkaErrorCode::AllBrokersDown;
        self.record(Error::from_code(code, reason, About::default()), specific);
    }

    /// Records librdkafka's words about a failed connection, for the message only: what kind
    /// of failure it is comes from error codes.
    pub fn note_connection_failure(&self, line: &str) {
        *self.last_connection_failure.lock() = Some(line.to_string());
    }

    /// Records a failure; an unreachable broker keeps the time it was first seen, and its
    /// detail is replaced only by a `specific` one.
    fn record(&self, error: Error, specific: bool) {
        let mut failure = self.failure.lock();
        match (&error, failure.as_mut()) {
            (Error::Authentication(_) | Error::Tls(_), _) => {
                *failure = Some((error, Instant::now()))
            }
            (Error::Unreachable(_), None) => *failure = Some((error, Instant::now())),
            (Error::Unreachable(_), Some((known @ Error::Unreachable(_), _))) if specific => {
                *known = error
            }
            _ => {}
        }
    }

    /// The brokers answered a request: connection problems reported before are over.
    pub fn answered(&self) {
        self.answered.store(true, Ordering::Relaxed);
        self.failure.lock().take();
    }

    /// Whether the brokers have answered this client at least once.
    pub fn has_answered(&self) -> bool {
        self.answered.load(Ordering::Relaxed)
    }

    /// Why this client, which has had no answer yet, cannot use the brokers, if that is
    /// known: an authentication or TLS failure at once, unreachable brokers once they have
    /// been so for [`UNREACHABLE_GRACE`].
    pub fn failure(&self) -> Option<Error> {
        if self.has_answered() {
            return None;
        }
        match &*self.failure.lock() {
            Some((Error::Unreachable(detail), since)) if since.elapsed() >= UNREACHABLE_GRACE => {
                let logged = self.last_connection_failure.lock().clone();
                Some(Error::Unreachable(logged.unwrap_or_else(|| detail.clone())))
            }
            Some((e @ (Error::Authentication(_) | Error::Tls(_)), _)) => Some(e.clone()),
            _ => None,
        }
    }
}

/// Runs a blocking librdkafka call that takes a timeout, within `timeout` in all. Before the
/// brokers have answered this client, the call runs in short slices so that an authentication,
/// TLS or connection failure that librdkafka reports meanwhile ends the wait early; `pump`
/// serves the client's events, through which librdkafka reports them.
pub fn within<T>(
    health: &Health,
    timeout: Duration,
    mut pump: impl FnMut(),
    mut call: impl FnMut(Duration) -> Result<T, Error>,
) -> Result<T, Error> {
    let deadline = Instant::now() + timeout;
    let mut slice = Duration::from_millis(50);
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let wait = if health.has_answered() {
            remaining
        } else {
            slice.min(remaining)
        };
        match call(wait) {
            Ok(value) => {
                health.answered();
                return Ok(value);
            }
            Err(e @ (Error::TimedOut | Error::Unreachable(_))) => {
                pump();
                if let Some(failure) = health.failure() {
                    return Err(failure);
                }
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(e);
                }
                if matches!(e, Error::Unreachable(_)) {
                    // The call gave up at once: wait for librdkafka's reconnection. The error
                    // callback may name the cause better; until then this is the cause.
                    health.record(e, false);
                    std::thread::sleep(slice.min(remaining));
                }
                // Slices grow, so that a slow but healthy cluster is not asked over and over,
                // and stay short enough to notice a failure soon after it is known.
                slice = (slice * 2).min(Duration::from_millis(200));
            }
            Err(other) => return Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds_with_their_resource() {
        let e = Error::from_code(
            RDKafkaErrorCode::TopicAuthorizationFailed,
            "",
            About::topic("t"),
        );
        assert_eq!(
            e,
            Error::NotAuthorized {
                resource: Resource::Topic("t".into()),
                code: RDKafkaErrorCode::TopicAuthorizationFailed
            }
        );
        assert!(e.is_access_denied());
        let e = Error::from_code(
            RDKafkaErrorCode::GroupAuthorizationFailed,
            "",
            About::group("g"),
        );
        assert_eq!(
            e.to_string(),
            "not authorized on group \"g\" (GroupAuthorizationFailed)"
        );
        assert!(matches!(
            Error::from_code(RDKafkaErrorCode::SSL, "handshake", About::default()),
            Error::Tls(_)
        ));
        assert!(matches!(
            Error::from_code(
                RDKafkaErrorCode::UnknownTopicOrPartition,
                "",
                About::topic("t")
            ),
            Error::TopicMissing(t) if t == "t"
        ));
        assert!(!Error::TimedOut.is_access_denied());
    }

    /// `within` around a call that never gets an answer.
    fn silent_brokers(health: &Health, timeout: Duration) -> Result<(), Error> {
        within(
            health,
            timeout,
            || {},
            |wait| {
                std::thread::sleep(wait);
                Err(Error::TimedOut)
            },
        )
    }

    #[test]
    fn within_gives_up_on_a_reported_failure_before_the_timeout() {
        let health = Health::default();
        health.note(
            &KafkaError::Global(RDKafkaErrorCode::Authentication),
            "SASL authentication error: invalid credentials",
        );
        let started = Instant::now();
        let result: Result<(), Error> = silent_brokers(&health, Duration::from_secs(5));
        assert!(matches!(result, Err(Error::Authentication(m)) if m.contains("invalid")));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn within_forgets_old_failures_once_the_brokers_answer() {
        let health = Health::default();
        health.note(
            &KafkaError::Global(RDKafkaErrorCode::AllBrokersDown),
            "down",
        );
        assert_eq!(
            within(&health, Duration::from_secs(1), || {}, |_| Ok(7)),
            Ok(7)
        );
        assert_eq!(health.failure(), None);
        let result: Result<(), Error> = silent_brokers(&health, Duration::from_millis(30));
        assert_eq!(result, Err(Error::TimedOut));
    }

    #[test]
    fn unreachable_brokers_end_the_wait_after_the_grace_with_the_transport_error() {
        let health = Health::default();
        health.note(
            &KafkaError::Global(RDKafkaErrorCode::BrokerTransportFailure),
            "Disconnected while requesting ApiVersion",
        );
        health.note(
            &KafkaError::Global(RDKafkaErrorCode::AllBrokersDown),
            "1/1 brokers are down",
        );
        assert_eq!(health.failure(), None, "not before the grace");
        let started = Instant::now();
        let result: Result<(), Error> = silent_brokers(&health, Duration::from_secs(5));
        let elapsed = started.elapsed();
        assert!(matches!(result, Err(Error::Unreachable(m)) if m.contains("ApiVersion")));
        assert!(elapsed >= UNREACHABLE_GRACE && elapsed < Duration::from_secs(3));
    }
}
