//! The deleted list of one partition: a set of offsets kept as sorted runs, and its encoding
//! into the metadata string of a Kafka offset commit.
//!
//! The committed offset of a partition is its *base*: every offset below it is done. The
//! metadata says how far past the base the writer had read (`span`: no deletion can lie beyond
//! it), then lists the done offsets above the base, as runs relative to the previous run's end,
//! in plain decimal so that `kafka-consumer-groups --describe` output stays readable:
//!
//! ```text
//! kq1/<span>,<gap>+<length>,<gap>+<length>...
//! ```
//!
//! The lease ends of items held when the commit was made follow, after a `;` (see
//! [`super::leases`]).
//!
//! Brokers cap the metadata (`offset.metadata.max.bytes`, 4096 by default). When the runs do not
//! fit, the encoding keeps the runs closest to the base and reports the rest as not persisted:
//! they stay in memory and are persisted once the base moves past the item that holds it back.
//! Leases get what the runs leave of the budget, the ones closest to the base first.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::leases::Leases;

const PREFIX: &str = "kq1";

/// Offsets as non-overlapping, non-adjacent half-open runs `[start, end)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetSet {
    runs: BTreeMap<i64, i64>,
    len: u64,
}

impl OffsetSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of offsets in the set.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of runs: what the encoding's size depends on.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    pub fn contains(&self, offset: i64) -> bool {
        self.runs
            .range(..=offset)
            .next_back()
            .is_some_and(|(_, &end)| offset < end)
    }

    /// Adds `[start, end)`. Returns how many offsets were new.
    pub fn insert_range(&mut self, start: i64, end: i64) -> u64 {
        if start >= end {
            return 0;
        }
        let mut new_start = start;
        let mut new_end = end;
        let mut covered = 0;
        // Runs that overlap or touch [start, end) are merged into one.
        let touching: Vec<(i64, i64)> = self
            .runs
            .range(..=end)
            .rev()
            .take_while(|(_, &e)| e >= start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touching {
            self.runs.remove(&s);
            covered += (e.min(end) - s.max(start)).max(0) as u64;
            self.len -= (e - s) as u64;
            new_start = new_start.min(s);
            new_end = new_end.max(e);
        }
        self.runs.insert(new_start, new_end);
        self.len += (new_end - new_start) as u64;
        (end - start) as u64 - covered
    }

    pub fn insert(&mut self, offset: i64) -> bool {
        self.insert_range(offset, offset + 1) == 1
    }

    /// If a run starts exactly at `offset`, removes it and returns its end.
    pub fn take_run_at(&mut self, offset: i64) -> Option<i64> {
        let end = self.runs.remove(&offset)?;
        self.len -= (end - offset) as u64;
        Some(end)
    }

    /// Drops every offset below `offset`.
    pub fn remove_below(&mut self, offset: i64) {
        while let Some((&s, &e)) = self.runs.first_key_value() {
            if s >= offset {
                break;
            }
            self.runs.remove(&s);
            self.len -= (e - s) as u64;
            if e > offset {
                self.runs.insert(offset, e);
                self.len += (e - offset) as u64;
                break;
            }
        }
    }

    /// How many offsets of `[start, end)` are in the set.
    pub fn count_in(&self, start: i64, end: i64) -> u64 {
        if start >= end {
            return 0;
        }
        let first = self
            .runs
            .range(..=start)
            .next_back()
            .map(|(&s, _)| s)
            .unwrap_or(start);
        self.runs
            .range(first..end)
            .map(|(&s, &e)| (e.min(end) - s.max(start)).max(0) as u64)
            .sum()
    }

    pub fn runs(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.runs.iter().map(|(&s, &e)| (s, e))
    }
}

/// Items alive in `[low, high)` of a partition whose first not-done offset is `base`: neither
/// deleted nor removed by retention.
pub fn live_items(base: i64, done: &OffsetSet, low: i64, high: i64) -> i64 {
    let from = base.max(low);
    (high - from - done.count_in(from, high) as i64).max(0)
}

/// A decoded deleted list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    pub done: OffsetSet,
    /// The first offset the writer had not read: every deletion lies below it.
    pub read_to: i64,
    /// Lease ends of the items the writer held.
    pub leases: Leases,
}

/// The result of encoding a deleted list for one commit.
#[derive(Debug, PartialEq, Eq)]
pub struct Encoded {
    pub metadata: String,
    /// Runs that did not fit into the budget and are therefore not persisted by this commit.
    pub runs_left_out: usize,
    /// Leases that did not fit (their items come back before their lease ends).
    pub leases_left_out: usize,
}

