//! Item ids: unique across processes and machines without any coordination.
//!
//! An id is a 48-bit random process prefix and a counter, in hex. The prefix is drawn anew
//! whenever the process id changes, so forked PHP-FPM workers never share a sequence.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use crate::process::fork::current_pid;

struct Sequence {
    pid: u32,
    /// "<prefix>-": the same for every id of the process, formatted once.
    head: String,
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
    out.clear();
    {
        let mut seq = SEQUENCE.lock();
        match seq.as_ref() {
            Some(s) if s.pid == pid => out.push_str(&s.head),
            _ => {
                let prefix = random_prefix(pid);
                let mut head = String::with_capacity(13);
                push_hex(&mut head, prefix, 12);
                head.push('-');
                out.push_str(&head);
                *seq = Some(Sequence { pid, head });
                COUNTER.store(0, Ordering::Relaxed);
            }
        }
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    push_hex(out, n, 1);
}

/// Lower-case hex of `n` with at least `min_digits` digits, as `{:0width$x}` writes it,
/// without going through core::fmt (a third of next_item_id's instructions).
fn push_hex(out: &mut String, n: u64, min_digits: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 && buf.len() - i >= min_digits {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("hex digits are ASCII"));
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
