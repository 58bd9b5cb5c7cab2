//! The producer: one per process and configuration, kept across PHP requests.
//!
//! Delivery reports are served by a thread of its own that sleeps until librdkafka has one
//! (librdkafka writes to a pipe when its queue stops being empty); callers wait on a condition
//! variable for the acknowledgement they need, so that neither a strict createItem nor the
//! end-of-request flush sleeps longer than the broker takes, and closing the producer wakes the
//! thread at once instead of waiting out a poll interval (rdkafka's `ThreadedProducer` polls in
//! 100 ms steps, which every process paid at exit).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use rdkafka::bindings as rdsys;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{
    BaseProducer, BaseRecord, DeliveryResult, Partitioner, Producer as _, ProducerContext,
    PurgeConfig,
};
use rdkafka::ClientContext;

use super::stats::{ClientStatistics, Latest};
use super::{client_config, millis, millis_i32, About, ClientSettings, Error};

/// A record that Kafka did not accept, with what librdkafka said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    pub topic: String,
    /// librdkafka cannot rule out that the broker wrote it (an acknowledgement timed out).
    pub possibly_persisted: bool,
    /// The record value, so that the caller can say which item it was.
    pub value: Vec<u8>,
    pub error: Error,
}

/// Sequence number of a record whose sender waits for it; 0 for records nobody waits for.
type Ticket = usize;

#[derive(Default)]
struct Outcomes {
    /// Outcomes of waited-for records, until their sender collects them.
    waited: HashMap<Ticket, Result<(), Error>>,
    /// Failed records nobody waits for, until the next flush reports them.
    undelivered: Vec<Undelivered>,
}

#[derive(Default)]
pub struct Deliveries {
    outcomes: Mutex<Outcomes>,
    changed: Condvar,
    statistics: Latest,
    runs: Runs,
}

/// Records in a row that go to one partition before the next one's turn.
const RUN_RECORDS: u32 = 1000;
/// How long a run lasts at most, so that a slow producer moves on too.
const RUN_TIME: Duration = Duration::from_millis(5);

/// Where records go: runs of up to [`RUN_RECORDS`] records (or [`RUN_TIME`]) to one partition,
/// then to the next partition that has a leader, starting from a random one in each process.
/// A queue item does not care which partition it lands in; runs spread a burst of fast items
/// over every partition (librdkafka's sticky partitioner keeps one partition for twice
/// `linger.ms`, and a burst landed on a few), while records in a row still share batches
/// (a random partition per record cost librdkafka's threads twice the CPU per item).
/// One rotation serves every topic of the producer.
struct Runs {
    run: Mutex<Run>,
}

struct Run {
    /// Not yet reduced modulo the topic's partition count.
    partition: u32,
    left: u32,
    started: Instant,
}

impl Default for Runs {
    fn default() -> Self {
        Runs {
            run: Mutex::new(Run {
                partition: RandomState::new().hash_one(std::process::id()) as u32,
                // The first record starts a run, after the check for a leader.
                left: 0,
                started: Instant::now(),
            }),
        }
    }
}

impl Partitioner for Runs {
    fn partition(
        &self,
        _topic: &str,
        _key: Option<&[u8]>,
        partition_cnt: i32,
        is_partition_available: impl Fn(i32) -> bool,
    ) -> i32 {
        let count = partition_cnt.max(1) as u32;
        let mut run = self.run.lock();
        if run.left == 0 || run.started.elapsed() >= RUN_TIME {
            let next = run.partition.wrapping_add(1);
            run.partition = (0..count)
                .map(|i| next.wrapping_add(i))
                .find(|p| is_partition_available((p % count) as i32))
                .unwrap_or(next);
            run.left = RUN_RECORDS;
            run.started = Instant::now();
        }
        run.left -= 1;
        (run.partition % count) as i32
    }
}

impl ClientContext for Deliveries {
    fn stats_raw(&self, json: &[u8]) {
        self.statistics.store(json);
    }
}

