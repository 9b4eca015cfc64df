//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties, so both
//! check the same invariants.

use crate::Zone;

/// Zone text: parsing never panics, and a zone that parsed survives rendering and parsing again
/// unchanged.
pub fn zone_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(zone) = Zone::from_text(text) {
        let rendered = zone.to_string();
        match Zone::from_text(&rendered) {
            Ok(again) => assert_eq!(again, zone, "round trip changed the zone:\n{rendered}"),
            Err(error) => panic!("rendered zone does not parse ({error}):\n{rendered}"),
        }
    }
}

/// Names: [`to_ascii`](crate::to_ascii) never panics, and its output is a fixed point.
pub fn name(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ascii) = crate::to_ascii(text) {
        assert!(ascii.is_ascii(), "{ascii:?} is not ASCII");
        assert_eq!(crate::to_ascii(&ascii).as_deref(), Ok(ascii.as_str()));
    }
}
