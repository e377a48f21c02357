//! The helpers of the inventory, deletion and CLI tests live in the test
//! library, `berth_tests::stored`.

#![allow(unused_imports)]

pub use berth_tests::stored::*;
