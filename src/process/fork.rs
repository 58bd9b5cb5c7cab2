//! Clients that belong to the process that created them.
//!
//! librdkafka's threads do not survive `fork()`: PHP-FPM's master loads the extension and then
//! forks its workers. A client inherited by a child must be neither used nor destroyed there
//! (destroying it would join threads that do not exist). [`ProcessBound`] remembers the creating
//! process, refuses access from any other, and leaks instead of dropping in a child.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

/// The process id, cached: `getpid()` is a system call, and the hot paths ask for it on
/// every item. A fork handler clears the cache in the child.
static PID: AtomicU32 = AtomicU32::new(0);
static FORK_HANDLER: Once = Once::new();

unsafe extern "C" fn forget_pid_in_child() {
    PID.store(0, Ordering::Relaxed);
}

pub fn current_pid() -> u32 {
    match PID.load(Ordering::Relaxed) {
        0 => {
            FORK_HANDLER.call_once(|| {
                // SAFETY: registers a handler that only stores to an atomic.
                unsafe { libc::pthread_atfork(None, None, Some(forget_pid_in_child)) };
            });
            let pid = std::process::id();
            PID.store(pid, Ordering::Relaxed);
            pid
        }
        pid => pid,
    }
}

pub struct ProcessBound<T> {
    value: ManuallyDrop<T>,
    pid: u32,
}

impl<T> ProcessBound<T> {
    pub fn new(value: T) -> Self {
        ProcessBound {
            value: ManuallyDrop::new(value),
            pid: current_pid(),
        }
    }

    /// Whether this is the process that created the value.
    pub fn is_current(&self) -> bool {
        self.pid == current_pid()
    }

    /// The value, only in the process that created it.
    pub fn get(&self) -> Option<&T> {
        self.is_current().then_some(&*self.value)
    }

    /// Gives the value back, only in the process that created it; elsewhere it is leaked.
    pub fn into_inner(self) -> Option<T> {
        let mut this = ManuallyDrop::new(self);
        if this.is_current() {
            // SAFETY: `this` is never used or dropped again.
            Some(unsafe { ManuallyDrop::take(&mut this.value) })
        } else {
            None
        }
    }
}

impl<T> Drop for ProcessBound<T> {
    fn drop(&mut self) {
        if self.is_current() {
            // SAFETY: dropped exactly once, here.
            unsafe { ManuallyDrop::drop(&mut self.value) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn the_cached_pid_is_the_process_id() {
        assert_eq!(current_pid(), std::process::id());
        assert_eq!(current_pid(), std::process::id());
    }

    #[test]
    fn drops_in_the_creating_process() {
        let drops = Arc::new(AtomicUsize::new(0));
        let bound = ProcessBound::new(Counted(drops.clone()));
        assert!(bound.get().is_some());
        drop(bound);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn leaks_and_refuses_access_in_another_process() {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut bound = ProcessBound::new(Counted(drops.clone()));
        bound.pid = bound.pid.wrapping_add(1); // as if inherited across fork()
        assert!(bound.get().is_none());
        drop(bound);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
    }
}
