//! Process-level helpers that every layer may use: which process created a client (fork
//! safety) and where reports go that cannot be returned to a caller.

pub mod fork;
pub mod report;