impl ProducerContext<Runs> for Deliveries {
    type DeliveryOpaque = Ticket;

    fn get_custom_partitioner(&self) -> Option<&Runs> {
        Some(&self.runs)
    }

    fn delivery(&self, result: &DeliveryResult<'_>, ticket: Ticket) {
        let mut outcomes = self.outcomes.lock();
        match (result, ticket) {
            (Ok(_), 0) => {}
            (Ok(_), t) => {
                outcomes.waited.insert(t, Ok(()));
            }
            (Err((error, message)), t) => {
                // SAFETY: the message is valid for the duration of this callback.
                let possibly_persisted = unsafe { rdsys::rd_kafka_message_status(message.ptr()) }
                    == rdsys::rd_kafka_msg_status_t::RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED;
                let error = if possibly_persisted {
                    Error::OutcomeUnknown(error.to_string())
                } else {
                    Error::from_rdkafka(error, About::topic(message.topic()))
                };
                if t != 0 {
                    outcomes.waited.insert(t, Err(error));
                } else {
                    outcomes.undelivered.push(Undelivered {
                        topic: message.topic().to_string(),
                        possibly_persisted,
                        value: message.payload().unwrap_or_default().to_vec(),
                        error,
                    });
                }
            }
        }
        self.changed.notify_all();
    }
}

pub struct Producer {
    inner: Arc<BaseProducer<Deliveries, Runs>>,
    reports: ReportThread,
    timeout: Duration,
    next_ticket: Mutex<Ticket>,
}

