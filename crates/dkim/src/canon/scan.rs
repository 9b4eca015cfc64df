//! Finding the places relaxed body canonicalization changes (RFC 6376 §3.4.4): a tab, or a
//! space followed by a space, a tab or a CR. Every run of white space that is not a single
//! space inside a line starts at one of these, or just before a tab; a single space between
//! words is left alone.
//!
//! Two ways, chosen by how far apart the last places were:
//! - where places are sparse (prose, base64), a SIMD search for each kind of place (memchr),
//!   far ahead, so most octets are looked at once per kind and nothing else happens;
//! - where they are dense (indented HTML, format=flowed lines, ragged text), a search each
//!   would cost more than the place itself, so the data is read in blocks of 64 octets, each
//!   turned into bit masks with SIMD compares (`wide`: SSE2 on x86-64, NEON on AArch64). The
//!   inner loop of relaxed takes whole runs from a block's masks ([`block_masks`]); elsewhere
//!   [`Places`] gives one place at a time.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use wide::u8x16;

/// Finds the places that need work in one chunk of data, in order, by search or by mask.
#[derive(Debug, Default)]
pub(super) struct Places {
    tab: NextMatch,
    space: NextMatch,
    double_space: NextMatch,
    space_cr: NextMatch,
    masks: Masks,
    /// Whether the last place found was close to where the search for it started.
    dense: bool,
    /// Where the pair searches can stop: just past the last space of the data, once known.
    pairs_end: Option<usize>,
}

impl Places {
    /// Where the first run of white space that needs work starts, at or after `from`; `from`
    /// must not be inside a run.
    #[inline]
    pub(super) fn next(&mut self, data: &[u8], from: usize) -> Option<usize> {
        // Every run that needs work starts with a place, so a mask finds its start. The
        // searches do too, but for a tab just after a space: there the run starts earlier.
        let found = if self.dense {
            self.masks.next(data, from)
        } else {
            self.search(data, from)
        };
        if let Some(found) = found {
            self.dense = found - from < DENSE;
        }
        found
    }

    /// Whether the last place found was close to where the search for it started.
    pub(super) fn is_dense(&self) -> bool {
        self.dense
    }

    #[inline(never)]
    fn search(&mut self, data: &[u8], from: usize) -> Option<usize> {
        // Both pairs start with a space, so they are searched for only from the next space to
        // just past the last one: text without spaces (a base64 attachment after a short text
        // part) is passed over by one quick search each way instead of one per pair.
        let pairs = self
            .space
            .find(data, from, |d| memchr::memchr(b' ', d))
            .and_then(|space| {
                let end = *self.pairs_end.get_or_insert_with(|| {
                    memchr::memrchr(b' ', data).map_or(0, |last| (last + 2).min(data.len()))
                });
                let within = &data[..end.max(space)];
                earliest(
                    self.double_space
                        .find(within, space, |d| DOUBLE_SPACE.find(d)),
                    self.space_cr.find(within, space, |d| SPACE_CR.find(d)),
                )
            });
        earliest(
            self.tab.find(data, from, |d| memchr::memchr(b'\t', d)),
            pairs,
        )
        .map(|found| run_start(data, from, found))
    }
}

/// Where the run of white space holding the place `found` starts, not before `from`.
fn run_start(data: &[u8], from: usize, found: usize) -> usize {
    found
        - data[from..found]
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count()
}

/// Places closer together than this are found with masks rather than searches.
const DENSE: usize = 256;

/// Searchers built once: building one costs more than most searches.
static DOUBLE_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"  "));
static SPACE_CR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" \r"));

