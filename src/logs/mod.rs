//! Reading setup, configuration, MSI and event logs.
pub mod decode;
pub mod format;
pub mod lines;
