//! gzip and zip, the containers reports travel in (RFC 9990 asks for gzip; zip is still
//! common). Decompression stops at a size limit, so a small bomb cannot fill memory.
//!
//! The zip reader is deliberately small: it reads the central directory, takes the first
//! `.xml` entry (else the first file), and inflates it if it is stored or deflated. ZIP64,
//! encryption and other methods are refused; the CRC is not checked, as the XML parser checks
//! what it reads anyway.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::{DeflateDecoder, MultiGzDecoder};
use flate2::write::GzEncoder;

use super::model::AggregateReport;
use super::problem::{ArchiveProblem, ReportLimit};
use crate::error::Error;

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZIP_LOCAL: u32 = 0x0403_4b50;
const ZIP_CENTRAL: u32 = 0x0201_4b50;
const ZIP_END: u32 = 0x0605_4b50;
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

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// One central directory entry (APPNOTE 4.3.12).
struct Entry<'a> {
    name: &'a [u8],
    flags: u16,
    method: u16,
    compressed: usize,
    local_offset: usize,
}

/// The first `.xml` file of a zip archive (else its first file), at most `max` bytes.
pub(crate) fn unzip(bytes: &[u8], max: usize) -> Result<Vec<u8>, Error> {
    let corrupt = || archive(ArchiveProblem::Zip);
    let entries = central_directory(bytes).ok_or_else(corrupt)?;
    let files = || entries.iter().filter(|e| !e.name.ends_with(b"/"));
    let entry = files()
        .find(|e| e.name.to_ascii_lowercase().ends_with(b".xml"))
        .or_else(|| files().next())
        .ok_or(archive(ArchiveProblem::ZipEmpty))?;
    // Bit 0: encrypted (APPNOTE 4.4.4).
    if entry.flags & 1 != 0 {
        return Err(archive(ArchiveProblem::ZipUnsupported));
    }
    let local = entry.local_offset;
    if u32_at(bytes, local) != Some(ZIP_LOCAL) {
        return Err(corrupt());
    }
    let name_len = usize::from(u16_at(bytes, local + 26).ok_or_else(corrupt)?);
    let extra_len = usize::from(u16_at(bytes, local + 28).ok_or_else(corrupt)?);
    let start = local + 30 + name_len + extra_len;
    let data = bytes
        .get(start..start.checked_add(entry.compressed).ok_or_else(corrupt)?)
        .ok_or_else(corrupt)?;
    match entry.method {
        0 if data.len() > max => Err(too_large(max)),
        0 => Ok(data.to_vec()),
        8 => read_limited(DeflateDecoder::new(data), max, ArchiveProblem::ZipData),
        _ => Err(archive(ArchiveProblem::ZipUnsupported)),
    }
}

/// The entries of the central directory, found from the end of central directory record
/// (APPNOTE 4.3.16), which may be followed by a comment of up to 65,535 bytes.
fn central_directory(bytes: &[u8]) -> Option<Vec<Entry<'_>>> {
    let search_from = bytes.len().saturating_sub(22 + 0xFFFF);
    let end = (search_from..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(ZIP_END))?;
    let count = usize::from(u16_at(bytes, end + 10)?);
    let mut at = usize::try_from(u32_at(bytes, end + 16)?).ok()?;
    let mut entries = Vec::new();
    for _ in 0..count.min(MAX_ZIP_ENTRIES) {
        if u32_at(bytes, at)? != ZIP_CENTRAL {
            return None;
        }
        let name_len = usize::from(u16_at(bytes, at + 28)?);
        let extra_len = usize::from(u16_at(bytes, at + 30)?);
        let comment_len = usize::from(u16_at(bytes, at + 32)?);
        entries.push(Entry {
            flags: u16_at(bytes, at + 8)?,
            method: u16_at(bytes, at + 10)?,
            // 0xFFFFFFFF means the size is in a ZIP64 extra field: refused as corrupt,
            // since the data cannot be that large within `bytes` anyway.
            compressed: usize::try_from(u32_at(bytes, at + 20)?).ok()?,
            local_offset: usize::try_from(u32_at(bytes, at + 42)?).ok()?,
            name: bytes.get(at + 46..at + 46 + name_len)?,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip file with one stored entry, as `zip -0` writes it.
    fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut zip = Vec::new();
        let size = u32::try_from(data.len()).unwrap().to_le_bytes();
        let name_len = u16::try_from(name.len()).unwrap().to_le_bytes();
        zip.extend_from_slice(&ZIP_LOCAL.to_le_bytes());
        zip.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&size);
        zip.extend_from_slice(&size);
        zip.extend_from_slice(&name_len);
        zip.extend_from_slice(&[0, 0]);
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(data);
        let central = zip.len();
        zip.extend_from_slice(&ZIP_CENTRAL.to_le_bytes());
        zip.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&size);
        zip.extend_from_slice(&size);
        zip.extend_from_slice(&name_len);
        zip.extend_from_slice(&[0; 12]);
        zip.extend_from_slice(&[0; 4]);
        zip.extend_from_slice(name.as_bytes());
        let central_len = u32::try_from(zip.len() - central).unwrap();
        zip.extend_from_slice(&ZIP_END.to_le_bytes());
        zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        zip.extend_from_slice(&central_len.to_le_bytes());
        zip.extend_from_slice(&u32::try_from(central).unwrap().to_le_bytes());
        zip.extend_from_slice(&[0, 0]);
        zip
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
    fn stored_zip_entry() {
        let zip = stored_zip("report.xml", b"<feedback/>");
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
