//! The PHP class `KafkaQueue`: argument conversion, item objects and error mapping around
//! [`crate::queue::Queue`]. Parameters are untyped (`mixed`), as Drupal's interfaces declare
//! them, so that a PHP subclass can implement those interfaces.

use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};

use super::args::LooseInt;
use super::codec;
use super::errors::invalid_argument;
use super::settings::from_config;
use crate::queue::{ItemRef, Queue};

/// A Drupal-style queue whose items live in one Kafka topic.
///
/// The methods mirror Drupal's QueueInterface, QueueGarbageCollectionInterface and
/// DelayableQueueInterface. Their parameters are `mixed`, which PHP treats like untyped ones,
/// so that a PHP subclass can declare those interfaces (Drupal's module does).
#[php_class]
#[php(name = "KafkaQueue")]
pub struct KafkaQueue {
    queue: Queue,
}

/// An item object's identity and position, read back from PHP.
fn item_ref(item: &Zval) -> Result<ItemRef<'_>, PhpException> {
    let bad = || {
        invalid_argument(
            "expected an item object returned by claimItem() (with item_id, partition and offset)",
        )
    };
    let object = item.object().ok_or_else(bad)?;
    // The item objects claimItem() makes are stdClass: read their properties table directly
    // (get_property() allocates each name and dispatches through the object handlers). Any
    // other object (a declared property of some class shows up as an indirect zval there)
    // takes the general path.
    let props = object.get_properties().map_err(|_| bad())?;
    let fast = (|| {
        Some((
            props.get("item_id")?.str()?,
            props.get("partition")?.long()?,
            props.get("offset")?.long()?,
        ))
    })();
    let (item_id, partition, offset) = match fast {
        Some(fields) => fields,
        None => (
            props
                .get("item_id")
                .and_then(|z| z.indirect().unwrap_or(z).str())
                .ok_or_else(bad)?,
            object.get_property::<i64>("partition").map_err(|_| bad())?,
            object.get_property::<i64>("offset").map_err(|_| bad())?,
        ),
    };
    let partition = i32::try_from(partition).map_err(|_| bad())?;
    Ok(ItemRef {
        item_id,
        partition,
        offset,
    })
}

#[php_impl]
impl KafkaQueue {
    /// A queue named `$name` (its topic: topic_prefix . name, made legal for Kafka), configured
    /// by `$config`: the extension's options (topic_prefix, delivery, commit, claim_wait_ms,
    /// join_wait_ms, idle_leave_ms, timeout_ms) and librdkafka properties (every other key, such as bootstrap.servers,
    /// group.id, sasl.password). Unset keys take their php.ini defaults.
    ///
    /// @throws \KafkaQueueException On an unknown key or an invalid value, naming it.
    pub fn __construct(name: String, config: Option<&ZendHashTable>) -> PhpResult<Self> {
        let settings = from_config(config)?;
        Ok(KafkaQueue {
            queue: Queue::new(&name, settings)?,
        })
    }

    /// Adds an item; returns its unique id.
    ///
    /// In strict delivery mode (the default) it returns once the broker has the item.
    /// @throws \InvalidArgumentException When $data cannot be serialized (closures, resources).
    /// @throws \KafkaQueueException When Kafka does not take the item (missing topic, brokers
    ///   unreachable, item too large).
    pub fn create_item(&mut self, data: &Zval) -> PhpResult<String> {
        let payload = codec::encode(data)?;
        Ok(self.queue.create_item(payload.kind(), payload.bytes())?)
    }

    /// Items created and not yet deleted, claimed ones included.
    pub fn number_of_items(&mut self) -> PhpResult<i64> {
        Ok(self.queue.number_of_items()?)
    }

    /// Claims an item for `$lease_time` seconds; FALSE when none is claimable.
    ///
    /// The item is an object with item_id, data, created (Unix time), partition and offset.
    /// FALSE comes at once when the queue is known to be drained, else after claim_wait_ms;
    /// a claim within claim_wait_ms after a FALSE waits up to claim_wait_ms for the next item.
    /// Until it hands out its first item, a worker that joined while other workers' partitions hold
    /// items waits up to join_wait_ms instead, for the group to hand it partitions.
    /// @throws \InvalidArgumentException When $lease_time is negative or not a number.
    #[php(defaults(lease_time = 3600))]
    pub fn claim_item(&mut self, lease_time: LooseInt) -> PhpResult<Zval> {
        let lease = lease_time.at_least("lease_time", 0, "seconds")?;
        let Some(item) = self.queue.claim_item(Duration::from_secs(lease as u64))? else {
            return Ok(false.into_zval(false)?);
        };
        let mut object = ZendObject::new_stdclass();
        {
            // Fill the new stdClass's properties table directly: set_property() allocates the
            // name and dispatches through write_property for each field.
            // SAFETY: the object was just created; its properties table is ours alone.
            let props = unsafe { &mut *ext_php_rs::ffi::zend_std_get_properties(&raw mut *object) };
            props.insert("item_id", codec::string_zval(&item.id))?;
            props.insert("data", codec::decode(item.kind, &item.payload)?)?;
            props.insert("created", item.created_ms / 1000)?;
            props.insert("partition", i64::from(item.partition))?;
            props.insert("offset", item.offset)?;
        }
        Ok(object.into_zval(false)?)
    }