/// The smaller of two positions, either of which may be absent.
fn earliest(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The position of a pattern's next match at or after a point, searched again only once the
/// point has passed it, so every octet is scanned once per pattern.
#[derive(Debug, Default)]
struct NextMatch {
    /// `Some(None)`: no match in the rest of the data.
    cached: Option<Option<usize>>,
}

impl NextMatch {
    fn find(
        &mut self,
        data: &[u8],
        from: usize,
        search: impl Fn(&[u8]) -> Option<usize>,
    ) -> Option<usize> {
        match self.cached {
            Some(Some(at)) if at >= from => Some(at),
            Some(None) => None,
            _ => {
                let found = search(&data[from..]).map(|at| at + from);
                self.cached = Some(found);
                found
            }
        }
    }
}

/// Octets per block: one bit of a `u64` each.
pub(super) const BLOCK: usize = 64;

/// Finds the places in one chunk of data, in order, from bit masks of 64-octet blocks.
#[derive(Debug, Default)]
struct Masks {
    /// Where the block of `mask` starts.
    base: usize,
    /// The places in the block at `base` not yet passed.
    mask: u64,
    /// Whether `base` and `mask` hold a block.
    loaded: bool,
}

impl Masks {
    /// The first place at or after `from` that needs work.
    #[inline]
    fn next(&mut self, data: &[u8], from: usize) -> Option<usize> {
        if !self.loaded || from >= self.base + BLOCK {
            self.load(data, from);
        } else if from > self.base {
            // Places before `from` have been dealt with.
            self.mask &= u64::MAX << (from - self.base);
        }
        loop {
            if self.mask != 0 {
                return Some(self.base + self.mask.trailing_zeros() as usize);
            }
            let next = self.base + BLOCK;
            if next >= data.len() {
                return None;
            }
            self.load(data, next);
        }
    }

    #[inline(never)]
    fn load(&mut self, data: &[u8], base: usize) {
        self.base = base;
        self.loaded = true;
        self.mask = match data.get(base..base + BLOCK + 1) {
            Some(window) => block_mask(window),
            None => tail_mask(data.get(base..).unwrap_or_default()),
        };
    }
}

/// The mask of a block of 64 octets, given with the octet after it (`window` is 65 long).
fn block_mask(window: &[u8]) -> u64 {
    block_masks(window).work
}

/// What one block of 64 octets holds, a bit per octet.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockMasks {
    /// White space: space or tab.
    pub(super) blank: u64,
    /// Places that need work: a tab, or a space before a space, tab or CR.
    pub(super) work: u64,
}

impl BlockMasks {
    /// Where the runs of white space that need work start: the first octet of a run is a place
    /// exactly when the run needs work (a run of two or more starts with a space before white
    /// space, or a tab; a lone space needs work only before CR). The octet before the block
    /// is taken not to be white space.
    pub(super) fn run_starts(&self) -> u64 {
        self.work & !(self.blank << 1)
    }
}

/// The masks of a block of 64 octets, given with the octet after it (`window` is 65 long), 16
/// octets at a time: each octet is compared with tab and space, and the octet after it (read by
/// a second load, one further on) with space, tab and CR.
#[inline]
pub(super) fn block_masks(window: &[u8]) -> BlockMasks {
    let (here, _) = window[..BLOCK].as_chunks::<16>();
    let (after, _) = window[1..=BLOCK].as_chunks::<16>();
    let tab = u8x16::splat(b'\t');
    let space = u8x16::splat(b' ');
    let cr = u8x16::splat(b'\r');
    let mut masks = BlockMasks { blank: 0, work: 0 };
    for (i, (here, after)) in here.iter().zip(after).enumerate() {
        let here = u8x16::new(*here);
        let after = u8x16::new(*after);
        let blank_after = after.simd_eq(space) | after.simd_eq(tab) | after.simd_eq(cr);
        let (is_tab, is_space) = (here.simd_eq(tab), here.simd_eq(space));
        let work = is_tab | (is_space & blank_after);
        masks.work |= u64::from(work.to_bitmask()) << (16 * i);
        masks.blank |= u64::from((is_tab | is_space).to_bitmask()) << (16 * i);
    }
    masks
}

/// The mask of the last octets of the data, fewer than 65: the last one has nothing after it
/// yet, so it is a place only if it is a tab.
fn tail_mask(tail: &[u8]) -> u64 {
    portable_mask(tail, tail.len().min(BLOCK))
}

