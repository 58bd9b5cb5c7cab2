//! librdkafka's statistics: the JSON document a client emits every `statistics.interval.ms`
//! when that property is set (it is off by default, and then costs nothing), read into the
//! figures an operator asks for: per broker, requests sent and answered, errors, timeouts and
//! round-trip times, and the per-request-type counts.

use std::collections::BTreeMap;

use parking_lot::Mutex;
use serde::Deserialize;

/// One client's latest statistics (the fields of librdkafka's STATISTICS.md that are read).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ClientStatistics {
    /// The handle's name, e.g. `rdkafka#producer-1`.
    pub name: String,
    /// `producer` or `consumer`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Microseconds since the client was created.
    pub age: i64,
    /// Requests sent to and responses received from all brokers.
    pub tx: u64,
    pub rx: u64,
    /// Messages produced and consumed.
    pub txmsgs: u64,
    pub rxmsgs: u64,
    /// By broker name (`host:port/id`).
    pub brokers: BTreeMap<String, BrokerStatistics>,
}

/// One broker connection of a client.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct BrokerStatistics {
    /// -1 for a bootstrap or internal broker not yet identified.
    pub nodeid: i32,
    /// `configured`, `learned`, `internal` or `logical`.
    pub source: String,
    /// `UP`, `DOWN`, `CONNECT`, ...
    pub state: String,
    /// Requests sent, responses received, and their errors.
    pub tx: u64,
    pub rx: u64,
    pub txerrs: u64,
    pub rxerrs: u64,
    pub req_timeouts: u64,
    /// Requests sent by type (`Fetch`, `Produce`, `OffsetCommit`, ...); types never sent are
    /// left out.
    #[serde(default)]
    pub req: BTreeMap<String, u64>,
    /// Round-trip time of requests, in microseconds, over the last statistics interval.
    pub rtt: Window,
}

/// A rolling window of librdkafka's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Window {
    pub avg: i64,
    pub p99: i64,
}

/// Where a client's context keeps the latest statistics for whoever asks.
#[derive(Debug, Default)]
pub struct Latest(Mutex<Option<ClientStatistics>>);

impl Latest {
    /// Called from the client's `stats_raw` callback. A document that does not parse (another
    /// librdkafka version's) is dropped: the figures are informative, never worth a failure.
    pub fn store(&self, json: &[u8]) {
        if let Ok(mut statistics) = serde_json::from_slice::<ClientStatistics>(json) {
            statistics.brokers.retain(|_, b| b.source != "internal");
            for broker in statistics.brokers.values_mut() {
                broker.req.retain(|_, &mut sent| sent > 0);
            }
            *self.0.lock() = Some(statistics);
        }
    }

    pub fn get(&self) -> Option<ClientStatistics> {
        self.0.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of librdkafka 2.12's document, cut down to what is read plus fields that are
    /// not, which must be ignored.
    const DOCUMENT: &str = r#"{
        "name": "rdkafka#consumer-2", "client_id": "site", "type": "consumer", "ts": 1,
        "time": 2, "age": 1500000, "replyq": 0, "msg_cnt": 0, "tx": 40, "tx_bytes": 4000,
        "rx": 39, "rx_bytes": 3900, "txmsgs": 0, "txmsg_bytes": 0, "rxmsgs": 7,
        "rxmsg_bytes": 70,
        "brokers": {
            "127.0.0.1:19092/1": {
                "name": "127.0.0.1:19092/1", "nodeid": 1, "nodename": "127.0.0.1:19092",
                "source": "learned", "state": "UP", "stateage": 100, "outbuf_cnt": 0,
                "tx": 30, "txbytes": 3000, "txerrs": 0, "txretries": 0, "req_timeouts": 1,
                "rx": 29, "rxbytes": 2900, "rxerrs": 2, "rxcorriderrs": 0,
                "rtt": {"min": 100, "max": 900, "avg": 250, "sum": 5000, "cnt": 20,
                        "stddev": 50, "p50": 200, "p75": 300, "p90": 500, "p95": 600,
                        "p99": 800, "p99_99": 900, "outofrange": 0, "hdrsize": 11376},
                "req": {"Fetch": 20, "OffsetCommit": 3, "Produce": 0, "Heartbeat": 7},
                "toppars": {}
            },
            ":0/internal": {
                "name": ":0/internal", "nodeid": -1, "source": "internal", "state": "UP",
                "tx": 0, "rx": 0, "txerrs": 0, "rxerrs": 0, "req_timeouts": 0,
                "rtt": {"avg": 0, "p99": 0}
            }
        },
        "topics": {}, "cgrp": {"state": "up"}
    }"#;

    #[test]
    fn reads_the_broker_figures_and_leaves_internal_brokers_and_unsent_types_out() {
        let latest = Latest::default();
        assert_eq!(latest.get(), None);
        latest.store(DOCUMENT.as_bytes());
        let s = latest.get().expect("parsed");
        assert_eq!(
            (s.kind.as_str(), s.age, s.tx, s.rx, s.rxmsgs),
            ("consumer", 1_500_000, 40, 39, 7)
        );
        assert_eq!(s.brokers.keys().collect::<Vec<_>>(), ["127.0.0.1:19092/1"]);
        let b = &s.brokers["127.0.0.1:19092/1"];
        assert_eq!(
            (
                b.nodeid,
                b.state.as_str(),
                b.tx,
                b.rx,
                b.rxerrs,
                b.req_timeouts
            ),
            (1, "UP", 30, 29, 2, 1)
        );
        assert_eq!(b.rtt, Window { avg: 250, p99: 800 });
        assert_eq!(
            b.req
                .iter()
                .map(|(k, &v)| (k.as_str(), v))
                .collect::<Vec<_>>(),
            [("Fetch", 20), ("Heartbeat", 7), ("OffsetCommit", 3)]
        );
    }

    #[test]
    fn a_document_that_does_not_parse_keeps_the_last_good_one() {
        let latest = Latest::default();
        latest.store(DOCUMENT.as_bytes());
        latest.store(br#"{"name": 5}"#);
        latest.store(b"not json");
        assert_eq!(latest.get().map(|s| s.tx), Some(40));
    }
}
