//! The helpers of the embedded API suite live in the test library,
//! `berth_tests::cluster`.

#![allow(unused_imports)]

pub use berth_tests::cluster::*;
