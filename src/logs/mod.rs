//! Reading setup, configuration, MSI and event logs: decoding, format detection, records,
//! Windows Installer knowledge, unknown-error templates.
pub mod decode;
pub mod format;
pub mod lines;
pub mod msi;
pub mod records;
pub mod template;
