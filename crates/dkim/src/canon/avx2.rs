//! Relaxed body canonicalization of dense text with AVX2, for x86-64 CPUs that have it but not
//! the AVX-512 of [`super::avx512`]: Intel from Haswell on where AVX-512 is missing or lacks
//! VBMI2, AMD Zen 1 to 3.
//!
//! The octets to keep are decided as there, 32 at a time. AVX2 has no instruction that packs
//! them, so each 8-octet group that drops something is packed by `pshufb` with one of 256
//! precomputed orders; groups that keep everything are copied whole. The body properties and
//! the `dkim_body` fuzz target run this kernel on its own too, on any CPU with AVX2.

use std::arch::x86_64::{
    __m128i, __m256i, _mm_set_epi64x, _mm_shuffle_epi8, _mm256_blendv_epi8, _mm256_castsi256_si128,
    _mm256_cmpeq_epi8, _mm256_extracti128_si256, _mm256_min_epu8, _mm256_movemask_epi8,
    _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256, _mm256_xor_si256,
};

use fearless_simd::{Level, SimdBase, SimdFrom, u8x16, u8x32};

use super::body::{BlocksStop, IDLE_BLOCKS, Output};
use super::kernel::{Blocks, drive, step};

/// Octets decided at a time.
const HALF: usize = 32;

/// Octets a half is decided from: it and the two after it.
const WINDOW: usize = HALF + 2;

/// Room a half may write into: its 32 octets, and the rest of a 16-octet store at its last group.
const TARGET: usize = HALF + 8;

/// For each mask of the 8 octets of a group to keep, the `pshufb` order that packs them to the
/// front: the index of each kept octet in turn.
const PACK: [u64; 256] = {
    let mut table = [0_u64; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut order, mut kept, mut bit) = (0_u64, 0, 0);
        while bit < 8 {
            if mask & (1 << bit) != 0 {
                order |= (bit as u64) << (8 * kept);
                kept += 1;
            }
            bit += 1;
        }
        table[mask] = order;
        mask += 1;
    }
    table
};

/// As [`super::avx512::relaxed_blocks`], with AVX2.
pub(super) fn relaxed_blocks(
    text: &[u8],
    pos: usize,
    out: &mut impl Output,
) -> Option<(usize, BlocksStop)> {
    let avx2 = Level::new().as_avx2()?;
    drive(text, pos, out, TARGET, |text, pos, room| {
        halves(avx2, text, pos, room)
    })
}

fearless_simd::kernel!(
    /// Relaxed over 32-octet halves of `text` from `pos` into `room`, until the text or the
    /// room has no whole half left or halves come `2 * IDLE_BLOCKS` in a row with nothing to
    /// change.
    fn halves(avx2: Avx2, text: &[u8], pos: usize, room: &mut [u8]) -> Blocks {
        let load = |octets: &[u8]| -> __m256i { u8x32::from_slice(avx2, octets).into() };
        let space = _mm256_set1_epi8(b' ' as i8);
        let tab = _mm256_set1_epi8(b'\t' as i8);
        let cr = _mm256_set1_epi8(b'\r' as i8);
        let lf = _mm256_set1_epi8(b'\n' as i8);
        let zero = _mm256_setzero_si256();
        let mut pos = pos;
        let mut filled = 0;
        let mut idle = 0;
        let stop = loop {
            let (window, target) = match step::<WINDOW, TARGET>(text, pos, room, filled) {
                Ok(step) => step,
                Err(stop) => break stop,
            };
            let block = load(&window[..HALF]);
            let next = load(&window[1..=HALF]);
            let after_next = load(&window[2..]);
            // As in the AVX-512 kernel: vectors that are zero exactly where their condition
            // holds.
            let unblank =
                |v: __m256i| _mm256_min_epu8(_mm256_xor_si256(v, space), _mm256_xor_si256(v, tab));
            let not_blank = unblank(block);
            let not_crlf_next =
                _mm256_or_si256(_mm256_xor_si256(next, cr), _mm256_xor_si256(after_next, lf));
            let not_dropped =
                _mm256_or_si256(not_blank, _mm256_min_epu8(unblank(next), not_crlf_next));
            let dropped =
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(not_dropped, zero)).cast_unsigned();
            let blank = _mm256_cmpeq_epi8(not_blank, zero);
            let spaced = _mm256_blendv_epi8(block, space, blank);
            u8x32::simd_from(avx2, spaced).store_slice(&mut target[..HALF]);
            pos += HALF;
            if dropped == 0 {
                filled += HALF;
                if _mm256_movemask_epi8(_mm256_cmpeq_epi8(block, tab)) == 0 {
                    idle += 1;
                    if idle == 2 * IDLE_BLOCKS {
                        break Some(BlocksStop::Sparse);
                    }
                } else {
                    idle = 0;
                }
                continue;
            }
            idle = 0;
            // Groups before the first that drops something are in place already.
            let first = dropped.trailing_zeros() as usize / 8;
            let mut at = 8 * first;
            let lanes: [__m128i; 2] = [
                _mm256_castsi256_si128(spaced),
                _mm256_extracti128_si256::<1>(spaced),
            ];
            for group in first..4 {
                let keep = !dropped.to_le_bytes()[group];
                let order = PACK[usize::from(keep)] + 0x0808_0808_0808_0808 * (group as u64 & 1);
                let packed =
                    _mm_shuffle_epi8(lanes[group / 2], _mm_set_epi64x(0, order.cast_signed()));
                // At most 24 octets precede the last group: its store ends within the target.
                u8x16::simd_from(avx2, packed).store_slice(&mut target[at..at + 16]);
                at += keep.count_ones() as usize;
            }
            filled += at;
        };
        Blocks { pos, filled, stop }
    }
);
