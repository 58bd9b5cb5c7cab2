//! What one Kafka record of a queue carries.
//!
//! The record value is a small binary header followed by the payload:
//!
//! ```text
//! byte 0   version (1)
//! byte 1   flags: bit 0 = the payload is a PHP string as is (no serialize()),
//!                 bit 1 = a not-before time follows (delayed item)
//! byte 2   length of the item id, then the id (ASCII)
//! [8 bytes not-before, Unix milliseconds, little endian]
//! payload
//! ```
//!
//! The item's creation time is the record's timestamp (CreateTime), so it costs nothing here.

use std::fmt;

const VERSION: u8 = 1;
const FLAG_RAW_STRING: u8 = 0b01;
const FLAG_NOT_BEFORE: u8 = 0b10;

/// How the payload bytes are to be turned back into a PHP value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// The bytes are a PHP string.
    RawString,
    /// The bytes are the output of PHP's serialize().
    Serialized,
}

/// A decoded record value, borrowing from the record.
#[derive(Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub item_id: &'a str,
    pub kind: PayloadKind,
    pub not_before_ms: Option<i64>,
    pub payload: &'a [u8],
}

#[derive(Debug, PartialEq, Eq)]
pub struct EnvelopeError(&'static str);

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a kafka_queue record: {}", self.0)
    }
}

/// Writes a record value into `out` (cleared first, so a buffer can be reused).
pub fn encode_into(
    out: &mut Vec<u8>,
    item_id: &str,
    kind: PayloadKind,
    not_before_ms: Option<i64>,
    payload: &[u8],
) {
    debug_assert!(item_id.len() <= usize::from(u8::MAX));
    out.clear();
    out.reserve(3 + item_id.len() + 8 + payload.len());
    let mut flags = 0;
    if kind == PayloadKind::RawString {
        flags |= FLAG_RAW_STRING;
    }
    if not_before_ms.is_some() {
        flags |= FLAG_NOT_BEFORE;
    }
    out.extend_from_slice(&[VERSION, flags, item_id.len() as u8]);
    out.extend_from_slice(item_id.as_bytes());
    if let Some(ms) = not_before_ms {
        out.extend_from_slice(&ms.to_le_bytes());
    }
    out.extend_from_slice(payload);
}

/// Reads a record value. Never panics, whatever the bytes.
pub fn decode(value: &[u8]) -> Result<Envelope<'_>, EnvelopeError> {
    let [version, flags, id_len, rest @ ..] = value else {
        return Err(EnvelopeError("shorter than its header"));
    };
    if *version != VERSION {
        return Err(EnvelopeError("unknown version"));
    }
    if flags & !(FLAG_RAW_STRING | FLAG_NOT_BEFORE) != 0 {
        return Err(EnvelopeError("unknown flags"));
    }
    let id_len = usize::from(*id_len);
    if id_len == 0 || rest.len() < id_len {
        return Err(EnvelopeError("bad item id length"));
    }
    let (id, mut rest) = rest.split_at(id_len);
    let item_id = std::str::from_utf8(id).map_err(|_| EnvelopeError("item id is not text"))?;
    let mut not_before_ms = None;
    if flags & FLAG_NOT_BEFORE != 0 {
        let Some((ms, tail)) = rest.split_first_chunk::<8>() else {
            return Err(EnvelopeError("truncated not-before time"));
        };
        not_before_ms = Some(i64::from_le_bytes(*ms));
        rest = tail;
    }
    let kind = if flags & FLAG_RAW_STRING != 0 {
        PayloadKind::RawString
    } else {
        PayloadKind::Serialized
    };
    Ok(Envelope {
        item_id,
        kind,
        not_before_ms,
        payload: rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut buf = Vec::new();
        encode_into(
            &mut buf,
            "abc-1",
            PayloadKind::Serialized,
            None,
            b"s:1:\"x\";",
        );
        let env = decode(&buf).unwrap();
        assert_eq!(env.item_id, "abc-1");
        assert_eq!(env.kind, PayloadKind::Serialized);
        assert_eq!(env.not_before_ms, None);
        assert_eq!(env.payload, b"s:1:\"x\";");

        encode_into(&mut buf, "id", PayloadKind::RawString, Some(-7), b"");
        let env = decode(&buf).unwrap();
        assert_eq!(env.kind, PayloadKind::RawString);
        assert_eq!(env.not_before_ms, Some(-7));
        assert!(env.payload.is_empty());
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        for bad in [
            &b""[..],
            b"\x01",
            b"\x02\x00\x01a",
            b"\x01\x80\x01a",
            b"\x01\x00\x00",
            b"\x01\x00\x05ab",
            b"\x01\x02\x01a\x01\x02",
            b"\x01\x00\x01\xff",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever a topic holds (records of other producers, corruption), decoding
            /// never panics and never reads past the value.
            #[test]
            fn decode_never_panics(value in proptest::collection::vec(any::<u8>(), 0..300)) {
                if let Ok(env) = decode(&value) {
                    prop_assert!(env.payload.len() < value.len());
                }
            }

            #[test]
            fn round_trip(
                id in "[a-z0-9-]{1,40}",
                raw in any::<bool>(),
                not_before in proptest::option::of(any::<i64>()),
                payload in proptest::collection::vec(any::<u8>(), 0..300),
            ) {
                let kind = if raw { PayloadKind::RawString } else { PayloadKind::Serialized };
                let mut buf = Vec::new();
                encode_into(&mut buf, &id, kind, not_before, &payload);
                let env = decode(&buf).unwrap();
                prop_assert_eq!(env.item_id, id.as_str());
                prop_assert_eq!(env.kind, kind);
                prop_assert_eq!(env.not_before_ms, not_before);
                prop_assert_eq!(env.payload, payload.as_slice());
            }
        }
    }
}
