//! DKIM signing of a message for a domain (RFC 6376 §5), with every key the domain has: it
//! knows no session, only the message's octets and the signers.

use std::io::Read;
use std::path::Path;

use mailroom_dkim::Signer;

use crate::error::Error;

/// Signs the message in the file at `path` with each of `signers`, reading it once in pieces;
/// returns each DKIM-Signature field (ending in CRLF) with its key's algorithm. Blocking.
///
/// # Errors
///
/// The file cannot be read, or a signature cannot be made (the message is not one).
pub(crate) fn sign_file(
    signers: &[Signer],
    path: &Path,
    now: u64,
) -> Result<Vec<(String, String)>, Error> {
    let mut file = std::fs::File::open(path).map_err(Error::io("cannot read", path))?;
    let mut streams: Vec<_> = signers.iter().map(Signer::stream).collect();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(Error::io("cannot read", path))?;
        if n == 0 {
            break;
        }
        for stream in &mut streams {
            stream.update(&buffer[..n]);
        }
    }
    streams
        .into_iter()
        .zip(signers)
        .map(|(stream, signer)| {
            let field = stream.finish(now).map_err(|e| Error::Damaged {
                path: path.to_owned(),
                problem: format!("cannot DKIM-sign: {e}"),
            })?;
            Ok((field, format!("{:?}", signer.key().algorithm())))
        })
        .collect()
}
