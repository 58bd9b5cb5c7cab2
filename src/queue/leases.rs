//! Lease ends of the items a worker holds, carried in the commit metadata after the deleted
//! list, so that the next owner of a partition (after a request's end, an idle leave, a
//! revocation or a process exit) does not hand an item out before its lease ends.
//!
//! The section starts with `;`, then the earliest lease end in Unix seconds, then one entry per
//! leased offset, ordered by offset: the gap to the previous leased offset (the first one from
//! the base, so it may be 0) and the seconds past the earliest end:
//!
//! ```text
//! ;<earliest end>,<gap>+<seconds>,<gap>+<seconds>...   e.g.  ;1764658800,0+0,2+30
//! ```
//!
//! (base+0 leased until 1764658800, base+2 until 30 s later). Ends are rounded up to whole
//! seconds: an item is never handed out before its lease ends, at most a second after.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::deleted::DecodeError;

/// Lease ends by offset, in Unix milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leases {
    ends: BTreeMap<i64, i64>,
}

impl Leases {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Records a lease end; of two ends for one offset, the later one holds.
    pub fn insert(&mut self, offset: i64, end_ms: i64) {
        let end = self.ends.entry(offset).or_insert(end_ms);
        *end = (*end).max(end_ms);
    }

    pub fn remove(&mut self, offset: i64) {
        self.ends.remove(&offset);
    }

    pub fn get(&self, offset: i64) -> Option<i64> {
        self.ends.get(&offset).copied()
    }

    /// Forgets the leases that ended at or before `now_ms`.
    pub fn retain_running(&mut self, now_ms: i64) {
        self.ends.retain(|_, &mut end| end > now_ms);
    }

    /// Keeps only the offsets `keep` accepts.
    pub fn retain_offsets(&mut self, mut keep: impl FnMut(i64) -> bool) {
        self.ends.retain(|&o, _| keep(o));
    }

    pub fn iter(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.ends.iter().map(|(&o, &e)| (o, e))
    }

    /// Appends the section for the leases at or above `base` to `out`, as long as `out` stays
    /// within `budget` bytes; the leases closest to the base go first. Returns how many did not
    /// fit.
    pub fn encode_into(&self, out: &mut String, base: i64, budget: usize) -> usize {
        let above: Vec<(i64, i64)> = self.ends.range(base..).map(|(&o, &e)| (o, e)).collect();
        let Some(earliest) = above.iter().map(|&(_, e)| seconds_up(e)).min() else {
            return 0;
        };
        let mut section = format!(";{earliest}");
        let mut previous = base;
        let mut written = 0;
        let mut piece = String::new();
        for &(offset, end) in &above {
            piece.clear();
            let _ = write!(
                piece,
                ",{}+{}",
                offset - previous,
                seconds_up(end) - earliest
            );
            if out.len() + section.len() + piece.len() > budget {
                break;
            }
            section.push_str(&piece);
            previous = offset;
            written += 1;
        }
        if written > 0 {
            out.push_str(&section);
        }
        above.len() - written
    }

    /// Decodes a section written by [`Self::encode_into`] (without its leading `;`) for a
    /// partition whose base is `base` and whose writer had read to `read_to`.
    pub fn decode(base: i64, read_to: i64, section: &str) -> Result<Leases, DecodeError> {
        let bad = |what: &str| DecodeError(format!("malformed lease list {what:?}"));
        let mut parts = section.split(',');
        let head = parts.next().unwrap_or_default();
        let earliest: i64 = head
            .parse()
            .ok()
            .filter(|&s| s >= 0)
            .ok_or_else(|| bad(head))?;
        let mut leases = Leases::new();
        let mut previous = base;
        for part in parts {
            let (gap, seconds) = part.split_once('+').ok_or_else(|| bad(part))?;
            let gap: i64 = gap.parse().map_err(|_| bad(part))?;
            let seconds: i64 = seconds.parse().map_err(|_| bad(part))?;
            let first = leases.is_empty();
            if gap < i64::from(!first) || seconds < 0 {
                return Err(bad(part));
            }
            let offset = previous.checked_add(gap).ok_or_else(|| bad(part))?;
            if offset >= read_to {
                return Err(DecodeError(format!(
                    "lease {part:?} lies past the writer's read position {read_to}"
                )));
            }
            let end_ms = earliest
                .checked_add(seconds)
                .and_then(|s| s.checked_mul(1000))
                .ok_or_else(|| bad(part))?;
            leases.ends.insert(offset, end_ms);
            previous = offset;
        }
        if leases.is_empty() {
            return Err(bad(section));
        }
        Ok(leases)
    }
}

