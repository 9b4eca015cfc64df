//! gzip and zip, the containers reports travel in (RFC 9990 asks for gzip; zip is still
//! common). Decompression stops at a size limit, so a small bomb cannot fill memory.
//!
//! Zip files are read with the `zip` crate (stored and deflate entries, CRC checked); the
//! first `.xml` entry is taken, else the first file. Encrypted entries and other compression
//! methods are refused.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

use super::model::AggregateReport;
use super::problem::{ArchiveProblem, ReportLimit};
use crate::error::Error;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
/// The most central directory entries looked at.
const MAX_ZIP_ENTRIES: usize = 1_000;

impl AggregateReport {
    /// The report's XML, gzip-compressed as RFC 9990 asks for mail transport. The gzip
    /// header carries no name and no time, so the same report always gives the same bytes.
    #[must_use]
    pub fn to_gzip(&self) -> Vec<u8> {
        gzip(self.to_xml().as_bytes())
    }
}

/// gzip-compresses `data`.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// The XML inside `bytes`: gunzipped, unzipped, or `bytes` itself.
pub(crate) fn unpack(bytes: &[u8], max: usize) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
    if bytes.starts_with(GZIP_MAGIC) {
        gunzip(bytes, max).map(Into::into)
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        unzip(bytes, max).map(Into::into)
    } else if bytes.len() > max {
        Err(too_large(max))
    } else {
        Ok(bytes.into())
    }
}

fn too_large(max: usize) -> Error {
    Error::ReportLimit {
        limit: ReportLimit::Size,
        max: max as u64,
    }
}

fn archive(problem: ArchiveProblem) -> Error {
    Error::ReportArchive { problem }
}

/// Reads at most `max` bytes from `reader`; more is an error.
fn read_limited(reader: impl Read, max: usize, corrupt: ArchiveProblem) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|_| archive(corrupt))?;
    if out.len() > max {
        return Err(too_large(max));
    }
    Ok(out)
}

/// Decompresses gzip data (all members, RFC 1952 §2.2), at most `max` bytes of it.
pub(crate) fn gunzip(bytes: &[u8], max: usize) -> Result<Vec<u8>, Error> {
    read_limited(MultiGzDecoder::new(bytes), max, ArchiveProblem::Gzip)
}

/// The first `.xml` file of a zip archive (else its first file), at most `max` bytes.
pub(crate) fn unzip(bytes: &[u8], max: usize) -> Result<Vec<u8>, Error> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|error| archive(zip_problem(&error)))?;
    let files: Vec<(usize, bool)> = (0..zip.len().min(MAX_ZIP_ENTRIES))
        .filter_map(|index| {
            let name = zip.name_for_index(index)?.ok()?;
            (!name.ends_with('/')).then(|| (index, name.to_ascii_lowercase().ends_with(".xml")))
        })
        .collect();
    let (index, _) = files
        .iter()
        .find(|(_, xml)| *xml)
        .or_else(|| files.first())
        .copied()
        .ok_or(archive(ArchiveProblem::ZipEmpty))?;
    let file = zip
        .by_index(index)
        .map_err(|error| archive(zip_problem(&error)))?;
    read_limited(file, max, ArchiveProblem::ZipData)
}

/// What a zip error says about the file.
fn zip_problem(error: &zip::result::ZipError) -> ArchiveProblem {
    match error {
        zip::result::ZipError::UnsupportedArchive(_) => ArchiveProblem::ZipUnsupported,
        _ => ArchiveProblem::Zip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip file with one entry, written by the zip crate.
    fn zip_with(name: &str, data: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        writer.start_file(name, options).unwrap();
        writer.write_all(data).unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn gzip_round_trip_and_limit() {
        let data = vec![b'a'; 10_000];
        let packed = gzip(&data);
        assert_eq!(gunzip(&packed, 10_000).unwrap(), data);
        assert_eq!(
            gunzip(&packed, 9_999),
            Err(Error::ReportLimit {
                limit: ReportLimit::Size,
                max: 9_999
            })
        );
        assert_eq!(
            gunzip(&packed[..20], 100),
            Err(archive(ArchiveProblem::Gzip))
        );
    }

    #[test]
    fn stored_and_deflated_zip_entries() {
        let deflated = zip_with("a.xml", &[b'x'; 5_000], zip::CompressionMethod::Deflated);
        assert_eq!(unzip(&deflated, 5_000).unwrap(), [b'x'; 5_000]);
        assert!(unzip(&deflated, 4_999).is_err());
        let zip = zip_with("report.xml", b"<feedback/>", zip::CompressionMethod::Stored);
        assert_eq!(unzip(&zip, 100).unwrap(), b"<feedback/>");
        assert_eq!(
            unzip(&zip, 5),
            Err(Error::ReportLimit {
                limit: ReportLimit::Size,
                max: 5
            })
        );
        for cut in 0..zip.len() {
            let _ = unzip(&zip[..cut], 100);
        }
    }
}
