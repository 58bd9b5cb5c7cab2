//! The PHP binding, and nothing else: zvals in, Rust types out, and back. The module entry
//! registers the classes, the php.ini directives, the phpinfo() section and the lifecycle
//! hooks that flush and close the Kafka clients.

mod admin;
mod args;
mod codec;
mod errors;
mod queue;
mod settings;
mod symbols;

use std::ffi::{c_int, CString};

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::queue::registry;

static INI_ENTRIES: IniEntryDefs<10> = IniEntryDefs::new([
    IniEntryDef::new(
        c"kafka_queue.brokers",
        c"127.0.0.1:9092",
        IniEntryPermission::All,
    ),
    IniEntryDef::new(c"kafka_queue.group_id", c"drupal", IniEntryPermission::All),
    IniEntryDef::new(c"kafka_queue.topic_prefix", c"", IniEntryPermission::All),
    IniEntryDef::new(c"kafka_queue.delivery", c"strict", IniEntryPermission::All),
    IniEntryDef::new(c"kafka_queue.commit", c"strict", IniEntryPermission::All),
    IniEntryDef::new(
        c"kafka_queue.claim_wait_ms",
        c"2000",
        IniEntryPermission::All,
    ),
    IniEntryDef::new(
        c"kafka_queue.join_wait_ms",
        c"12000",
        IniEntryPermission::All,
    ),
    IniEntryDef::new(
        c"kafka_queue.idle_leave_ms",
        c"1000",
        IniEntryPermission::All,
    ),
    IniEntryDef::new(c"kafka_queue.timeout_ms", c"5000", IniEntryPermission::All),
    IniEntryDef::end(),
]);

const LOG_WARNING: c_int = 4;

/// Writes to PHP's error log (stderr for the CLI unless error_log says otherwise).
fn log_to_php(message: &str) {
    if let Ok(message) = CString::new(message.replace('\0', " ")) {
        symbols::log_error(&message, LOG_WARNING);
    }
}

extern "C" fn startup(_type: i32, module_number: i32) -> i32 {
    IniEntryDef::register(INI_ENTRIES.as_slice(), module_number);
    crate::queue::report::install(log_to_php);
    match errors::register_exception_class() {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

extern "C" fn request_shutdown(_type: i32, _module_number: i32) -> i32 {
    registry::end_request();
    0
}

extern "C" fn shutdown(_type: i32, _module_number: i32) -> i32 {
    registry::end_process();
    0
}

extern "C" fn info(module: *mut ModuleEntry) {
    let librdkafka = crate::queue::librdkafka_version();
    info_table_start!();
    info_table_row!("kafka_queue support", "enabled");
    info_table_row!("version", env!("CARGO_PKG_VERSION"));
    // What build.rs recorded: the PHP this build is for and the release archive it belongs in.
    info_table_row!(
        "built for",
        concat!(
            "PHP ",
            env!("KAFKA_QUEUE_PHP_VERSION"),
            " (API ",
            env!("KAFKA_QUEUE_PHP_API"),
            ", ",
            env!("KAFKA_QUEUE_PHP_BUILD"),
            ")"
        )
    );
    info_table_row!("release", env!("KAFKA_QUEUE_RELEASE"));
    info_table_row!("librdkafka", librdkafka.as_str());
    info_table_row!(
        "librdkafka features",
        env!("KAFKA_QUEUE_LIBRDKAFKA_FEATURES")
    );
    info_table_end!();
    symbols::display_ini_entries(module);
}

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .name("kafka_queue")
        .version(env!("CARGO_PKG_VERSION"))
        .class::<queue::KafkaQueue>()
        .class::<admin::KafkaQueueAdmin>()
        .request_shutdown_function(request_shutdown)
        .shutdown_function(shutdown)
        .info_function(info)
}
