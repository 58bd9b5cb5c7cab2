//! The exception classes, and how queue errors become PHP exceptions.

use ext_php_rs::exception::PhpException;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::zend::ClassEntry;

use super::symbols;
use crate::queue::QueueError;

fn runtime_exception() -> &'static ClassEntry {
    symbols::spl_class(c"spl_ce_RuntimeException").unwrap_or_else(ext_php_rs::zend::ce::exception)
}

fn invalid_argument_exception() -> &'static ClassEntry {
    symbols::spl_class(c"spl_ce_InvalidArgumentException")
        .unwrap_or_else(ext_php_rs::zend::ce::exception)
}

/// The PHP name of the extension's exception class.
const EXCEPTION_CLASS: &str = "KafkaQueueException";

/// Registers `KafkaQueueException extends RuntimeException` at module start-up. It is built
/// without an object handler of its own, so that it inherits Exception's, which records the
/// file, line and trace where it is thrown.
pub fn register_exception_class() -> ext_php_rs::error::Result<()> {
    ClassBuilder::new(EXCEPTION_CLASS)
        .extends((runtime_exception, "RuntimeException"))
        .registration(|class, arg_info| {
            EXCEPTION_ENTRY.store(class, Ordering::Release);
            // The class has no methods of its own; the (empty) tables live as long as PHP.
            std::mem::forget(arg_info);
        })
        .register()
}

static EXCEPTION_ENTRY: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

fn kafka_queue_exception() -> &'static ClassEntry {
    // SAFETY: set once in MINIT to a class entry PHP keeps for the life of the process.
    unsafe { EXCEPTION_ENTRY.load(Ordering::Acquire).as_ref() }.unwrap_or_else(runtime_exception)
}

/// A bad argument: a negative delay, an item that is not this queue's, data that cannot be
/// queued.
pub fn invalid_argument(message: impl Into<String>) -> PhpException {
    PhpException::new(message.into(), 0, invalid_argument_exception())
}

pub fn kafka_error(message: impl Into<String>) -> PhpException {
    PhpException::new(message.into(), 0, kafka_queue_exception())
}

/// KafkaQueueException::QUEUE_BUSY: impossible while other workers are live members.
const QUEUE_BUSY: i32 = 11;

impl From<QueueError> for PhpException {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::InvalidArgument(m) => invalid_argument(m),
            QueueError::Config(m) | QueueError::Kafka(m) => kafka_error(m),
            QueueError::Busy(m) => PhpException::new(m, QUEUE_BUSY, kafka_queue_exception()),
        }
    }
}