/// Milliseconds to whole seconds, rounded up (never negative).
fn seconds_up(ms: i64) -> i64 {
    (ms.max(0) as u64).div_ceil(1000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_658_800_000;

    #[test]
    fn encodes_relative_to_the_base_and_the_earliest_end() {
        let mut l = Leases::new();
        l.insert(10, NOW + 30_000);
        l.insert(12, NOW + 60_500);
        let mut out = String::from("kq1/5");
        assert_eq!(l.encode_into(&mut out, 10, 4000), 0);
        assert_eq!(out, "kq1/5;1764658830,0+0,2+31");
        let back = Leases::decode(10, 15, "1764658830,0+0,2+31").unwrap();
        assert_eq!(back.get(10), Some(NOW + 30_000));
        assert_eq!(
            back.get(12),
            Some(NOW + 61_000),
            "rounded up, never earlier"
        );
        // Nothing to say, nothing written.
        let mut out = String::from("kq1/0");
        assert_eq!(Leases::new().encode_into(&mut out, 0, 4000), 0);
        assert_eq!(out, "kq1/0");
    }

    #[test]
    fn leases_below_the_base_are_left_out_and_the_budget_holds() {
        let mut l = Leases::new();
        for o in 0..2000 {
            l.insert(o * 3, NOW + o * 1000);
        }
        let mut out = String::from("kq1/9000");
        let left_out = l.encode_into(&mut out, 300, 4000);
        assert!(out.len() <= 4000);
        assert!(left_out > 0);
        let back = Leases::decode(300, 9300, out.split_once(';').unwrap().1).unwrap();
        assert_eq!(back.len() + left_out, 1900);
        assert!(back.get(300).is_some() && back.get(297).is_none());
    }

    #[test]
    fn corrupted_sections_are_errors() {
        for bad in [
            "",
            "x",
            "-1,0+1",
            "100",
            "100,",
            "100,a+1",
            "100,0+-1",
            "100,-1+1",
            "100,0+1,0+1",
            "100,50+1",
            "9223372036854775807,0+1",
            "100,0+9223372036854775807",
        ] {
            assert!(Leases::decode(0, 50, bad).is_err(), "{bad}");
        }
        assert!(Leases::decode(0, 50, "100,0+0,1+5").is_ok());
    }

    mod fuzz {
        use super::super::*;
        use super::NOW;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the broker hands back, decoding never panics.
            #[test]
            fn decode_never_panics(
                base in any::<i64>(),
                read_to in any::<i64>(),
                section in ".{0,200}",
            ) {
                let _ = Leases::decode(base, read_to, &section);
            }

            /// Numbers close to valid ones.
            #[test]
            fn decode_of_mangled_entries_never_panics(
                base in any::<i64>(),
                earliest in any::<i64>(),
                entries in proptest::collection::vec((any::<i64>(), any::<i64>()), 0..20),
            ) {
                let section: String = std::iter::once(earliest.to_string())
                    .chain(entries.iter().map(|(g, s)| format!(",{g}+{s}")))
                    .collect();
                let _ = Leases::decode(base, base.saturating_add(1000), &section);
            }

            /// Any leases above a base survive encode then decode, rounded up to seconds, within
            /// the budget; what does not fit is the leases furthest from the base.
            #[test]
            fn encode_decode_round_trip(
                base in 0i64..1_000_000,
                leases in proptest::collection::btree_map(0i64..5_000, 0i64..10_000_000, 0..400),
                budget in 100usize..4000,
            ) {
                let mut l = Leases::new();
                for (&o, &d) in &leases {
                    l.insert(base + o, NOW + d);
                }
                let mut out = String::from("kq1/5000");
                let left_out = l.encode_into(&mut out, base, budget);
                prop_assert!(out.len() <= budget.max("kq1/5000".len()));
                let Some((_, section)) = out.split_once(';') else {
                    prop_assert_eq!(left_out, l.len());
                    return Ok(());
                };
                let back = Leases::decode(base, base + 5_000, section).unwrap();
                prop_assert_eq!(back.len() + left_out, l.len());
                let kept: Vec<(i64, i64)> = back.iter().collect();
                let expected: Vec<(i64, i64)> = l
                    .iter()
                    .take(back.len())
                    .map(|(o, e)| (o, (e as u64).div_ceil(1000) as i64 * 1000))
                    .collect();
                prop_assert_eq!(kept, expected);
            }
        }
    }
}
