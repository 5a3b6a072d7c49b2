//! Counts the bytes the current thread allocates through Rust's allocator (a thin wrapper
//! around `System`, installed as the global allocator of the library's test binary only), so
//! a test can bound what one call allocates while other tests run on other threads.
//! Allocations made by C code (libzstd's own buffers) are not seen.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(n: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(n);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrink(n: usize) {
    // Memory allocated on another thread may be freed here: saturate.
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(n)));
}

/// The system allocator, plus per-thread counters.
pub struct Counting;

// An allocator must be `unsafe`; this one only forwards to `System` and counts.
#[allow(unsafe_code)]
// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        shrink(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrink(layout.size());
            grow(new_size);
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Runs `f` and returns its result and the most bytes it had allocated at once.
pub fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let r = f();
    let peak = PEAK.with(Cell::get);
    (r, peak.saturating_sub(before))
}

/// The counter is not vacuous: it sees this thread's allocations, including growth.
#[test]
fn allocation_counter_sees_allocations() {
    let (_, peak) = peak_during(|| {
        let mut v = vec![0u8; 1 << 20];
        v.resize(3 << 20, 1);
        v.len()
    });
    assert!(peak >= 3 << 20, "{peak}");
    let (_, peak) = peak_during(|| 1 + 1);
    assert_eq!(peak, 0);
}
