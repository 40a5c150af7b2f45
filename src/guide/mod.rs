//! Readiness and guided procedures: the support matrices evaluated for an environment, the
//! playbook state machine, saved progress, and what can be detected live for both.

pub mod answers;
pub mod detect;
pub mod machine;
pub mod readiness;
pub mod restore;
pub mod session;
pub mod store;
