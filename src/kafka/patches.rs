//! Guards around librdkafka functions for crashes that are still open upstream. build.rs links
//! with `--wrap=<function>` (GNU ld, so Linux only): librdkafka's calls of a wrapped function from
//! its other files come here as `__wrap_<function>`, and `__real_<function>` is the original.
//!
//! `rd_kafka_cgrp_op`, librdkafka issue 5040 (2.4 up to the bundled 2.12.1): when an answer to
//! ListConsumerGroupOffsets says the group's coordinator moved (NOT_COORDINATOR, which a fresh
//! broker answers while it loads `__consumer_offsets`), librdkafka tells the client's own
//! consumer group to look for its coordinator again. The [`Inspector`](super::admin::Inspector)
//! has no group (no `group.id`, so that it never joins or looks one up), and librdkafka
//! dereferences the missing group: the PHP process dies. A message for a missing group is
//! dropped here; the Admin request still reports the error, and the inspector asks again.

use std::os::raw::{c_int, c_void};

/// librdkafka's `rd_kafka_replyq_t`, passed by value (release builds have no devel id).
#[repr(C)]
pub struct ReplyQueue {
    queue: *mut c_void,
    version: i32,
}

extern "C" {
    fn __real_rd_kafka_cgrp_op(
        group: *mut c_void,
        partition: *mut c_void,
        reply: ReplyQueue,
        op: c_int,
        err: c_int,
    );
}

/// # Safety
/// Called by librdkafka only, with the arguments of `rd_kafka_cgrp_op`.
#[no_mangle]
pub unsafe extern "C" fn __wrap_rd_kafka_cgrp_op(
    group: *mut c_void,
    partition: *mut c_void,
    reply: ReplyQueue,
    op: c_int,
    err: c_int,
) {
    // The one caller that can pass no group passes no reply queue either: nothing to release.
    if group.is_null() {
        return;
    }
    __real_rd_kafka_cgrp_op(group, partition, reply, op, err);
}
