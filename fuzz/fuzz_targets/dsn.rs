//! Fuzz target: bounce reading (`archive::dsn::read`) on arbitrary bytes, with its promises as the oracle: it never panics, keeps at most `MAX_RECIPIENTS` recipients with lowercased addresses and diagnostics within their cap, and counts only failures.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wwsympa::archive::dsn::{self, Action, Report, Verdict, MAX_DIAGNOSTIC_CHARS, MAX_RECIPIENTS};

fuzz_target!(|data: &[u8]| {
    let report = dsn::read(data);
    if let Report::Delivery(recipients) = &report {
        assert!(recipients.len() <= MAX_RECIPIENTS);
        for r in recipients {
            assert!(r.diagnostic.chars().count() <= MAX_DIAGNOSTIC_CHARS);
            assert_eq!(r.address, r.address.to_lowercase());
            assert!(r.address.contains('@'));
            if r.action != Action::Failed {
                assert_eq!(r.verdict, Verdict::NotAFailure);
            }
        }
    }
    if let Report::Complaint { recipients, .. } = &report {
        assert!(recipients.len() <= MAX_RECIPIENTS);
    }
    for r in report.counted() {
        assert!(matches!(r.verdict, Verdict::Hard | Verdict::Soft));
    }
});
