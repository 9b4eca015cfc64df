//! Fuzz bodies, shared by the cargo-fuzz targets in `fuzz/` and the proptest properties.

use crate::{Command, Reply};

/// A command line: parsing never panics, and a command that parses writes out as a line that
/// parses back to the same command.
pub fn command(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    for utf8 in [false, true] {
        if let Ok(command) = Command::parse(line, utf8) {
            let written = command.to_string();
            let again = Command::parse(&written, utf8)
                .unwrap_or_else(|e| panic!("{line:?} wrote {written:?}: {e}"));
            assert_eq!(again, command, "{line:?} wrote {written:?}");
        } else if let Err(error) = Command::parse(line, utf8) {
            let reply = error.reply();
            assert!(reply.is_permanent(), "{reply}");
        }
    }
}

/// A reply: parsing never panics, and a reply that parses writes out as text that parses back
/// to the same reply.
pub fn reply(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reply) = Reply::parse(text) {
        let written = reply.to_string();
        let again = Reply::parse(&written).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(again, reply, "{text:?} wrote {written:?}");
    }
}

/// Message data: reading never panics, stays within what was fed, and, in chunks of any size,
/// gives the same message and outcome as in one piece.
pub fn data(input: &[u8]) {
    let split = input.first().map_or(1, |b| usize::from(*b % 16) + 1);
    let whole = read(input, input.len().max(1));
    let chunked = read(input, split);
    assert_eq!(whole, chunked, "chunks of {split}");
    assert!(whole.1 <= input.len());
}

fn read(input: &[u8], chunk: usize) -> (Vec<u8>, usize, Result<(), crate::Error>) {
    let mut reader = crate::DataReader::new(1 << 20);
    let mut out = Vec::new();
    let mut used = 0;
    for piece in input.chunks(chunk) {
        used += reader.feed(piece, &mut out);
        if reader.is_done() {
            break;
        }
    }
    (out, used, reader.finish())
}
