//! What the block kernels of relaxed body canonicalization ([`super::avx512`], [`super::avx2`])
//! share: the loop that hands them the output's room, and each step's bounds.

use super::body::{BlocksStop, Output};

/// How far one call of a block kernel went.
pub(super) struct Blocks {
    /// Where the text is done up to.
    pub(super) pos: usize,
    /// Octets written into the room.
    pub(super) filled: usize,
    /// Why it stopped, unless it was for want of room.
    pub(super) stop: Option<BlocksStop>,
}

/// Runs a block `kernel` over `text` from `pos` into the output's spare room, as long as the
/// room has at least `room_needed` octets; `None` when it has not to begin with.
pub(super) fn drive(
    text: &[u8],
    mut pos: usize,
    out: &mut impl Output,
    room_needed: usize,
    mut kernel: impl FnMut(&[u8], usize, &mut [u8]) -> Blocks,
) -> Option<(usize, BlocksStop)> {
    if out.spare().len() < room_needed {
        return None;
    }
    loop {
        let room = out.spare();
        if room.len() < room_needed {
            // Room ran out for good: the portable path goes on from here.
            return Some((pos, BlocksStop::Sparse));
        }
        let done = kernel(text, pos, room);
        out.commit(done.filled);
        pos = done.pos;
        if let Some(stop) = done.stop {
            return Some((pos, stop));
        }
    }
}

/// The `W` octets of `text` from `pos` that one step of a kernel reads, and the `T` octets of
/// `room` from `filled` it may write, as arrays, so its loads and stores need no bounds checks
/// of their own. Otherwise why the kernel stops: the text has no whole step left
/// (`Some(Tail)`), or the room has not (`None`).
#[inline]
pub(super) fn step<'t, 'r, const W: usize, const T: usize>(
    text: &'t [u8],
    pos: usize,
    room: &'r mut [u8],
    filled: usize,
) -> Result<(&'t [u8; W], &'r mut [u8; T]), Option<BlocksStop>> {
    let window = text
        .get(pos..)
        .and_then(<[u8]>::first_chunk::<W>)
        .ok_or(Some(BlocksStop::Tail))?;
    let target = room
        .get_mut(filled..)
        .and_then(<[u8]>::first_chunk_mut::<T>)
        .ok_or(None)?;
    Ok((window, target))
}
