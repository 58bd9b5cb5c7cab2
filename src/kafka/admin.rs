//! Look-ups and changes that need no group membership: topic metadata, watermarks, a group's
//! committed offsets and description, offset commits on behalf of a whole group, and topic
//! provisioning.
//!
//! The [`Inspector`] has no `group.id`: it never joins, never looks up a group coordinator on
//! its own (so provisioning touches no group, and closing it has no group to leave), and asks
//! about groups through the Admin API, whose answers name the error (an authorization failure
//! comes back at once instead of a coordinator look-up that retries until the timeout).

use std::ffi::{CStr, CString};
use std::os::raw::c_void;
use std::thread;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::bindings as rdsys;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::ClientContext;

use super::consumer::{commit_list, Committed};
use super::error::{within, Health};
use super::stats::{ClientStatistics, Latest};
use super::{client_config, millis_i32, About, ClientSettings, Error};

/// One partition as Kafka sees it for a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: i32,
    pub low: i64,
    pub high: i64,
    /// The group's committed offset and metadata, if it ever committed.
    pub committed: Option<(i64, String)>,
}

/// One live member of a group, as the coordinator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub client_id: String,
    pub host: String,
    /// The partitions of the queue's topic assigned to it.
    pub partitions: Vec<i32>,
}

/// A group as the coordinator describes it (KIP-848 groups included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub state: String,
    /// "consumer" (KIP-848), "classic" or "unknown".
    pub protocol: String,
    pub members: Vec<MemberView>,
}

/// Records what librdkafka reports about the inspector's connections.
#[derive(Default)]
pub struct Watched {
    health: Health,
    statistics: Latest,
}

impl ClientContext for Watched {
    fn stats_raw(&self, json: &[u8]) {
        self.statistics.store(json);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.health.note(&error, reason);
    }

    /// librdkafka logs the cause of a failed connection under the facility FAIL, at INFO
    /// level when it is a disconnect (a plaintext client on a TLS listener is one).
    fn log(&self, _level: RDKafkaLogLevel, facility: &str, message: &str) {
        if facility == "FAIL" {
            self.health.note_connection_failure(message);
        }
    }
}

impl ConsumerContext for Watched {}

/// A client that looks at topics and groups and never joins one.
pub struct Inspector {
    client: BaseConsumer<Watched>,
    timeout: Duration,
}

fn creation_error(what: &str, e: &KafkaError) -> Error {
    Error::Config(format!("cannot create the Kafka {what}: {e}"))
}

impl Inspector {
    pub fn new(settings: &ClientSettings) -> Result<Self, Error> {
        let mut config = client_config(settings, &[]);
        config.set_log_level(RDKafkaLogLevel::Info);
        let client = config
            .create_with_context(Watched::default())
            .map_err(|e| creation_error("client", &e))?;
        Ok(Inspector {
            client,
            timeout: settings.timeout,
        })
    }

    /// Serves every pending event of the client (one poll serves one, and log lines queue up
    /// there too), so that connection errors reach [`Watched`].
    fn pump(&self) {
        let rk = self.client.client().native_ptr();
        // SAFETY: a new reference to the client's main queue, released at once.
        let pending = unsafe {
            let queue = rdsys::rd_kafka_queue_get_main(rk);
            let pending = rdsys::rd_kafka_queue_length(queue);
            rdsys::rd_kafka_queue_destroy(queue);
            pending
        };
        for _ in 0..pending {
            let _ = self.client.poll(Duration::ZERO);
        }
    }

    /// The latest statistics, when `statistics.interval.ms` is set.
    pub fn statistics(&self) -> Option<ClientStatistics> {
        self.pump();
        self.client.context().statistics.get()
    }

    fn health(&self) -> &Health {
        &self.client.context().health
    }

