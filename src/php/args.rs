//! Loosely typed arguments. The methods must declare `mixed` parameters to stay compatible with
//! Drupal's untyped interfaces, yet they can still show PHP's reflection their real defaults
//! (`$lease_time = 3600`), and read values the way PHP callers pass them.

use ext_php_rs::convert::{FromZval, StubLiteral};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::Zval;

use super::errors::invalid_argument;

/// An integer given as int, numeric string or float; `None` when it is none of those.
pub struct LooseInt(Option<i64>);

impl From<i32> for LooseInt {
    fn from(n: i32) -> Self {
        LooseInt(Some(i64::from(n)))
    }
}

impl StubLiteral for LooseInt {
    fn stub_literal(&self) -> String {
        self.0
            .map(|n| n.to_string())
            .unwrap_or_else(|| "null".into())
    }
}

impl<'a> FromZval<'a> for LooseInt {
    const TYPE: DataType = DataType::Mixed;

    fn from_zval(value: &'a Zval) -> Option<Self> {
        // Fractions round down, so that -0.5 counts as negative and 0.5 as zero.
        let from_float = |f: f64| f.is_finite().then(|| f.floor() as i64);
        let n = value
            .long()
            .or_else(|| value.double().and_then(from_float))
            .or_else(|| {
                let s = value.str()?.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().and_then(from_float))
            });
        Some(LooseInt(n))
    }
}

impl LooseInt {
    /// The value, refused with a message naming the parameter when it is not an integer or
    /// is below `min`.
    pub fn at_least(&self, name: &str, min: i64, unit: &str) -> Result<i64, PhpException> {
        match self.0 {
            Some(n) if n >= min => Ok(n),
            Some(n) => Err(invalid_argument(format!(
                "${name} must be {min} or more {unit}, got {n}"
            ))),
            None => Err(invalid_argument(format!(
                "${name} must be a number of {unit}"
            ))),
        }
    }
}

/// A boolean given the way PHP would cast it.
pub struct LooseBool(bool);

impl From<bool> for LooseBool {
    fn from(b: bool) -> Self {
        LooseBool(b)
    }
}

impl StubLiteral for LooseBool {
    fn stub_literal(&self) -> String {
        self.0.to_string()
    }
}

impl<'a> FromZval<'a> for LooseBool {
    const TYPE: DataType = DataType::Mixed;

    fn from_zval(value: &'a Zval) -> Option<Self> {
        let truthy = value.bool().unwrap_or(false)
            || value.long().is_some_and(|n| n != 0)
            || value.str().is_some_and(|s| !s.is_empty() && s != "0");
        Some(LooseBool(truthy))
    }
}

impl LooseBool {
    pub fn get(&self) -> bool {
        self.0
    }
}
