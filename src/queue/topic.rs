//! Maps a Drupal queue name onto a legal Kafka topic name, deterministically.
//!
//! Kafka allows `[a-zA-Z0-9._-]`, at most 249 characters, and neither "." nor "..". A name that
//! is already legal (after the prefix) is used as is; any other gets its illegal characters
//! replaced by `_` and a hash of the original name appended, so that two different queue
//! names never share a topic.

const MAX_TOPIC_LEN: usize = 249;
const HASH_SUFFIX_LEN: usize = 1 + 16;

fn is_legal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// The topic for `queue`, with `prefix` in front.
pub fn topic_name(prefix: &str, queue: &str) -> String {
    let wanted = format!("{prefix}{queue}");
    let legal = !wanted.is_empty()
        && wanted.len() <= MAX_TOPIC_LEN
        && wanted != "."
        && wanted != ".."
        && wanted.chars().all(is_legal_char);
    if legal {
        return wanted;
    }
    let mut cleaned: String = wanted
        .chars()
        .map(|c| if is_legal_char(c) { c } else { '_' })
        .collect();
    cleaned.truncate(MAX_TOPIC_LEN - HASH_SUFFIX_LEN);
    format!("{cleaned}-{:016x}", fnv1a64(wanted.as_bytes()))
}

/// FNV-1a: stable across releases and platforms, unlike std's hashers.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_are_kept() {
        assert_eq!(topic_name("", "foo"), "foo");
        assert_eq!(
            topic_name("site1.", "aggregator_feeds"),
            "site1.aggregator_feeds"
        );
    }

    #[test]
    fn illegal_names_map_deterministically_and_distinctly() {
        let a = topic_name("", "entity:node");
        let b = topic_name("", "entity/node");
        assert!(a.starts_with("entity_node-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, topic_name("", "entity:node"));
        assert!(a.chars().all(is_legal_char));
    }

    #[test]
    fn empty_dots_and_long_names_become_legal() {
        for name in ["", ".", ".."] {
            let t = topic_name("", name);
            assert!(t != "." && t != ".." && !t.is_empty(), "{t}");
        }
        let long = "x".repeat(400);
        let t = topic_name("", &long);
        assert!(t.len() <= MAX_TOPIC_LEN);
        assert_ne!(t, topic_name("", &"x".repeat(401)));
    }

    #[test]
    fn non_ascii_is_replaced() {
        let t = topic_name("", "fila_ñ");
        assert!(t.chars().all(is_legal_char), "{t}");
    }
}
