//! PHP's own symbols that ext-php-rs does not bind, looked up when first needed.
//!
//! Linking them directly would make the library unloadable outside PHP, where `cargo php stubs`
//! opens it to generate `php/kafka_queue.stub.php`; inside PHP the lookup always succeeds.

use std::ffi::{c_char, c_int, c_void, CStr};

use ext_php_rs::zend::{ClassEntry, ModuleEntry};

fn lookup(name: &CStr) -> Option<*mut c_void> {
    // SAFETY: dlsym only reads the NUL-terminated name; RTLD_DEFAULT searches the process's
    // global symbols (PHP's binary and its libraries).
    let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    (!symbol.is_null()).then_some(symbol)
}

/// An SPL class entry (`spl_ce_RuntimeException`...), registered by PHP before any shared
/// extension starts.
pub fn spl_class(symbol: &CStr) -> Option<&'static ClassEntry> {
    let slot = lookup(symbol)? as *const *const ClassEntry;
    // SAFETY: the symbol is SPL's `zend_class_entry *` global, set once at PHP start-up.
    unsafe { (*slot).as_ref() }
}

/// PHP's `php_log_err_with_severity()`: writes to the configured error log.
pub fn log_error(message: &CStr, syslog_severity: c_int) {
    if let Some(f) = lookup(c"php_log_err_with_severity") {
        // SAFETY: the symbol is that function, with this C signature.
        let f: extern "C" fn(*const c_char, c_int) = unsafe { std::mem::transmute(f) };
        f(message.as_ptr(), syslog_severity);
    }
}

/// PHP's `display_ini_entries()`: the directives table of phpinfo().
pub fn display_ini_entries(module: *mut ModuleEntry) {
    if let Some(f) = lookup(c"display_ini_entries") {
        // SAFETY: the symbol is that function, with this C signature.
        let f: extern "C" fn(*mut ModuleEntry) = unsafe { std::mem::transmute(f) };
        f(module);
    }
}