    /// The partition count of `topic`, or [`Error::TopicMissing`].
    pub fn partition_count(&self, topic: &str) -> Result<usize, Error> {
        let about = About::topic(topic);
        let count = within(
            self.health(),
            self.timeout,
            || self.pump(),
            |wait| {
                let metadata = self
                    .client
                    .fetch_metadata(Some(topic), wait)
                    .map_err(|e| Error::from_rdkafka(&e, about))?;
                let Some(t) = metadata.topics().iter().find(|t| t.name() == topic) else {
                    return Err(Error::TopicMissing(topic.into()));
                };
                match t.error() {
                    None if !t.partitions().is_empty() => Ok(t.partitions().len()),
                    None => Err(Error::TopicMissing(topic.into())),
                    Some(e) => Err(Error::from_code(e.into(), "", about)),
                }
            },
        )?;
        Ok(count)
    }

    /// Every partition of `topic` with its watermarks and `group`'s commit.
    pub fn partitions(&self, topic: &str, group: &str) -> Result<Vec<PartitionView>, Error> {
        let count = self.partition_count(topic)?;
        let (low, high) = self.watermarks(topic, count)?;
        let committed = self.while_leaders_move(|| self.committed(group, topic, count))?;
        Ok((0..count)
            .map(|p| PartitionView {
                partition: p as i32,
                low: low[p],
                high: high[p],
                committed: committed[p].clone(),
            })
            .collect())
    }

    /// The low and high watermarks of every partition. Right after a topic is created or a
    /// leader moves, a broker may not lead a partition yet: asked again until the timeout.
    fn watermarks(&self, topic: &str, count: usize) -> Result<(Vec<i64>, Vec<i64>), Error> {
        let [low, high] = self.while_leaders_move(|| {
            self.list_offsets(topic, count, [Offset::Beginning, Offset::End])
        })?;
        Ok((low, high))
    }

