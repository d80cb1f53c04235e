//! Fuzzes the JSON loader: any bytes, decoded as a file would be, must load without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandtrap::load::{self, Format};

fuzz_target!(|data: &[u8]| {
    let (text, _) = load::decode(data);
    let loaded = load::load(&text, Format::Json);
    for problem in &loaded.problems {
        assert!(problem.span.end as usize <= text.len(), "{problem:?}");
    }
});
