//! The Kafka clients of this process, kept across PHP requests where that is safe.
//!
//! Producers and inspectors (no group membership) live as long as the process, which saves
//! every request the connection and metadata round trips. Group consumers live for one request
//! only: a worker that stays in its group between requests would hold partitions while it
//! serves web pages. Within a request too, a worker that holds no claims and has not been used
//! for the idle time (`idle_leave_ms`) leaves the group: a background thread, alive only while
//! the process has workers, closes it, and the next claim joins again. Every entry is
//! [`ProcessBound`]: after a fork, the child drops nothing it inherited and creates its own
//! clients on first use.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::config::{Mode, Settings};
use super::envelope;
use super::error::{QueueError, Result};
use super::report;
use super::worker::Worker;
use crate::kafka::admin::Inspector;
use crate::kafka::producer::{Producer, Undelivered};
use crate::process::fork::{current_pid, ProcessBound};

/// What makes two producers interchangeable.
#[derive(Clone, PartialEq, Eq)]
struct ProducerKey {
    digest: u64,
    kafka: Vec<(String, String)>,
    delivery: Mode,
    timeout: Duration,
}

/// What makes two inspectors interchangeable: they join no group, so every queue with the same
/// connection settings shares one.
#[derive(Clone, PartialEq, Eq)]
struct InspectorKey {
    digest: u64,
    kafka: Vec<(String, String)>,
    timeout: Duration,
}

/// What makes two group clients interchangeable.
#[derive(Clone, PartialEq, Eq)]
struct GroupKey {
    digest: u64,
    kafka: Vec<(String, String)>,
    group: String,
    topic: String,
}

// Lookups hash only the digest computed once per queue object; equality still compares all.
impl Hash for ProducerKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.digest);
    }
}

impl Hash for InspectorKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.digest);
    }
}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.digest);
    }
}

