"""Keep a long streamed load's resident memory flat: hand freed memory back to the operating system.

A load frees about as much as it allocates per chunk, yet glibc's heap kept growing by some 30 bytes per figure
(peak RSS 262 MB for a 3 MB file, 377 MB for 100 MB): Python's own objects did not grow (tracemalloc, allocated
blocks), but freed memory stayed in glibc's heap: malloc_trim(0) gave 20-30 MB back at each call. The likely cause
is glibc's dynamic mmap threshold (raised after the first big free, so later big buffers come from the heap) and
its trimming only the top of the heap. pyarrow's mimalloc pool (pandas 3's strings) kept its own freed pages too.
Over the first 800,000 figures of a 60 MB synthetic file, RssAnon stayed at 164-170 MB with the settings below, and
was at 200-220 MB and rising without them (docs/reliability.md has the 500 MB run). glibc only; elsewhere these are
no-ops."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h); setting it also stops glibc's dynamic threshold
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own default before it adapts: big buffers are mmapped, and unmapped


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


@functools.cache
def steady_heap() -> bool:
    """Once per process: a fixed mmap threshold, and pyarrow's system allocator instead of its caching pool.
    True when glibc took the setting."""
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except ImportError:  # pandas without pyarrow: nothing to switch
        pass
    libc = _libc()
    return bool(libc and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1)


def release_free_memory() -> None:
    """Give the heap's free pages back to the OS (glibc malloc_trim): called once per written chunk, a few ms."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