/// Bit `i` set for each of the first `len` octets of `bytes` that starts work, looking one
/// octet past `len` where there is one.
fn portable_mask(bytes: &[u8], len: usize) -> u64 {
    let mut mask = 0;
    for i in 0..len {
        let work = match bytes[i] {
            b'\t' => true,
            b' ' => matches!(bytes.get(i + 1), Some(b' ' | b'\t' | b'\r')),
            _ => false,
        };
        mask |= u64::from(work) << i;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every place, found the slow way.
    fn places(data: &[u8]) -> Vec<usize> {
        let mask_all: Vec<usize> = (0..data.len())
            .filter(|&i| portable_mask(&data[i..], 1) == 1)
            .collect();
        mask_all
    }

    fn scanned(data: &[u8]) -> Vec<usize> {
        let mut scan = Masks::default();
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(at) = scan.next(data, from) {
            found.push(at);
            from = at + 1;
        }
        found
    }

    #[test]
    fn finds_tabs_and_spaces_before_blank_or_cr() {
        let data = b"a b  c\td \r\ne \rf ";
        assert_eq!(scanned(data), [3, 6, 8, 12]);
        assert_eq!(scanned(data), places(data));
    }

    #[test]
    fn blocks_agree_with_the_slow_way_at_every_offset() {
        // Places on both sides of every block edge, and a space whose follower is in the
        // next block.
        let mut data = Vec::new();
        for i in 0..300u32 {
            data.push(match i % 7 {
                0 => b' ',
                1 if i % 3 == 0 => b'\t',
                3 => b'\r',
                4 if i % 2 == 0 => b' ',
                _ => b'x',
            });
        }
        for start in 0..70 {
            assert_eq!(scanned(&data[start..]), places(&data[start..]), "{start}");
        }
    }

    #[test]
    fn block_masks_mark_white_space_and_the_runs_that_need_work() {
        // Runs that need work at 1 ("  "), 4 (tab), 8 (" \r"), 11 (" \r\n"), 14 ("\t\t "),
        // 20 ("   \t"); lone spaces between words; and a last space whose follower, a tab, is
        // the octet after the block.
        let mut data = b"a  b\tc d \re \r\n\t\t f g   \th".to_vec();
        while data.len() < BLOCK - 1 {
            data.extend_from_slice(b" i");
        }
        data.truncate(BLOCK - 1);
        data.extend_from_slice(b" \t");
        let masks = block_masks(&data);
        let blank = |i: usize| data[i] == b' ' || data[i] == b'\t';
        for i in 0..BLOCK {
            assert_eq!(masks.blank >> i & 1 == 1, blank(i), "blank {i}");
            assert_eq!(
                masks.work >> i & 1,
                portable_mask(&data[i..], 1),
                "work {i}"
            );
            let starts_run_with_work =
                portable_mask(&data[i..], 1) == 1 && (i == 0 || !blank(i - 1));
            assert_eq!(
                masks.run_starts() >> i & 1 == 1,
                starts_run_with_work,
                "start {i}"
            );
        }
        let starts: Vec<u32> = (0..64)
            .filter(|i| masks.run_starts() >> i & 1 == 1)
            .collect();
        assert_eq!(starts, [1, 4, 8, 11, 14, 20, 63]);
    }

    /// Where the runs that need work start, as the canonicalizer walks them: from each run
    /// found, which must be found at its start, on past the run.
    fn run_starts(data: &[u8], mut next: impl FnMut(&[u8], usize) -> Option<usize>) -> Vec<usize> {
        let blank = |c: u8| c == b' ' || c == b'\t';
        let mut starts = Vec::new();
        let mut from = 0;
        while let Some(at) = next(data, from) {
            assert!(at == from || !blank(data[at - 1]), "{at} is inside a run");
            starts.push(at);
            from = at;
            while from < data.len() && blank(data[from]) {
                from += 1;
            }
        }
        starts
    }

    #[test]
    fn searches_and_masks_find_the_same_runs() {
        // Sparse stretches (searches), dense ones (masks), and the switches between them.
        let mut data = Vec::new();
        for i in 0..40 {
            data.extend_from_slice(&[b'w'; 300][..(i * 37) % 300]);
            data.extend_from_slice(match i % 5 {
                0 => &b" \t x  y\t\tz \r\n"[..],
                1 => b"a b c d \r\n",
                2 => b" \t\r",
                3 => b"\t",
                _ => b"  ",
            });
        }
        let mut places = Places::default();
        let mut masks = Masks::default();
        assert_eq!(
            run_starts(&data, |d, from| places.next(d, from)),
            run_starts(&data, |d, from| masks.next(d, from)),
        );
    }

    #[test]
    fn skipping_ahead_within_and_past_a_block() {
        let data = [b' '; 200];
        let mut scan = Masks::default();
        assert_eq!(scan.next(&data, 0), Some(0));
        assert_eq!(scan.next(&data, 10), Some(10));
        assert_eq!(scan.next(&data, 150), Some(150));
        // The last space has nothing after it yet.
        assert_eq!(scan.next(&data, 199), None);
    }
}
