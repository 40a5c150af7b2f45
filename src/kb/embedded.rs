//! The knowledge shipped inside the binary.

include!(concat!(env!("OUT_DIR"), "/embedded_kb.rs"));
