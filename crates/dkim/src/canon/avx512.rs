//! Relaxed body canonicalization of dense text with AVX-512 (VBMI2's `vpcompressb`), on CPUs
//! that have it (AMD Zen 4 and later, Intel Ice Lake and later).
//!
//! Relaxed (RFC 6376 §3.4.4) leaves one space for a run of white space inside a line and none
//! for a run at the end of one. Keeping each run's *last* octet, written as a space, makes the
//! rule local: an octet of white space is kept exactly when the octet after it is neither white
//! space nor the CR of a CRLF. So each block of 64 octets is decided from three loads (at 0, 1
//! and 2 octets) and a few vector operations, and one `vpcompressb` packs the kept octets,
//! however many runs the block holds: no work per run at all.
//!
//! No `unsafe` here: `fearless_simd` detects the CPU's level once and hands out a token that
//! proves it, and its `kernel!` compiles [`blocks`] for that level, which makes the intrinsics
//! safe to call inside. Loads and stores go through its slice methods, bounds-checked. The body
//! hash goes through this module on such CPUs, so the
//! `body_canonicalization_is_chunk_independent_and_idempotent` property and the `dkim_body`
//! fuzz target hold it to the RFC's reading. Other CPUs take [`super::avx2`] or the portable
//! path, and so do outputs without spare room.

use std::arch::x86_64::{
    __m512i, _mm512_cmpeq_epi8_mask, _mm512_mask_blend_epi8, _mm512_maskz_compress_epi8,
    _mm512_min_epu8, _mm512_or_si512, _mm512_set1_epi8, _mm512_test_epi8_mask,
    _mm512_testn_epi8_mask, _mm512_xor_si512,
};

use fearless_simd::{Level, SimdBase, SimdFrom, u8x64};

use super::body::{BlocksStop, IDLE_BLOCKS, Output};
use super::kernel::{Blocks, drive, step};
use super::scan::BLOCK;

/// Octets a block is decided from: the block and the two after it.
const WINDOW: usize = BLOCK + 2;

/// Relaxed over whole blocks of `text` (which ends in content) from `pos`, written into the
/// output's spare room, until fewer than [`WINDOW`] octets are left or blocks with nothing to
/// change come [`IDLE_BLOCKS`] in a row. Returns where it stopped, which may be inside a run
/// of white space whose earlier octets it dropped (the rest of the run then still decides the
/// one space), and why; or `None`, having done nothing, where the CPU lacks AVX-512 or the
/// output has no spare room.
pub(super) fn relaxed_blocks(
    text: &[u8],
    pos: usize,
    out: &mut impl Output,
) -> Option<(usize, BlocksStop)> {
    let avx512 = Level::new().as_avx512()?;
    drive(text, pos, out, BLOCK, |text, pos, room| {
        blocks(avx512, text, pos, room)
    })
}

fearless_simd::kernel!(
    /// Relaxed over blocks of `text` from `pos` into `room`, until the text or the room has no
    /// whole block left or blocks come [`IDLE_BLOCKS`] in a row with nothing to change.
    fn blocks(avx512: Avx512, text: &[u8], pos: usize, room: &mut [u8]) -> Blocks {
        let load = |octets: &[u8]| -> __m512i { u8x64::from_slice(avx512, octets).into() };
        let space = _mm512_set1_epi8(b' ' as i8);
        let tab = _mm512_set1_epi8(b'\t' as i8);
        let cr = _mm512_set1_epi8(b'\r' as i8);
        let lf = _mm512_set1_epi8(b'\n' as i8);
        let mut pos = pos;
        let mut filled = 0;
        let mut idle = 0;
        let stop = loop {
            let (window, target) = match step::<WINDOW, BLOCK>(text, pos, room, filled) {
                Ok(step) => step,
                Err(stop) => break stop,
            };
            let block = load(&window[..BLOCK]);
            let next = load(&window[1..=BLOCK]);
            let after_next = load(&window[2..]);
            // Vectors that are zero exactly where their condition holds, so that the octets to
            // keep come out of one test at the end: mask operations are what a block's time
            // goes on otherwise.
            let unblank =
                |v: __m512i| _mm512_min_epu8(_mm512_xor_si512(v, space), _mm512_xor_si512(v, tab));
            let not_blank = unblank(block);
            let not_crlf_next =
                _mm512_or_si512(_mm512_xor_si512(next, cr), _mm512_xor_si512(after_next, lf));
            // White space goes unless it ends its run inside a line (§3.4.4): the run's one
            // space. So an octet goes where it is blank and the next is too, or CRLF follows.
            let not_dropped =
                _mm512_or_si512(not_blank, _mm512_min_epu8(unblank(next), not_crlf_next));
            let kept = _mm512_test_epi8_mask(not_dropped, not_dropped);
            let blank = _mm512_testn_epi8_mask(not_blank, not_blank);
            let packed =
                _mm512_maskz_compress_epi8(kept, _mm512_mask_blend_epi8(blank, block, space));
            u8x64::simd_from(avx512, packed).store_slice(target);
            filled += kept.count_ones() as usize;
            pos += BLOCK;
            // A block changes nothing when it keeps every octet and has no tab to make a space.
            if kept == u64::MAX && _mm512_cmpeq_epi8_mask(block, tab) == 0 {
                idle += 1;
                if idle == IDLE_BLOCKS {
                    break Some(BlocksStop::Sparse);
                }
            } else {
                idle = 0;
            }
        };
        Blocks { pos, filled, stop }
    }
);