/// The thread that serves the producer's delivery reports, and the pipe that wakes it.
struct ReportThread {
    /// librdkafka writes a byte here when a report arrives; so does [`ReportThread::stop`].
    wake: Arc<OwnedFd>,
    stopping: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// A non-blocking pipe: (read end, write end).
fn wake_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nothing else.
    let ends = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    for fd in [fds[0], fds[1]] {
        // SAFETY: plain flag changes on descriptors this function owns.
        unsafe {
            libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
    Ok(ends)
}

impl ReportThread {
    fn start(producer: &Arc<BaseProducer<Deliveries, Runs>>) -> std::io::Result<Self> {
        let (read_end, write_end) = wake_pipe()?;
        let wake = Arc::new(write_end);
        let stopping = Arc::new(AtomicBool::new(false));
        let rk = producer.client().native_ptr();
        // SAFETY: the main queue reference is released at once; the write end outlives the
        // client, because the thread (which holds the client) is joined before it is closed.
        unsafe {
            let queue = rdsys::rd_kafka_queue_get_main(rk);
            rdsys::rd_kafka_queue_io_event_enable(queue, wake.as_raw_fd(), c"1".as_ptr().cast(), 1);
            rdsys::rd_kafka_queue_destroy(queue);
        }
        let handle = {
            let producer = Arc::clone(producer);
            let stopping = Arc::clone(&stopping);
            thread::Builder::new()
                .name("kafka_queue deliveries".into())
                .spawn(move || serve_reports(&producer, &read_end, &stopping))?
        };
        Ok(ReportThread {
            wake,
            stopping,
            handle: Some(handle),
        })
    }

    /// Serves what is left, then ends the thread.
    fn stop(&mut self) {
        self.stopping.store(true, Ordering::Release);
        // SAFETY: one byte from a static buffer to a descriptor this struct owns.
        unsafe { libc::write(self.wake.as_raw_fd(), c"1".as_ptr().cast(), 1) };
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Sleeps until librdkafka queues an event (or a second passes, in case a wake-up was lost),
/// then serves every queued one: delivery reports call [`Deliveries::delivery`].
fn serve_reports(producer: &BaseProducer<Deliveries, Runs>, wake: &OwnedFd, stopping: &AtomicBool) {
    let rk = producer.client().native_ptr();
    let mut pollfd = libc::pollfd {
        fd: wake.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let mut drain = [0u8; 64];
    // SAFETY: a reference to the client's main queue, released when the thread ends (the
    // thread holds the client).
    let queue = unsafe { rdsys::rd_kafka_queue_get_main(rk) };
    loop {
        // SAFETY: one descriptor this thread owns; the buffer outlives the reads.
        unsafe {
            libc::poll(&mut pollfd, 1, 1000);
            while libc::read(wake.as_raw_fd(), drain.as_mut_ptr().cast(), drain.len()) > 0 {}
        }
        // A zero-timeout poll serves one event.
        // SAFETY: `queue` is a live reference to the main queue.
        while unsafe { rdsys::rd_kafka_queue_length(queue) } > 0 {
            producer.poll(Duration::ZERO);
        }
        if stopping.load(Ordering::Acquire) {
            // SAFETY: released once, here.
            unsafe { rdsys::rd_kafka_queue_destroy(queue) };
            return;
        }
    }
}

/// Where a record goes and what it carries.
pub struct Outgoing<'a> {
    pub topic: &'a str,
    pub partition: Option<i32>,
    pub timestamp_ms: Option<i64>,
    pub value: &'a [u8],
}

impl Producer {
    /// A producer; `batching` lets librdkafka wait briefly to batch records (fast delivery).
    pub fn new(settings: &ClientSettings, batching: bool) -> Result<Self, Error> {
        // acks=all with one request in flight per broker: durable and ordered, even on retries.
        // Idempotence (no duplicates after retries) is off by default because librdkafka then
        // waits up to 500 ms for a producer id before a process's first record; users who want
        // it set enable.idempotence=true. message.timeout.ms bounds how long an item may wait
        // for the brokers before it is reported as undelivered.
        let timeout_ms = millis(settings.timeout);
        let linger_ms = if batching { "5" } else { "0" };
        let config = client_config(
            settings,
            &[
                ("message.timeout.ms", &timeout_ms),
                ("linger.ms", linger_ms),
                ("acks", "all"),
                ("max.in.flight.requests.per.connection", "1"),
                // librdkafka calls the partitioner (Runs) for records without a key only
                // when its own sticky partitioning is off.
                ("sticky.partitioning.linger.ms", "0"),
            ],
        );
        let inner: Arc<BaseProducer<Deliveries, Runs>> = Arc::new(
            config
                .create_with_context(Deliveries::default())
                .map_err(|e| Error::Config(format!("cannot create the Kafka producer: {e}")))?,
        );
        let reports = ReportThread::start(&inner).map_err(|e| {
            Error::Config(format!(
                "cannot start the thread for Kafka's acknowledgements: {e}"
            ))
        })?;
        Ok(Producer {
            inner,
            reports,
            timeout: settings.timeout,
            next_ticket: Mutex::new(0),
        })
    }

    fn send_with(&self, record: &Outgoing<'_>, ticket: Ticket) -> Result<(), Error> {
        let mut base = BaseRecord::<(), [u8], Ticket>::with_opaque_to(record.topic, ticket)
            .payload(record.value);
        if let Some(p) = record.partition {
            base = base.partition(p);
        }
        if let Some(ts) = record.timestamp_ms {
            base = base.timestamp(ts);
        }
        let mut deadline = None;
        loop {
            match self.inner.send(base) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back))
                    if *deadline.get_or_insert_with(|| Instant::now() + self.timeout)
                        > Instant::now() =>
                {
                    // librdkafka's local queue is full: wait for deliveries to make room.
                    base = back;
                    let mut outcomes = self.inner.context().outcomes.lock();
                    self.inner
                        .context()
                        .changed
                        .wait_for(&mut outcomes, Duration::from_millis(5));
                }
                Err((error, _)) => {
                    return Err(Error::from_rdkafka(&error, About::topic(record.topic)))
                }
            }
        }
    }

    /// The latest statistics, when `statistics.interval.ms` is set.
    pub fn statistics(&self) -> Option<ClientStatistics> {
        self.inner.context().statistics.get()
    }

    /// Hands one record to librdkafka; its outcome is reported at the next flush.
    pub fn send(&self, record: &Outgoing<'_>) -> Result<(), Error> {
        self.send_with(record, 0)
    }

    /// Sends one record and waits, at most the configured timeout, for Kafka's acknowledgement.
    /// A record whose acknowledgement does not come in time is [`Error::OutcomeUnknown`]: it
    /// went out and may still be written.
    pub fn send_and_wait(&self, record: &Outgoing<'_>) -> Result<(), Error> {
        let ticket = {
            let mut next = self.next_ticket.lock();
            *next = next.wrapping_add(1).max(1);
            *next
        };
        self.send_with(record, ticket)?;
        let deadline = Instant::now() + self.timeout;
        let deliveries = self.inner.context();
        let mut outcomes = deliveries.outcomes.lock();
        loop {
            if let Some(outcome) = outcomes.waited.remove(&ticket) {
                return outcome;
            }
            if deliveries
                .changed
                .wait_until(&mut outcomes, deadline)
                .timed_out()
            {
                return Err(Error::OutcomeUnknown(format!(
                    "no acknowledgement within {} ms (brokers unreachable?)",
                    self.timeout.as_millis()
                )));
            }
        }
    }

    /// Waits, at most the configured timeout, until every record handed over is acknowledged
    /// or failed. Returns how many were still in flight when the time ran out. Records that
    /// wait for `linger.ms` to fill a batch go out at once (librdkafka's flush wakes the
    /// brokers' threads and ignores the linger while it waits), so the end of a request that
    /// created one fast item does not wait out the linger.
    pub fn flush(&self) -> usize {
        if self.inner.in_flight_count() > 0 {
            // SAFETY: a plain call on a live client. With delivery reports as events, librdkafka
            // only waits here; the report thread serves them.
            unsafe {
                rdsys::rd_kafka_flush(self.inner.client().native_ptr(), millis_i32(self.timeout))
            };
        }
        self.inner.in_flight_count().max(0) as usize
    }

    /// The records nobody waited for that failed since the last call.
    pub fn take_undelivered(&self) -> Vec<Undelivered> {
        std::mem::take(&mut self.inner.context().outcomes.lock().undelivered)
    }

    /// Gives up on everything still queued: each such record is then reported as undelivered.
    pub fn purge(&self) {
        self.inner
            .purge(PurgeConfig::default().queue().inflight().non_blocking());
        self.flush();
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        self.reports.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partitions that `records` records in a row go to, on 4 partitions of which the third
    /// has no leader.
    fn placements(runs: &Runs, records: u32) -> Vec<i32> {
        (0..records)
            .map(|_| runs.partition("topic", None, 4, |p| p != 2))
            .collect()
    }

    #[test]
    fn records_go_in_runs_to_every_partition_that_has_a_leader() {
        let runs = Runs::default();
        let placed = placements(&runs, 8 * RUN_RECORDS);
        assert!(
            !placed.contains(&2),
            "no record for a partition without a leader"
        );
        for p in [0, 1, 3] {
            assert!(placed.contains(&p), "partition {p} gets its turn");
        }
        // A run may end early (RUN_TIME), never late.
        let longest = placed
            .chunk_by(|a, b| a == b)
            .map(<[i32]>::len)
            .max()
            .unwrap();
        assert!(
            longest <= RUN_RECORDS as usize,
            "a run of {longest} records"
        );
        assert!(
            placed.chunk_by(|a, b| a == b).count() >= 8,
            "8 runs at least"
        );
    }

    #[test]
    fn a_slow_producer_moves_on_after_the_run_time() {
        let runs = Runs::default();
        let first = placements(&runs, 1)[0];
        thread::sleep(RUN_TIME + Duration::from_millis(1));
        assert_ne!(placements(&runs, 1)[0], first);
    }
}