    /// Runs `request` again while its answer is that a partition leader or a group
    /// coordinator is moving, until the timeout.
    fn while_leaders_move<T>(&self, request: impl Fn() -> Result<T, Error>) -> Result<T, Error> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match request() {
                Err(Error::Other { code, .. })
                    if is_leader_moving(code) && Instant::now() < deadline =>
                {
                    thread::sleep(Duration::from_millis(20))
                }
                other => return other,
            }
        }
    }

    /// The high watermark of every partition: one ListOffsets request per leader, found in
    /// the metadata cache (the Admin API's ListOffsets asks for metadata first, every time).
    pub fn high_watermarks(&self, topic: &str, count: usize) -> Result<Vec<i64>, Error> {
        let about = About::topic(topic);
        self.while_leaders_move(|| {
            within(
                self.health(),
                self.timeout,
                || self.pump(),
                |wait| {
                    let mut latest = TopicPartitionList::with_capacity(count);
                    for p in 0..count as i32 {
                        // A timestamp of -1 asks for the latest offset, the high watermark.
                        latest
                            .add_partition_offset(topic, p, Offset::End)
                            .map_err(|e| Error::from_rdkafka(&e, about))?;
                    }
                    let found = self
                        .client
                        .offsets_for_times(latest, wait)
                        .map_err(|e| Error::from_rdkafka(&e, about))?;
                    let mut highs = vec![-1i64; count];
                    for element in found.elements() {
                        element
                            .error()
                            .map_err(|e| Error::from_rdkafka(&e, about))?;
                        if let (Some(slot), Offset::Offset(high)) = (
                            highs.get_mut(element.partition() as usize),
                            element.offset(),
                        ) {
                            *slot = high;
                        }
                    }
                    Ok(highs)
                },
            )
        })
    }

    /// One ListOffsets request per leader for each of `ends`, all in flight at once.
    /// ListOffsets takes the logical offsets Beginning and End as its "earliest" and "latest"
    /// specs.
    fn list_offsets<const N: usize>(
        &self,
        topic: &str,
        count: usize,
        ends: [Offset; N],
    ) -> Result<[Vec<i64>; N], Error> {
        let about = About::topic(topic);
        let specs = ends.map(|offset| {
            let mut tpl = TopicPartitionList::with_capacity(count);
            for p in 0..count as i32 {
                let _ = tpl.add_partition(topic, p).set_offset(offset);
            }
            tpl
        });
        let mut found: [Vec<i64>; N] = std::array::from_fn(|_| vec![-1i64; count]);
        self.admin(
            rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTOFFSETS,
            N,
            |rk, options, queue| {
                for (tag, tpl) in specs.iter().enumerate() {
                    // SAFETY: the options are copied by the call; the list is only read.
                    unsafe {
                        rdsys::rd_kafka_AdminOptions_set_opaque(options, tag as *mut c_void);
                        rdsys::rd_kafka_ListOffsets(rk, tpl.ptr(), options, queue);
                    }
                }
            },
            |event| {
                // SAFETY: `event` is a ListOffsets result that lives until it is destroyed
                // after this closure.
                unsafe {
                    let tag = rdsys::rd_kafka_event_opaque(event) as usize;
                    let result = rdsys::rd_kafka_event_ListOffsets_result(event);
                    let mut n = 0;
                    let infos = rdsys::rd_kafka_ListOffsets_result_infos(result, &mut n);
                    for i in 0..n {
                        let tp =
                            &*rdsys::rd_kafka_ListOffsetsResultInfo_topic_partition(*infos.add(i));
                        if tp.err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                            return Err(Error::from_code(tp.err.into(), "", about));
                        }
                        if let Some(slot) = found
                            .get_mut(tag)
                            .and_then(|end| end.get_mut(tp.partition as usize))
                        {
                            *slot = tp.offset;
                        }
                    }
                }
                Ok(())
            },
            about,
        )?;
        Ok(found)
    }

    /// `group`'s committed offset and metadata for each partition of `topic`.
    fn committed(
        &self,
        group: &str,
        topic: &str,
        count: usize,
    ) -> Result<Vec<Option<(i64, String)>>, Error> {
        let about = About {
            topic: Some(topic),
            group: Some(group),
        };
        let group_c = c_string(group)?;
        let mut tpl = TopicPartitionList::with_capacity(count);
        for p in 0..count as i32 {
            tpl.add_partition(topic, p);
        }
        let mut committed = vec![None; count];
        self.admin(
            rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
            1,
            |rk, options, queue| {
                // SAFETY: the request object copies the group id and the list; it is
                // destroyed after the call, which copies it again.
                unsafe {
                    let mut request =
                        rdsys::rd_kafka_ListConsumerGroupOffsets_new(group_c.as_ptr(), tpl.ptr());
                    rdsys::rd_kafka_ListConsumerGroupOffsets(rk, &mut request, 1, options, queue);
                    rdsys::rd_kafka_ListConsumerGroupOffsets_destroy(request);
                }
            },
            |event| {
                // SAFETY: `event` is a ListConsumerGroupOffsets result, alive in this closure.
                unsafe {
                    let result = rdsys::rd_kafka_event_ListConsumerGroupOffsets_result(event);
                    let mut n = 0;
                    let groups =
                        rdsys::rd_kafka_ListConsumerGroupOffsets_result_groups(result, &mut n);
                    for i in 0..n {
                        let partitions = group_partitions(*groups.add(i), about)?;
                        for (partition, offset, metadata) in partitions {
                            if let Some(slot) = committed.get_mut(partition as usize) {
                                *slot = (offset >= 0).then_some((offset, metadata));
                            }
                        }
                    }
                }
                Ok(())
            },
            about,
        )?;
        Ok(committed)
    }

    /// Commits on behalf of `group`. Kafka accepts this only while the group has no members:
    /// otherwise the answer is [`Error::GroupBusy`].
    pub fn commit(&self, group: &str, topic: &str, commits: &[Committed]) -> Result<(), Error> {
        let about = About {
            topic: Some(topic),
            group: Some(group),
        };
        let group_c = c_string(group)?;
        let tpl = commit_list(topic, commits);
        self.admin(
            rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
            1,
            |rk, options, queue| {
                // SAFETY: as in `committed`.
                unsafe {
                    let mut request =
                        rdsys::rd_kafka_AlterConsumerGroupOffsets_new(group_c.as_ptr(), tpl.ptr());
                    rdsys::rd_kafka_AlterConsumerGroupOffsets(rk, &mut request, 1, options, queue);
                    rdsys::rd_kafka_AlterConsumerGroupOffsets_destroy(request);
                }
            },
            |event| {
                // SAFETY: `event` is an AlterConsumerGroupOffsets result, alive in this closure.
                unsafe {
                    let result = rdsys::rd_kafka_event_AlterConsumerGroupOffsets_result(event);
                    let mut n = 0;
                    let groups =
                        rdsys::rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &mut n);
                    for i in 0..n {
                        group_partitions(*groups.add(i), about)?;
                    }
                }
                Ok(())
            },
            about,
        )
        .map_err(|e| match e {
            // A commit from outside a group that has members.
            Error::NotAMember(code) => Error::GroupBusy(code),
            other => other,
        })
    }

    /// `group` as its coordinator describes it: state, protocol, members and their partitions
    /// of `topic`.
    pub fn describe_group(&self, group: &str, topic: &str) -> Result<GroupView, Error> {
        let about = About::group(group);
        let group_c = c_string(group)?;
        let mut view = None;
        self.admin(
            rdsys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
            1,
            |rk, options, queue| {
                let mut groups = [group_c.as_ptr()];
                // SAFETY: the group names are copied by the call.
                unsafe {
                    rdsys::rd_kafka_DescribeConsumerGroups(
                        rk,
                        groups.as_mut_ptr(),
                        1,
                        options,
                        queue,
                    )
                };
            },
            |event| {
                // SAFETY: `event` is a DescribeConsumerGroups result, alive in this closure;
                // every pointer read from it is owned by it.
                unsafe {
                    let result = rdsys::rd_kafka_event_DescribeConsumerGroups_result(event);
                    let mut n = 0;
                    let groups = rdsys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut n);
                    if n == 0 {
                        return Ok(());
                    }
                    let description = *groups;
                    let error = rdsys::rd_kafka_ConsumerGroupDescription_error(description);
                    if !error.is_null() {
                        let code = rdsys::rd_kafka_error_code(error);
                        let text = text(rdsys::rd_kafka_error_string(error));
                        return Err(Error::from_code(code.into(), &text, about));
                    }
                    let state = text(rdsys::rd_kafka_consumer_group_state_name(
                        rdsys::rd_kafka_ConsumerGroupDescription_state(description),
                    ));
                    let protocol = match rdsys::rd_kafka_ConsumerGroupDescription_type(description)
                    {
                        rdsys::rd_kafka_consumer_group_type_t::RD_KAFKA_CONSUMER_GROUP_TYPE_CONSUMER => "consumer",
                        rdsys::rd_kafka_consumer_group_type_t::RD_KAFKA_CONSUMER_GROUP_TYPE_CLASSIC => "classic",
                        _ => "unknown",
                    };
                    let count = rdsys::rd_kafka_ConsumerGroupDescription_member_count(description);
                    let mut members = Vec::with_capacity(count);
                    for i in 0..count {
                        let member = rdsys::rd_kafka_ConsumerGroupDescription_member(description, i);
                        let assignment = rdsys::rd_kafka_MemberDescription_assignment(member);
                        let mut partitions = Vec::new();
                        if !assignment.is_null() {
                            let list = rdsys::rd_kafka_MemberAssignment_partitions(assignment);
                            if !list.is_null() {
                                let list = &*list;
                                for j in 0..list.cnt.max(0) as usize {
                                    let tp = &*list.elems.add(j);
                                    if text(tp.topic) == topic {
                                        partitions.push(tp.partition);
                                    }
                                }
                            }
                        }
                        partitions.sort_unstable();
                        members.push(MemberView {
                            client_id: text(rdsys::rd_kafka_MemberDescription_client_id(member)),
                            host: text(rdsys::rd_kafka_MemberDescription_host(member)),
                            partitions,
                        });
                    }
                    view = Some(GroupView {
                        state,
                        protocol: protocol.into(),
                        members,
                    });
                }
                Ok(())
            },
            about,
        )?;
        view.ok_or(Error::Other {
            code: RDKafkaErrorCode::Fail,
            detail: format!("the coordinator did not describe group \"{group}\""),
        })
    }

    /// Runs one Admin API request: `start` issues it (the options carry the request timeout),
    /// then `expected` results are read from a queue of its own, each by `read`. Waits at most
    /// the timeout, and less when librdkafka reports that the brokers cannot be used.
    fn admin(
        &self,
        api: rdsys::rd_kafka_admin_op_t,
        expected: usize,
        start: impl FnOnce(
            *mut rdsys::rd_kafka_t,
            *mut rdsys::rd_kafka_AdminOptions_t,
            *mut rdsys::rd_kafka_queue_t,
        ),
        mut read: impl FnMut(*mut rdsys::rd_kafka_event_t) -> Result<(), Error>,
        about: About<'_>,
    ) -> Result<(), Error> {
        let rk = self.client.client().native_ptr();
        // SAFETY: the options and the queue are created and destroyed here; events are
        // destroyed once read. A request still in flight when this returns answers into a
        // destroyed queue, which librdkafka discards.
        unsafe {
            let queue = rdsys::rd_kafka_queue_new(rk);
            let options = rdsys::rd_kafka_AdminOptions_new(rk, api);
            let mut errstr = [0 as std::os::raw::c_char; 256];
            rdsys::rd_kafka_AdminOptions_set_request_timeout(
                options,
                millis_i32(self.timeout),
                errstr.as_mut_ptr(),
                errstr.len(),
            );
            start(rk, options, queue);
            rdsys::rd_kafka_AdminOptions_destroy(options);
            let mut remaining = expected;
            let outcome = within(
                self.health(),
                self.timeout,
                || self.pump(),
                |wait| {
                    while remaining > 0 {
                        let event = rdsys::rd_kafka_queue_poll(queue, millis_i32(wait));
                        if event.is_null() {
                            return Err(Error::TimedOut);
                        }
                        let err = rdsys::rd_kafka_event_error(event);
                        let result =
                            if err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                                read(event)
                            } else {
                                let detail = text(rdsys::rd_kafka_event_error_string(event));
                                Err(Error::from_code(err.into(), &detail, about))
                            };
                        rdsys::rd_kafka_event_destroy(event);
                        result?;
                        remaining -= 1;
                    }
                    Ok(())
                },
            );
            rdsys::rd_kafka_queue_destroy(queue);
            outcome
        }
    }
}