/// Encodes the runs of `set` above `base`, read up to `read_to`, then the `leases`, into at
/// most `budget` bytes.
pub fn encode(base: i64, set: &OffsetSet, read_to: i64, leases: &Leases, budget: usize) -> Encoded {
    // What the list names was read: its runs and its leased offsets.
    let read_to = read_to
        .max(base)
        .max(set.runs.last_key_value().map_or(base, |(_, &e)| e))
        .max(leases.iter().last().map_or(base, |(o, _)| o + 1));
    let mut metadata = format!("{PREFIX}/{}", read_to - base);
    let mut previous_end = base;
    let mut written = 0;
    let mut piece = String::new();
    for (start, end) in set.runs() {
        debug_assert!(start > base, "a run at or below the base");
        piece.clear();
        let _ = write!(piece, ",{}+{}", start - previous_end, end - start);
        if metadata.len() + piece.len() > budget {
            break;
        }
        metadata.push_str(&piece);
        previous_end = end;
        written += 1;
    }
    let leases_left_out = leases.encode_into(&mut metadata, base, budget);
    Encoded {
        metadata,
        runs_left_out: set.run_count() - written,
        leases_left_out,
    }
}

/// Why a committed metadata string could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

/// Decodes a metadata string written by [`encode`] for the given base. An empty string (a
/// commit by another tool, or none) is an empty list; anything else malformed, including runs
/// past the writer's read position, is an error, so that the caller can report it and fall
/// back to re-delivery rather than loss.
pub fn decode(base: i64, metadata: &str) -> Result<Decoded, DecodeError> {
    let mut set = OffsetSet::new();
    if metadata.is_empty() {
        return Ok(Decoded {
            done: set,
            read_to: base,
            leases: Leases::new(),
        });
    }
    let (runs, leases) = match metadata.split_once(';') {
        Some((runs, leases)) => (runs, Some(leases)),
        None => (metadata, None),
    };
    let mut parts = runs.split(',');
    let unknown = || {
        DecodeError(format!(
            "unknown deleted-list format {:?}",
            metadata.chars().take(16).collect::<String>()
        ))
    };
    let header = parts.next().ok_or_else(unknown)?;
    let span: i64 = header
        .strip_prefix(PREFIX)
        .and_then(|h| h.strip_prefix('/'))
        .and_then(|s| s.parse().ok())
        .filter(|&s| s >= 0)
        .ok_or_else(unknown)?;
    let read_to = base.checked_add(span).ok_or_else(unknown)?;
    let mut previous_end = base;
    for part in parts {
        let bad = || DecodeError(format!("malformed deleted-list run {part:?}"));
        let (gap, len) = part.split_once('+').ok_or_else(bad)?;
        let gap: i64 = gap.parse().map_err(|_| bad())?;
        let len: i64 = len.parse().map_err(|_| bad())?;
        if gap < 1 || len < 1 {
            return Err(bad());
        }
        let start = previous_end.checked_add(gap).ok_or_else(bad)?;
        let end = start.checked_add(len).ok_or_else(bad)?;
        if end > read_to {
            return Err(DecodeError(format!(
                "deleted-list run {part:?} lies past the writer's read position {read_to}"
            )));
        }
        set.insert_range(start, end);
        previous_end = end;
    }
    let leases = match leases {
        Some(section) => Leases::decode(base, read_to, section)?,
        None => Leases::new(),
    };
    Ok(Decoded {
        done: set,
        read_to,
        leases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(offsets: &[i64]) -> OffsetSet {
        let mut s = OffsetSet::new();
        for &o in offsets {
            s.insert(o);
        }
        s
    }

    #[test]
    fn runs_merge_and_count() {
        let mut s = set_of(&[5, 7, 6, 10, 11, 9]);
        assert_eq!(s.runs().collect::<Vec<_>>(), vec![(5, 8), (9, 12)]);
        assert_eq!(s.len(), 6);
        assert!(!s.insert(6));
        assert!(s.contains(11) && !s.contains(8) && !s.contains(12) && !s.contains(4));
        assert_eq!(s.insert_range(4, 13), 3);
        assert_eq!(s.runs().collect::<Vec<_>>(), vec![(4, 13)]);
        assert_eq!(s.count_in(0, 6), 2);
        assert_eq!(s.count_in(10, 100), 3);
        s.remove_below(8);
        assert_eq!(s.runs().collect::<Vec<_>>(), vec![(8, 13)]);
        assert_eq!(s.len(), 5);
        assert_eq!(s.take_run_at(8), Some(13));
        assert!(s.is_empty());
    }

    #[test]
    fn encode_decode_round_trip() {
        let s = set_of(&[3, 4, 5, 9, 1000]);
        let enc = encode(2, &s, 1200, &Leases::new(), 4000);
        assert_eq!(enc.metadata, "kq1/1198,1+3,3+1,990+1");
        assert_eq!(enc.runs_left_out, 0);
        let decoded = decode(2, &enc.metadata).unwrap();
        assert_eq!((decoded.done, decoded.read_to), (s.clone(), 1200));
        assert_eq!(decode(2, "").unwrap().read_to, 2);
        assert_eq!(
            encode(2, &OffsetSet::new(), 0, &Leases::new(), 4000).metadata,
            "kq1/0"
        );
        // The read position never lies below what the list itself says was read.
        assert_eq!(
            encode(2, &s, 0, &Leases::new(), 4000).metadata,
            "kq1/999,1+3,3+1,990+1"
        );
    }

    #[test]
    fn leases_follow_the_runs_and_round_trip() {
        let s = set_of(&[3, 4]);
        let mut leases = Leases::new();
        leases.insert(2, 5_000);
        leases.insert(6, 9_001);
        let enc = encode(2, &s, 8, &leases, 4000);
        assert_eq!(enc.metadata, "kq1/6,1+2;5,0+0,4+5");
        let decoded = decode(2, &enc.metadata).unwrap();
        assert_eq!(decoded.done, s);
        assert_eq!(
            decoded.leases.iter().collect::<Vec<_>>(),
            vec![(2, 5_000), (6, 10_000)]
        );
        // A lease on an offset the writer had not read is corruption.
        assert!(decode(2, "kq1/6,1+2;5,0+0,6+5").is_err());
        // Runs come first: when they fill the budget, the leases are left out.
        let many = set_of(&(0..2000).map(|i| 3 + i * 2).collect::<Vec<_>>());
        let enc = encode(2, &many, 5000, &leases, 4000);
        assert!(enc.metadata.len() <= 4000 && !enc.metadata.contains(';'));
        assert_eq!(enc.leases_left_out, 2);
    }

    #[test]
    fn encoding_respects_the_budget_and_keeps_the_oldest_runs() {
        let s = set_of(&(0..2000).map(|i| 1 + i * 2).collect::<Vec<_>>());
        let enc = encode(0, &s, 0, &Leases::new(), 4096);
        assert!(enc.metadata.len() <= 4096);
        assert!(enc.runs_left_out > 0);
        let kept = decode(0, &enc.metadata).unwrap().done;
        assert_eq!(kept.run_count() + enc.runs_left_out, 2000);
        assert!(kept.contains(1) && kept.contains(3));
    }

    #[test]
    fn live_items_counts_what_is_neither_deleted_nor_gone() {
        let done = decode(2, "kq1/3,1+2").unwrap().done; // 3 and 4 deleted
        assert_eq!(live_items(2, &done, 0, 10), 6);
        assert_eq!(live_items(2, &done, 4, 10), 5);
        assert_eq!(live_items(10, &OffsetSet::new(), 0, 10), 0);
        assert_eq!(live_items(0, &OffsetSet::new(), 7, 7), 0);
    }

    #[test]
    fn corrupted_metadata_is_an_error() {
        for bad in [
            "xyz",
            "kq1",
            "kq1,1+1",
            "kq1/",
            "kq1/-1",
            "kq1/9,",
            "kq1/9,0+1",
            "kq1/9,1+0",
            "kq1/9,a+1",
            "kq1/9,1-1",
            "kq2/9,1+1",
        ] {
            assert!(decode(0, bad).is_err(), "{bad}");
        }
        assert!(decode(i64::MAX - 1, "kq1/0").is_ok());
        assert!(decode(i64::MAX - 1, "kq1/5,5+5").is_err());
        // A deletion past what its writer had read is corruption, not a deletion.
        assert!(decode(0, "kq1/16,12+5").is_err());
        assert!(decode(0, "kq1/17,12+5").is_ok());
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the broker hands back as commit metadata, decoding never panics.
            #[test]
            fn decode_never_panics(base in any::<i64>(), metadata in ".{0,200}") {
                let _ = decode(base, &metadata);
            }

            /// Metadata close to valid: the prefix and runs of random numbers.
            #[test]
            fn decode_of_mangled_runs_never_panics(
                base in any::<i64>(),
                runs in proptest::collection::vec((any::<i64>(), any::<i64>()), 0..20),
            ) {
                let metadata: String = std::iter::once("kq1/100".to_string())
                    .chain(runs.iter().map(|(g, l)| format!(",{g}+{l}")))
                    .collect();
                let _ = decode(base, &metadata);
            }

            /// Any set above a base, with leases on other offsets, survives encode then decode,
            /// within the budget.
            #[test]
            fn encode_decode_round_trip(
                base in 0i64..1_000_000,
                offsets in proptest::collection::btree_set(1i64..5_000, 0..300),
                leased in proptest::collection::btree_map(0i64..5_000, 0i64..1_000_000, 0..100),
            ) {
                let mut set = OffsetSet::new();
                for o in &offsets {
                    set.insert(base + o);
                }
                let mut leases = Leases::new();
                for (&o, &end) in leased.iter().filter(|(o, _)| !offsets.contains(o)) {
                    leases.insert(base + o, end);
                }
                let encoded = encode(base, &set, base + 5_000, &leases, 4000);
                prop_assert!(encoded.metadata.len() <= 4000);
                let decoded = decode(base, &encoded.metadata).unwrap();
                prop_assert_eq!(decoded.leases.len() + encoded.leases_left_out, leases.len());
                let decoded = decoded.done;
                if encoded.runs_left_out == 0 {
                    prop_assert_eq!(decoded, set);
                } else {
                    prop_assert!(decoded.runs().all(|(s, e)| (s..e).all(|o| set.contains(o))));
                }
            }
        }
    }
}
