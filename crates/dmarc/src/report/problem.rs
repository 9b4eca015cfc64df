//! The small details the report variants of [`Error`](crate::Error) carry.

use std::fmt;

/// What is wrong with a report's XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlProblem {
    /// The bytes are not UTF-8 (the only encoding this parser reads).
    NotUtf8,
    /// The document is not well-formed XML.
    Malformed,
    /// The document has a DTD (`<!DOCTYPE`), refused so no entity can be declared or
    /// expanded.
    Doctype,
    /// A reference to an entity other than the five XML predefines, or to a character XML
    /// does not allow.
    Entity,
    /// The document has no root element.
    Empty,
}

impl fmt::Display for XmlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotUtf8 => "the text is not UTF-8",
            Self::Malformed => "the XML is not well-formed",
            Self::Doctype => "a DTD is not allowed",
            Self::Entity => "an unknown entity or invalid character reference",
            Self::Empty => "there is no root element",
        })
    }
}

/// Which limit of [`ParseLimits`](crate::report::ParseLimits) a report exceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportLimit {
    /// The size of the XML, after decompression.
    Size,
    /// How deeply elements nest.
    Depth,
    /// The number of `<record>` elements.
    Records,
    /// The number of elements.
    Elements,
    /// The length of one element's text.
    Text,
    /// The number of `<dkim>` results in one record.
    DkimResults,
}

impl fmt::Display for ReportLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Size => "the XML's size in bytes",
            Self::Depth => "the nesting of elements",
            Self::Records => "the number of records",
            Self::Elements => "the number of elements",
            Self::Text => "the length of an element's text",
            Self::DkimResults => "the number of DKIM results in a record",
        })
    }
}

/// What is wrong with a gzip or zip file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveProblem {
    /// The gzip data is corrupt or truncated.
    Gzip,
    /// The zip file's structure is corrupt or truncated.
    Zip,
    /// A zip entry's deflate data is corrupt or truncated.
    ZipData,
    /// The zip file uses a feature this reader does not support (encryption, a compression
    /// method other than stored or deflate).
    ZipUnsupported,
    /// The zip file holds no file.
    ZipEmpty,
}

impl fmt::Display for ArchiveProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gzip => "the gzip data is corrupt",
            Self::Zip => "the zip file is corrupt",
            Self::ZipData => "a zip entry's data is corrupt",
            Self::ZipUnsupported => {
                "the zip file needs encryption or an unsupported compression method"
            }
            Self::ZipEmpty => "the zip file holds no file",
        })
    }
}

/// What is wrong with a message said to carry a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailProblem {
    /// The message cannot be parsed.
    Unreadable,
    /// No part is an XML, gzip or zip report.
    NoReport,
}

impl fmt::Display for MailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unreadable => "the message cannot be parsed",
            Self::NoReport => "no part holds an XML, gzip or zip report",
        })
    }
}