fn digest(parts: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

type Entries<K, V> = Mutex<Option<HashMap<K, Arc<ProcessBound<V>>>>>;

static PRODUCERS: Entries<ProducerKey, Producer> = Mutex::new(None);
static INSPECTORS: Entries<InspectorKey, Inspector> = Mutex::new(None);
static WORKERS: Entries<GroupKey, Worker> = Mutex::new(None);

/// The entry for `key`, created by `make` when missing or inherited from a parent process.
fn get_or_create<K: Eq + Hash + Clone, V>(
    entries: &Entries<K, V>,
    key: &K,
    make: impl FnOnce() -> Result<V>,
) -> Result<Arc<ProcessBound<V>>> {
    let mut guard = entries.lock();
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(entry) = map.get(key) {
        if entry.is_current() {
            return Ok(Arc::clone(entry));
        }
    }
    let entry = Arc::new(ProcessBound::new(make()?));
    map.insert(key.clone(), Arc::clone(&entry));
    Ok(entry)
}

/// The registry keys of one queue's clients, computed once per queue object so that the hot
/// paths only hash them.
pub struct ClientKeys {
    producer: ProducerKey,
    inspector: InspectorKey,
    group: GroupKey,
}

impl ClientKeys {
    pub fn new(settings: &Settings, topic: &str) -> Self {
        ClientKeys {
            producer: ProducerKey {
                digest: digest((&settings.kafka, settings.delivery, settings.timeout)),
                kafka: settings.kafka.clone(),
                delivery: settings.delivery,
                timeout: settings.timeout,
            },
            inspector: InspectorKey {
                digest: digest((&settings.kafka, settings.timeout)),
                kafka: settings.kafka.clone(),
                timeout: settings.timeout,
            },
            group: GroupKey {
                digest: digest((&settings.kafka, settings.group_for(topic), topic)),
                kafka: settings.kafka.clone(),
                group: settings.group_for(topic),
                topic: topic.to_string(),
            },
        }
    }
}

pub fn producer(keys: &ClientKeys, settings: &Settings) -> Result<Arc<ProcessBound<Producer>>> {
    get_or_create(&PRODUCERS, &keys.producer, || {
        Producer::new(&settings.client(), settings.delivery == Mode::Fast)
            .map_err(|e| QueueError::kafka("cannot create the producer", e))
    })
}

pub fn inspector(keys: &ClientKeys, settings: &Settings) -> Result<Arc<ProcessBound<Inspector>>> {
    get_or_create(&INSPECTORS, &keys.inspector, || {
        Inspector::new(&settings.client())
            .map_err(|e| QueueError::kafka("cannot create the inspecting client", e))
    })
}

/// How often the idle check looks at the workers.
const IDLE_CHECK: Duration = Duration::from_millis(100);

/// The process whose idle-check thread is running, if any.
static IDLE_CHECKER: Mutex<Option<u32>> = Mutex::new(None);

/// Starts the idle check of this process's workers unless it runs.
fn watch_idle_workers() {
    let mut running = IDLE_CHECKER.lock();
    let pid = current_pid();
    if *running == Some(pid) {
        return;
    }
    let started = thread::Builder::new()
        .name("kafka_queue idle".into())
        .spawn(leave_when_idle);
    // Without the thread, workers keep their partitions until the end of the request.
    *running = started.is_ok().then_some(pid);
}

/// Closes every worker that nobody is using and that is idle; ends when the process has no
/// workers left. Its reports wait for PHP's thread.
fn leave_when_idle() {
    report::on_background_thread();
    loop {
        thread::sleep(IDLE_CHECK);
        let now = Instant::now();
        let idle: Vec<Worker> = {
            let mut guard = WORKERS.lock();
            let Some(map) = guard.as_mut() else {
                *IDLE_CHECKER.lock() = None;
                return;
            };
            // Only the registry holds an entry that no call is using (calls hold a clone).
            let keys: Vec<GroupKey> = map
                .iter()
                .filter(|(_, e)| Arc::strong_count(e) == 1 && e.get().is_some_and(|w| w.idle(now)))
                .map(|(k, _)| k.clone())
                .collect();
            let idle: Vec<Worker> = keys
                .iter()
                .filter_map(|k| map.remove(k))
                .filter_map(Arc::into_inner)
                .filter_map(ProcessBound::into_inner)
                .collect();
            if !map.values().any(|e| e.is_current()) {
                // Decided under the registry's lock: a worker created after this starts a new
                // check.
                *IDLE_CHECKER.lock() = None;
                drop(guard);
                idle.into_iter().for_each(Worker::close);
                return;
            }
            idle
        };
        idle.into_iter().for_each(Worker::close);
    }
}

pub fn worker(keys: &ClientKeys, settings: &Settings) -> Result<Arc<ProcessBound<Worker>>> {
    report::flush_deferred();
    let make = || {
        let worker = Worker::new(settings, &keys.group.topic, inspector(keys, settings)?)?;
        if settings.idle_leave.is_some() {
            watch_idle_workers();
        }
        Ok(worker)
    };
    let entry = get_or_create(&WORKERS, &keys.group, make)?;
    if !entry.get().is_some_and(Worker::membership_lost) {
        return Ok(entry);
    }
    // The group dropped this worker: it leaves, and a new member takes its place.
    drop(entry);
    close_worker(keys);
    get_or_create(&WORKERS, &keys.group, make)
}

/// The entry of this process for `key`, if there is one; never creates it.
fn existing<K: Eq + Hash, V>(entries: &Entries<K, V>, key: &K) -> Option<Arc<ProcessBound<V>>> {
    let guard = entries.lock();
    let entry = guard.as_ref()?.get(key)?;
    entry.is_current().then(|| Arc::clone(entry))
}

/// This process's worker for the queue, if it has one.
pub fn existing_worker(keys: &ClientKeys) -> Option<Arc<ProcessBound<Worker>>> {
    existing(&WORKERS, &keys.group)
}

/// This process's producer for the queue's settings, if it made one.
pub fn existing_producer(keys: &ClientKeys) -> Option<Arc<ProcessBound<Producer>>> {
    existing(&PRODUCERS, &keys.producer)
}

/// Closes this process's worker for the queue: commits its deleted lists and leaves the group.
pub fn close_worker(keys: &ClientKeys) {
    let entry = WORKERS
        .lock()
        .as_mut()
        .and_then(|map| map.remove(&keys.group));
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
        let outcome = if u.possibly_persisted {
            "may not have reached Kafka (its acknowledgement never came)"
        } else {
            "was NOT delivered to Kafka"
        };
        report::warn(&format!(
            "kafka_queue: item {id} of topic \"{}\" {outcome}: {}",
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
    report::flush_deferred();
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
