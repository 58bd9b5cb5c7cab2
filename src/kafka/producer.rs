//! The producer: one per process and configuration, kept across PHP requests.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use parking_lot::Mutex;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{
    BaseProducer, BaseRecord, DeliveryResult, Producer as _, ProducerContext, PurgeConfig,
};
use rdkafka::ClientContext;

use super::{client_config, millis};
use crate::queue::config::{Mode, Settings};

/// A record that Kafka did not accept, with what librdkafka said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    pub topic: String,
    /// The record value, so that the caller can say which item it was.
    pub value: Vec<u8>,
    pub error: String,
}

#[derive(Default)]
pub struct Deliveries {
    undelivered: Mutex<Vec<Undelivered>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((error, message)) = result {
            self.undelivered.lock().push(Undelivered {
                topic: message.topic().to_string(),
                value: message.payload().unwrap_or_default().to_vec(),
                error: error.to_string(),
            });
        }
    }
}

pub struct Producer {
    inner: BaseProducer<Deliveries>,
    timeout: Duration,
}

impl Producer {
    pub fn new(settings: &Settings) -> Result<Self> {
        // Idempotence gives acks=all and no duplicates from retries; message.timeout.ms bounds
        // how long an item may wait for the brokers before it is reported as undelivered.
        let timeout_ms = millis(settings.timeout);
        let linger_ms = match settings.delivery {
            Mode::Strict => "0",
            Mode::Fast => "5",
        };
        let config = client_config(
            settings,
            &[
                ("message.timeout.ms", &timeout_ms),
                ("linger.ms", linger_ms),
                ("enable.idempotence", "true"),
            ],
        );
        let inner = config
            .create_with_context(Deliveries::default())
            .map_err(|e| anyhow!("cannot create the Kafka producer: {e}"))?;
        Ok(Producer {
            inner,
            timeout: settings.timeout,
        })
    }

    /// Hands one record to librdkafka, waiting (bounded) while its local queue is full.
    pub fn send(
        &self,
        topic: &str,
        partition: Option<i32>,
        timestamp_ms: Option<i64>,
        value: &[u8],
    ) -> Result<()> {
        let deadline = Instant::now() + self.timeout;
        let mut record = BaseRecord::<(), [u8]>::to(topic).payload(value);
        if let Some(p) = partition {
            record = record.partition(p);
        }
        if let Some(ts) = timestamp_ms {
            record = record.timestamp(ts);
        }
        loop {
            match self.inner.send(record) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back))
                    if Instant::now() < deadline =>
                {
                    record = back;
                    self.inner.poll(Duration::from_millis(5));
                }
                Err((error, _)) => {
                    return Err(anyhow!("cannot queue the record for topic \"{topic}\": {error}"))
                }
            }
        }
    }

    /// Serves delivery reports without waiting.
    pub fn serve(&self) {
        self.inner.poll(Duration::ZERO);
    }

    /// Waits, at most the configured timeout, until every record handed over is acknowledged
    /// or failed. Returns the records still in flight when the time ran out.
    pub fn flush(&self) -> usize {
        match self.inner.flush(self.timeout) {
            Ok(()) => 0,
            Err(_) => self.inner.in_flight_count().max(0) as usize,
        }
    }

    /// The records that failed since the last call.
    pub fn take_undelivered(&self) -> Vec<Undelivered> {
        std::mem::take(&mut *self.inner.context().undelivered.lock())
    }

    /// Gives up on everything still queued: each such record is then reported as undelivered.
    pub fn purge(&self) {
        self.inner
            .purge(PurgeConfig::default().queue().inflight().non_blocking());
        self.inner.poll(Duration::from_millis(100));
    }
}
