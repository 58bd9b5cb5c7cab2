//! Settings from php.ini defaults and a constructor's configuration array.

use ext_php_rs::exception::PhpException;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ExecutorGlobals;

use super::errors::configuration_error;
use crate::queue::config::Settings;

/// php.ini directives and the setting each one gives a default for.
pub const INI_SETTINGS: &[(&str, &str)] = &[
    ("kafka_queue.brokers", "bootstrap.servers"),
    ("kafka_queue.group_id", "group.id"),
    ("kafka_queue.topic_prefix", "topic_prefix"),
    ("kafka_queue.delivery", "delivery"),
    ("kafka_queue.commit", "commit"),
    ("kafka_queue.claim_wait_ms", "claim_wait_ms"),
    ("kafka_queue.join_wait_ms", "join_wait_ms"),
    ("kafka_queue.idle_leave_ms", "idle_leave_ms"),
    ("kafka_queue.timeout_ms", "timeout_ms"),
];

fn scalar_string(key: &str, value: &Zval) -> Result<String, PhpException> {
    if let Some(s) = value.str() {
        return Ok(s.to_string());
    }
    if let Some(b) = value.bool() {
        return Ok(if b { "true" } else { "false" }.to_string());
    }
    if let Some(n) = value.long() {
        return Ok(n.to_string());
    }
    if let Some(f) = value.double() {
        return Ok(f.to_string());
    }
    Err(configuration_error(format!(
        "invalid value for option \"{key}\": expected a string, integer or boolean"
    )))
}

/// php.ini defaults, then the array's keys in order.
pub fn from_config(config: Option<&ZendHashTable>) -> Result<Settings, PhpException> {
    let mut settings = Settings::defaults();
    let ini = ExecutorGlobals::get().ini_values();
    for (directive, key) in INI_SETTINGS {
        if let Some(Some(value)) = ini.get(*directive) {
            if !value.is_empty() {
                settings.set(key, value).map_err(|e| {
                    configuration_error(format!("php.ini directive {directive}: {e}"))
                })?;
            }
        }
    }
    for (key, value) in config.into_iter().flat_map(|c| c.iter()) {
        let key = key.to_string();
        let value = scalar_string(&key, value)?;
        settings
            .set(&key, &value)
            .map_err(|e| configuration_error(e.0))?;
    }
    Ok(settings)
}
