//! A bump allocator for the contract's wasm. A call lives for one receipt and allocates little
//! (its records, its arguments, a few strings), so memory is never reused: allocation is a
//! pointer bump, freeing is a no-op, and the heap grows a page at a time. This is faster and
//! smaller than a general allocator, and every call pays for both instructions and code size.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;

const PAGE: usize = 65_536;

struct Bump;

/// The next free byte (0 until the first allocation).
static mut NEXT: usize = 0;

unsafe extern "C" {
    /// Where the linker put the start of the heap.
    static __heap_base: u8;
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a contract runs on one thread; `NEXT` is only touched here.
        unsafe {
            if NEXT == 0 {
                NEXT = &raw const __heap_base as usize;
            }
            let start = (NEXT + layout.align() - 1) & !(layout.align() - 1);
            let end = match start.checked_add(layout.size()) {
                Some(end) => end,
                None => return core::ptr::null_mut(),
            };
            let available = wasm32::memory_size(0) * PAGE;
            if end > available && wasm32::memory_grow(0, (end - available).div_ceil(PAGE)) == usize::MAX {
                return core::ptr::null_mut();
            }
            NEXT = end;
            start as *mut u8
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;
