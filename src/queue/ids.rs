//! Item ids: unique across processes and machines without any coordination.
//!
//! An id is a 48-bit random process prefix and a counter, in hex. The prefix is drawn anew
//! whenever the process id changes, so forked PHP-FPM workers never share a sequence.

use std::collections::hash_map::RandomState;
use std::fmt::Write;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::kafka::fork::current_pid;

struct Sequence {
    pid: u32,
    prefix: u64,
}

static SEQUENCE: Mutex<Option<Sequence>> = Mutex::new(None);
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn random_prefix(pid: u32) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(pid);
    hasher.write_u128(nanos);
    hasher.finish() & 0xffff_ffff_ffff
}

/// Writes a fresh item id into `out` (cleared first).
pub fn next_item_id(out: &mut String) {
    let pid = current_pid();
    let prefix = {
        let mut seq = SEQUENCE.lock();
        match seq.as_ref() {
            Some(s) if s.pid == pid => s.prefix,
            _ => {
                let prefix = random_prefix(pid);
                *seq = Some(Sequence { pid, prefix });
                COUNTER.store(0, Ordering::Relaxed);
                prefix
            }
        }
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    out.clear();
    let _ = write!(out, "{prefix:012x}-{n:x}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_short() {
        let mut seen = HashSet::new();
        let mut id = String::new();
        for _ in 0..10_000 {
            next_item_id(&mut id);
            assert!(id.len() <= 40 && !id.is_empty());
            assert!(seen.insert(id.clone()), "duplicate {id}");
        }
    }
}
