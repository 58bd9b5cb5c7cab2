//! The Kafka clients of this process, kept across PHP requests where that is safe.
//!
//! Producers and inspectors (no group membership) live as long as the process, which saves
//! every request the connection and metadata round trips. Group consumers live for one request
//! only: a worker that stays in its group between requests would hold partitions while it
//! serves web pages. Every entry is [`ProcessBound`]: after a fork, the child drops nothing it
//! inherited and creates its own clients on first use.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use parking_lot::Mutex;

use super::config::{Mode, Settings};
use super::envelope;
use super::report;
use super::worker::Worker;
use crate::kafka::admin::Inspector;
use crate::kafka::fork::ProcessBound;
use crate::kafka::producer::{Producer, Undelivered};

/// What makes two producers interchangeable.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ProducerKey {
    kafka: Vec<(String, String)>,
    delivery: Mode,
    timeout: Duration,
}

/// What makes two group clients interchangeable.
#[derive(Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    kafka: Vec<(String, String)>,
    group: String,
    topic: String,
}

type Entries<K, V> = Mutex<Option<HashMap<K, Arc<ProcessBound<V>>>>>;

static PRODUCERS: Entries<ProducerKey, Producer> = Mutex::new(None);
static INSPECTORS: Entries<GroupKey, Inspector> = Mutex::new(None);
static WORKERS: Entries<GroupKey, Worker> = Mutex::new(None);

/// The entry for `key`, created by `make` when missing or inherited from a parent process.
fn get_or_create<K: Eq + std::hash::Hash, V>(
    entries: &Entries<K, V>,
    key: K,
    make: impl FnOnce() -> Result<V>,
) -> Result<Arc<ProcessBound<V>>> {
    let mut guard = entries.lock();
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(entry) = map.get(&key) {
        if entry.is_current() {
            return Ok(Arc::clone(entry));
        }
    }
    let entry = Arc::new(ProcessBound::new(make()?));
    map.insert(key, Arc::clone(&entry));
    Ok(entry)
}

fn group_key(settings: &Settings, topic: &str) -> GroupKey {
    GroupKey {
        kafka: settings.kafka.clone(),
        group: settings.group_for(topic),
        topic: topic.to_string(),
    }
}

pub fn producer(settings: &Settings) -> Result<Arc<ProcessBound<Producer>>> {
    let key = ProducerKey {
        kafka: settings.kafka.clone(),
        delivery: settings.delivery,
        timeout: settings.timeout,
    };
    get_or_create(&PRODUCERS, key, || Producer::new(settings))
}

pub fn inspector(settings: &Settings, topic: &str) -> Result<Arc<ProcessBound<Inspector>>> {
    get_or_create(&INSPECTORS, group_key(settings, topic), || {
        Inspector::new(settings, &settings.group_for(topic))
    })
}

pub fn worker(settings: &Settings, topic: &str) -> Result<Arc<ProcessBound<Worker>>> {
    let inspector = inspector(settings, topic)?;
    get_or_create(&WORKERS, group_key(settings, topic), || {
        Worker::new(settings, topic, inspector)
    })
}

/// This process's worker for the queue, if it has one.
pub fn existing_worker(settings: &Settings, topic: &str) -> Option<Arc<ProcessBound<Worker>>> {
    let guard = WORKERS.lock();
    let entry = guard.as_ref()?.get(&group_key(settings, topic))?;
    entry.is_current().then(|| Arc::clone(entry))
}

/// Closes this process's worker for the queue: commits its deleted lists and leaves the group.
pub fn close_worker(settings: &Settings, topic: &str) {
    let entry = WORKERS
        .lock()
        .as_mut()
        .and_then(|map| map.remove(&group_key(settings, topic)));
    if let Some(worker) = entry
        .and_then(Arc::into_inner)
        .and_then(ProcessBound::into_inner)
    {
        worker.close();
    }
}

/// Reports every record the producer gave up on.
pub fn report_undelivered(undelivered: Vec<Undelivered>) {
    for u in undelivered {
        let id = envelope::decode(&u.value)
            .map(|e| e.item_id.to_string())
            .unwrap_or_else(|_| "(unknown)".into());
        report::warn(&format!(
            "kafka_queue: item {id} of topic \"{}\" was NOT delivered to Kafka: {}",
            u.topic, u.error
        ));
    }
}

/// Flushes every producer and reports what could not be delivered; with `give_up`, what is
/// still in flight after the timeout is purged, and so reported too.
fn flush_producers(give_up: bool) {
    let producers: Vec<_> = PRODUCERS
        .lock()
        .as_ref()
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    for entry in producers {
        let Some(producer) = entry.get() else {
            continue;
        };
        let in_flight = producer.flush();
        if in_flight > 0 {
            if give_up {
                producer.purge();
            } else {
                report::warn(&format!(
                    "kafka_queue: {in_flight} items are not yet acknowledged by Kafka at the end \
                     of the request; this process keeps trying and reports any it gives up on"
                ));
            }
        }
        report_undelivered(producer.take_undelivered());
    }
}

/// The end of a PHP request: every created item is flushed, every worker commits and leaves.
pub fn end_request() {
    flush_producers(false);
    let workers: Vec<_> = WORKERS
        .lock()
        .as_mut()
        .map(|m| m.drain().map(|(_, w)| w).collect())
        .unwrap_or_default();
    for entry in workers {
        if let Some(worker) = Arc::into_inner(entry).and_then(ProcessBound::into_inner) {
            worker.close();
        }
    }
}

/// The end of the process: as a request's end, then producers give up on what is left, which
/// is reported item by item.
pub fn end_process() {
    end_request();
    flush_producers(true);
    PRODUCERS.lock().take();
    INSPECTORS.lock().take();
}
