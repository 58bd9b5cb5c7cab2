//! PHP values to queue payloads and back: strings travel as they are, everything else through
//! PHP's own serialize() and unserialize(), so that claimItem returns an identical value.

use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::types::{ZendStr, Zval};
use ext_php_rs::zend::{ExecutorGlobals, Function};

use super::errors::{invalid_argument, queue_exception};
use crate::queue::envelope::PayloadKind;
use crate::queue::ErrorCode;

/// A payload ready for the queue: borrowed for strings, owned when serialized.
pub enum Payload<'a> {
    Raw(&'a [u8]),
    Serialized(Zval),
}

impl Payload<'_> {
    pub fn kind(&self) -> PayloadKind {
        match self {
            Payload::Raw(_) => PayloadKind::RawString,
            Payload::Serialized(_) => PayloadKind::Serialized,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Payload::Raw(bytes) => bytes,
            Payload::Serialized(z) => z.zend_str().map(|s| s.as_bytes()).unwrap_or_default(),
        }
    }
}

fn call(name: &str, args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn>) -> Result<Zval, String> {
    let function =
        Function::try_from_function(name).ok_or_else(|| format!("{name}() is not available"))?;
    let result = function.try_call(args);
    // A PHP exception (such as "Serialization of 'Closure' is not allowed") may be pending,
    // whatever the call returned: take it over, so that the caller sees one clear exception.
    if let Some(exception) = ExecutorGlobals::take_exception() {
        return Err(exception
            .get_property::<String>("message")
            .unwrap_or_else(|_| format!("{name}() threw")));
    }
    result.map_err(|e| e.to_string())
}

/// Turns `$data` into a payload, refusing what cannot come back identical.
pub fn encode(data: &Zval) -> Result<Payload<'_>, PhpException> {
    if let Some(s) = data.zend_str() {
        return Ok(Payload::Raw(s.as_bytes()));
    }
    if data.is_resource() {
        return Err(invalid_argument(
            "a resource cannot be queued: serialize() would turn it into the integer 0; queue \
             what the worker needs to reopen it instead",
        ));
    }
    let serialized = call("serialize", vec![data]).map_err(|e| {
        invalid_argument(format!(
            "the item cannot be queued because PHP cannot serialize it ({e}); queue plain data \
             (scalars, arrays, serializable objects) instead of closures or resources"
        ))
    })?;
    if !serialized.is_string() {
        return Err(invalid_argument(
            "serialize() did not return a string for the item",
        ));
    }
    Ok(Payload::Serialized(serialized))
}

/// Turns a stored payload back into the PHP value.
pub fn decode(kind: PayloadKind, bytes: &[u8]) -> Result<Zval, PhpException> {
    let mut string = Zval::new();
    string.set_zend_string(ZendStr::new(bytes, false));
    match kind {
        PayloadKind::RawString => Ok(string),
        PayloadKind::Serialized => call("unserialize", vec![&string]).map_err(|e| {
            queue_exception(
                format!("an item could not be unserialized: {e}"),
                ErrorCode::Failed,
            )
        }),
    }
}

/// A Rust string as a PHP value.
pub fn string_zval(s: &str) -> Zval {
    s.into_zval(false).unwrap_or_default()
}
