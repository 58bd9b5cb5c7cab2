//! The exception classes, and how queue errors become PHP exceptions.

use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::{ClassBuilder, FunctionBuilder};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::{ConstantFlags, DataType, MethodFlags};
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{ClassEntry, ExecuteData};

use super::symbols;
use crate::queue::{ErrorCode, QueueError};

fn runtime_exception() -> &'static ClassEntry {
    symbols::spl_class(c"spl_ce_RuntimeException").unwrap_or_else(ext_php_rs::zend::ce::exception)
}

fn invalid_argument_exception() -> &'static ClassEntry {
    symbols::spl_class(c"spl_ce_InvalidArgumentException")
        .unwrap_or_else(ext_php_rs::zend::ce::exception)
}

/// The PHP name of the extension's exception class.
const EXCEPTION_CLASS: &str = "KafkaQueueException";

/// `KafkaQueueException::isRetriable()`: whether the same call may succeed later without
/// anyone changing credentials, ACLs, topics or configuration. Decided by the exception code.
extern "C" fn is_retriable(execute_data: &mut ExecuteData, retval: &mut Zval) {
    let code = execute_data.get_self().and_then(|this| {
        // `code` is Exception's protected property: read its slot through the properties
        // table (the mangled name of a protected property is "\0*\0code").
        let props = this.get_properties().ok()?;
        let slot = props.get("\0*\0code")?;
        slot.indirect().unwrap_or(slot).long()
    });
    let retriable = code.is_some_and(|code| {
        ErrorCode::ALL
            .iter()
            .any(|(c, _)| *c as i64 == code && c.is_retriable())
    });
    retval.set_bool(retriable);
}

/// Registers `KafkaQueueException extends RuntimeException` at module start-up, with one
/// class constant per [`ErrorCode`] (its `getCode()`) and `isRetriable()`. It is built without
/// an object handler of its own, so that it inherits Exception's, which records the file, line
/// and trace where it is thrown.
pub fn register_exception_class() -> ext_php_rs::error::Result<()> {
    let mut class = ClassBuilder::new(EXCEPTION_CLASS)
        .extends((runtime_exception, "RuntimeException"))
        .method(
            FunctionBuilder::new("isRetriable", is_retriable).returns(DataType::Bool, false, false),
            MethodFlags::Public,
        );
    for (code, name) in ErrorCode::ALL {
        class = class.constant(name, code as i64, &[], ConstantFlags::Public)?;
    }
    class
        .registration(|class, arg_info| {
            EXCEPTION_ENTRY.store(class, Ordering::Release);
            // The method tables must live as long as PHP.
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

/// A `KafkaQueueException` raised by the binding itself.
pub fn queue_exception(message: impl Into<String>, code: ErrorCode) -> PhpException {
    PhpException::new(message.into(), code as i32, kafka_queue_exception())
}

/// A configuration error found by the binding itself.
pub fn configuration_error(message: impl Into<String>) -> PhpException {
    queue_exception(message, ErrorCode::Configuration)
}

impl From<QueueError> for PhpException {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::InvalidArgument(m) => invalid_argument(m),
            other => queue_exception(other.to_string(), other.code()),
        }
    }
}