/// A partition error that goes away once metadata catches up with a new leader.
fn is_leader_moving(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        code,
        NotLeaderForPartition
            | LeaderNotAvailable
            | UnknownLeaderEpoch
            | FencedLeaderEpoch
            | OffsetNotAvailable
            | NotCoordinator
            | CoordinatorNotAvailable
            | CoordinatorLoadInProgress
    )
}

/// The partitions of one group result, or the first error in it.
///
/// # Safety
/// `result` must point to a group result owned by a live event.
unsafe fn group_partitions(
    result: *const rdsys::rd_kafka_group_result_t,
    about: About<'_>,
) -> Result<Vec<(i32, i64, String)>, Error> {
    let error = rdsys::rd_kafka_group_result_error(result);
    if !error.is_null() {
        let code = rdsys::rd_kafka_error_code(error);
        return Err(Error::from_code(
            code.into(),
            &text(rdsys::rd_kafka_error_string(error)),
            about,
        ));
    }
    let list = rdsys::rd_kafka_group_result_partitions(result);
    if list.is_null() {
        return Ok(Vec::new());
    }
    let list = &*list;
    let mut partitions = Vec::with_capacity(list.cnt.max(0) as usize);
    for i in 0..list.cnt.max(0) as usize {
        let tp = &*list.elems.add(i);
        if tp.err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(Error::from_code(tp.err.into(), "", about));
        }
        let metadata = if tp.metadata.is_null() || tp.metadata_size == 0 {
            String::new()
        } else {
            let bytes = std::slice::from_raw_parts(tp.metadata as *const u8, tp.metadata_size);
            String::from_utf8_lossy(bytes).into_owned()
        };
        partitions.push((tp.partition, tp.offset, metadata));
    }
    Ok(partitions)
}