    /// Deletes a claimed item for good: it is never delivered to this site again.
    ///
    /// Returns FALSE when this process no longer holds the item.
    /// @throws \InvalidArgumentException For an object that is not an item of this queue.
    pub fn delete_item(&mut self, item: &Zval) -> PhpResult<bool> {
        Ok(self.queue.delete_item(&item_ref(item)?)?)
    }

    /// Makes a claimed item claimable again at once.
    ///
    /// @throws \InvalidArgumentException For an object that is not an item of this queue.
    pub fn release_item(&mut self, item: &Zval) -> PhpResult<bool> {
        Ok(self.queue.release_item(&item_ref(item)?)?)
    }

    /// Makes a claimed item claimable again no earlier than `$delay` seconds from now.
    ///
    /// @throws \InvalidArgumentException When $delay is negative, or for an object that is not
    ///   an item of this queue.
    pub fn delay_item(&mut self, item: &Zval, delay: LooseInt) -> PhpResult<bool> {
        let delay = delay.at_least("delay", 0, "seconds")?;
        Ok(self.queue.delay_item(&item_ref(item)?, delay)?)
    }

    /// Checks that the topic exists. Creates nothing.
    ///
    /// @throws \KafkaQueueException When the topic does not exist; the message names it and
    ///   says how to provision it.
    pub fn create_queue(&mut self) -> PhpResult<()> {
        Ok(self.queue.create_queue()?)
    }

    /// Deletes every item of the queue; the topic stays.
    ///
    /// @throws \KafkaQueueException While other workers of the site consume the queue.
    pub fn delete_queue(&mut self) -> PhpResult<()> {
        Ok(self.queue.delete_queue()?)
    }

    /// Purges the deleted list of what Kafka no longer holds; returns the items retention
    /// removed before they were processed.
    pub fn garbage_collection(&mut self) -> PhpResult<i64> {
        Ok(self.queue.garbage_collection()? as i64)
    }

    /// Waits until every item created so far is in Kafka; returns how many could not be.
    pub fn flush(&mut self) -> PhpResult<i64> {
        Ok(self.queue.flush()? as i64)
    }

    /// The Kafka topic of this queue.
    pub fn topic(&self) -> String {
        self.queue.topic().to_string()
    }

    /// The queue's figures for operators. With `statistics.interval.ms` set, `clients` holds
    /// librdkafka's latest statistics of this process's clients of the queue (requests sent,
    /// responses, errors and round-trip times per broker); otherwise it is empty.
    pub fn status(&mut self) -> PhpResult<ZBox<ZendHashTable>> {
        let status = self.queue.status()?;
        let mut out = ZendHashTable::new();
        out.insert("topic", status.topic)?;
        out.insert("group", status.group)?;
        out.insert("partitions", status.partitions.len() as i64)?;
        out.insert("items", status.items)?;
        out.insert("claimed_here", status.claimed_here as i64)?;
        out.insert("deleted_list", status.deleted_list as i64)?;
        out.insert("group_state", status.group_state)?;
        out.insert("group_protocol", status.group_protocol)?;
        out.insert("members", status.members.len() as i64)?;
        let mut members = ZendHashTable::new();
        for m in status.members {
            let mut row = ZendHashTable::new();
            row.insert("client_id", m.client_id)?;
            row.insert("host", m.host)?;
            let mut partitions = ZendHashTable::new();
            for p in m.partitions {
                partitions.push(i64::from(p))?;
            }
            row.insert("partitions", partitions)?;
            members.push(row)?;
        }
        out.insert("member_detail", members)?;
        let mut detail = ZendHashTable::new();
        for p in status.partitions {
            let mut row = ZendHashTable::new();
            row.insert("partition", i64::from(p.partition))?;
            row.insert("low", p.low)?;
            row.insert("high", p.high)?;
            row.insert("committed", p.committed)?;
            row.insert("lag", p.lag)?;
            row.insert("owner", p.owner)?;
            row.insert("deleted", p.deleted as i64)?;
            row.insert("items", p.items)?;
            detail.push(row)?;
        }
        out.insert("detail", detail)?;
        let mut clients = ZendHashTable::new();
        for c in status.clients {
            let mut row = ZendHashTable::new();
            row.insert("name", c.name)?;
            row.insert("type", c.kind)?;
            row.insert("age_ms", c.age / 1000)?;
            row.insert("requests_sent", c.tx as i64)?;
            row.insert("responses", c.rx as i64)?;
            let mut brokers = ZendHashTable::new();
            for (name, b) in c.brokers {
                let mut broker = ZendHashTable::new();
                broker.insert("name", name)?;
                broker.insert("node_id", i64::from(b.nodeid))?;
                broker.insert("state", b.state)?;
                broker.insert("requests_sent", b.tx as i64)?;
                broker.insert("responses", b.rx as i64)?;
                broker.insert("errors", (b.txerrs + b.rxerrs) as i64)?;
                broker.insert("timeouts", b.req_timeouts as i64)?;
                broker.insert("rtt_avg_us", b.rtt.avg)?;
                broker.insert("rtt_p99_us", b.rtt.p99)?;
                let mut requests = ZendHashTable::new();
                for (kind, sent) in b.req {
                    requests.insert(kind.as_str(), sent as i64)?;
                }
                broker.insert("requests", requests)?;
                brokers.push(broker)?;
            }
            row.insert("brokers", brokers)?;
            clients.push(row)?;
        }
        out.insert("clients", clients)?;
        Ok(out)
    }
}
