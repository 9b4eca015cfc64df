//! DKIM signing keys: the files in the data directory ([`KeyStore`]: made, imported, never
//! replaced) and the keys a running server signs with, held parsed in memory ([`Keyring`]).

mod ring;
mod store;

pub use ring::Keyring;
pub use store::{KeyKind, KeyStore, NewKey, Stamp};