/// A C string librdkafka owns, copied; empty for a null pointer.
fn text(s: *const std::os::raw::c_char) -> String {
    if s.is_null() {
        return String::new();
    }
    // SAFETY: librdkafka returns NUL-terminated strings that live as long as their owner.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

fn c_string(s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::Config(format!("\"{s}\" contains a NUL byte")))
}

/// What provisioning did, or would do, for one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioned {
    Exists { partitions: usize },
    PartitionCountDiffers { partitions: usize },
    Created,
    WouldCreate,
}

/// Creates the topics that do not exist yet. Existing topics are left as they are. Touches
/// no group.
pub fn provision(
    settings: &ClientSettings,
    topics: &[String],
    partitions: i32,
    replication_factor: i32,
    dry_run: bool,
) -> Result<Vec<Provisioned>, Error> {
    let inspector = Inspector::new(settings)?;
    let mut results = Vec::with_capacity(topics.len());
    let mut to_create = Vec::new();
    for topic in topics {
        match inspector.partition_count(topic) {
            Ok(n) if n == partitions as usize => {
                results.push(Provisioned::Exists { partitions: n })
            }
            Ok(n) => results.push(Provisioned::PartitionCountDiffers { partitions: n }),
            Err(Error::TopicMissing(_)) => {
                to_create.push(topic.as_str());
                results.push(if dry_run {
                    Provisioned::WouldCreate
                } else {
                    Provisioned::Created
                });
            }
            Err(e) => return Err(e),
        }
    }
    if dry_run || to_create.is_empty() {
        return Ok(results);
    }
    let admin: AdminClient<rdkafka::client::DefaultClientContext> = client_config(settings, &[])
        .create()
        .map_err(|e| creation_error("admin client", &e))?;
    let new_topics: Vec<NewTopic<'_>> = to_create
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(replication_factor)))
        .collect();
    let options = AdminOptions::new()
        .operation_timeout(Some(settings.timeout))
        .request_timeout(Some(settings.timeout));
    let outcome = futures_executor::block_on(admin.create_topics(&new_topics, &options))
        .map_err(|e| Error::from_rdkafka(&e, About::default()))?;
    for result in outcome {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(Error::from_code(code, "", About::topic(&topic))),
        }
    }
    // Creation returns before every broker serves the new topic: wait until it does, so that
    // the queue can be used as soon as provisioning says "created".
    let deadline = Instant::now() + settings.timeout;
    for topic in to_create {
        while let Err(e) = inspector.partition_count(topic) {
            if Instant::now() >= deadline {
                return Err(e);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::mocking::MockCluster;
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};

    fn inspector(bootstrap: String) -> Inspector {
        Inspector::new(&ClientSettings {
            properties: vec![("bootstrap.servers".into(), bootstrap)],
            timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    /// A fresh broker answers NOT_COORDINATOR while it loads `__consumer_offsets`; librdkafka
    /// then asks the client's own group (which the inspector has not) to find its coordinator.
    #[test]
    fn a_group_whose_coordinator_moved_is_asked_again() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("t", 2, 1).unwrap();
        cluster.request_errors(
            RDKafkaApiKey::OffsetFetch,
            &[
                RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            ],
        );
        let inspector = inspector(cluster.bootstrap_servers());
        let partitions = inspector.partitions("t", "g").unwrap();
        assert_eq!(partitions.len(), 2);
        assert!(partitions.iter().all(|p| p.committed.is_none()));
    }
}
