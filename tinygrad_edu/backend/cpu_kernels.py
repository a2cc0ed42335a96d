"""Compiled CPU kernels (Numba) for sliding windows over images: direct 2-D convolution
(forward, weight gradient, input gradient) and max pooling (forward, backward).

Optional: this module is imported only when numba imports (``CPUBackend.window_kernels``);
without numba the ops use im2col and one matrix product (``ops/conv.py``), which stay
the reference these kernels are tested against.

Why compiled loops beat im2col + GEMM here. The columns of a 5×5 convolution are 25 times
the image; for the W17 CNN's first layer (3 channels) that is 15 MB written and read back
again by a thin 6×75 GEMM that cannot go faster than memory. A direct convolution reads
the image itself, which stays in cache.

Layout. Images are (C, H, W, N), batch last (as in ``ops/conv.py``), and each image row
is seen *flat*, as W·N numbers. With stride 1 along the width, the pixels that kernel
column j sees, at all output columns x = 0 … OW−1 of one output row, are one contiguous
run of that flat row: elements j·d·N … j·d·N + OW·N. So every kernel below is a loop
over the kernel taps around an *axpy* or a *dot product* of runs of L = OW·N numbers —
long, contiguous, unit-stride loops that LLVM turns into SIMD code. Within a pass, three
taps (or three output channels) are combined, so the accumulator row is loaded and
stored once per three multiply-adds instead of once per one: the loops are bound by
loads and stores, not by arithmetic.

Threads: the outer loops are ``prange`` over independent outputs (no two threads write
the same element), so numba runs them on ``numba.get_num_threads()`` threads. At import
``OMP_NUM_THREADS``, when set, caps that (the knob that also limits BLAS's threads), and
the pool starts with passive waiting (see ``_start_threads``).

Compilation: ``cache=True`` writes the machine code next to this file (or in numba's user
cache). The first W17 CNN step in a fresh environment compiles the five kernels for
float32: about 14 s on a 2-core machine (float64 compiles its own versions when first
used). Later processes load them from the cache: the first step then takes about 0.9 s
(0.5 s of it importing numba) instead of 0.05 s.

fastmath: only ``reassoc`` and ``contract`` (reordered sums, fused multiply-add), so that
dot products vectorise; NaN and ±inf propagate as usual.
"""

from __future__ import annotations

import os
from typing import Any

import numba
from numba import prange

_FAST = {"reassoc", "contract"}
_jit = numba.njit(parallel=True, cache=True, fastmath=_FAST)


def _start_threads() -> None:
    """Start numba's thread pool now, with passive waiting.

    numba's pool is usually OpenMP (libgomp, loaded when the pool starts). By default
    its idle workers spin after each kernel, while OpenBLAS's workers spin-yield after
    each GEMM: on a 2-core machine the two pools then steal each other's core (a 2-thread
    W17 CNN step took 25–27 ms against 10–14 ms on one thread). With
    OMP_WAIT_POLICY=PASSIVE numba's workers sleep until the next kernel instead (16 ms).
    libgomp reads the variable once, when it loads, so it is set only while the pool
    starts (``get_num_threads`` starts it) and removed after: no other library in the
    process sees it. A value the user set is kept; an OpenMP runtime that is already
    loaded (by torch, say) keeps its own policy."""
    user_set = "OMP_WAIT_POLICY" in os.environ
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        numba.get_num_threads()
    finally:
        if not user_set:
            del os.environ["OMP_WAIT_POLICY"]


_start_threads()
_MAX_THREADS: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
if os.environ.get("OMP_NUM_THREADS", "").isdigit():
    numba.set_num_threads(max(1, min(int(os.environ["OMP_NUM_THREADS"]), _MAX_THREADS)))


@_jit
def conv2d_forward(xp: Any, w: Any, b: Any, sh: int, dh: int, dwn: int, out: Any) -> None:
    """out[o, y, x·N + n] = b[o] + Σ_{c,i,j} w[o, c, i, j] · xp[c, y·sh + i·dh, (x + j·dw)·N + n]

    xp: the padded images, rows flat (C, Hp, Wp·N); w (O, C, kh, kw); b (O,) (zeros for
    no bias); out (O, OH, OW·N); ``dwn`` = dilation along the width · N. Width stride 1.
    One task per output row (o, y)."""
    n_out, oh, length = out.shape
    _, n_in, kh, kw = w.shape
    for task in prange(n_out * oh):
        o, y = task // oh, task % oh
        acc = out[o, y]
        acc[:] = b[o]
        for c in range(n_in):
            for i in range(kh):
                row = xp[c, y * sh + i * dh]
                j = 0
                while j + 2 < kw:  # three taps per pass over acc
                    r0 = row[j * dwn:j * dwn + length]
                    r1 = row[(j + 1) * dwn:(j + 1) * dwn + length]
                    r2 = row[(j + 2) * dwn:(j + 2) * dwn + length]
                    w0, w1, w2 = w[o, c, i, j], w[o, c, i, j + 1], w[o, c, i, j + 2]
                    for k in range(length):
                        acc[k] += w0 * r0[k] + w1 * r1[k] + w2 * r2[k]
                    j += 3
                while j < kw:
                    r0 = row[j * dwn:j * dwn + length]
                    w0 = w[o, c, i, j]
                    for k in range(length):
                        acc[k] += w0 * r0[k]
                    j += 1


@_jit
def conv2d_weight_grad(xp: Any, g: Any, sh: int, dh: int, dwn: int, dw: Any) -> None:
    """dw[o, c, i, j] = Σ_{y, x, n} g[o, y, x·N + n] · xp[c, y·sh + i·dh, (x + j·dw)·N + n]

    (the correlation of the output gradient with the input). g (O, OH, OW·N); dw
    (O, C, kh, kw), overwritten. One task per (o, c); each g row is read once for three
    taps."""
    n_out, n_in, kh, kw = dw.shape
    _, oh, length = g.shape
    for task in prange(n_out * n_in):
        o, c = task // n_in, task % n_in
        dw[o, c] = 0
        for i in range(kh):
            for y in range(oh):
                gr = g[o, y]
                row = xp[c, y * sh + i * dh]
                j = 0
                while j + 2 < kw:
                    r0 = row[j * dwn:j * dwn + length]
                    r1 = row[(j + 1) * dwn:(j + 1) * dwn + length]
                    r2 = row[(j + 2) * dwn:(j + 2) * dwn + length]
                    s0 = s1 = s2 = g.dtype.type(0)
                    for k in range(length):
                        s0 += gr[k] * r0[k]
                        s1 += gr[k] * r1[k]
                        s2 += gr[k] * r2[k]
                    dw[o, c, i, j] += s0
                    dw[o, c, i, j + 1] += s1
                    dw[o, c, i, j + 2] += s2
                    j += 3
                while j < kw:
                    r0 = row[j * dwn:j * dwn + length]
                    s0 = g.dtype.type(0)
                    for k in range(length):
                        s0 += gr[k] * r0[k]
                    dw[o, c, i, j] += s0
                    j += 1


@_jit
def conv2d_input_grad(g: Any, w: Any, sh: int, dh: int, dwn: int, dxp: Any) -> None:
    """dxp[c, y·sh + i·dh, (x + j·dw)·N + n] += Σ_o w[o, c, i, j] · g[o, y, x·N + n]

    (the adjoint of the forward: every output's gradient spread back over its window).
    dxp (C, Hp, Wp·N), the gradient of the *padded* images, overwritten; the caller
    crops the padding. One task per input channel c, so no two threads add to one
    pixel; three output channels per pass over a row."""
    n_in = dxp.shape[0]
    n_out, oh, length = g.shape
    _, _, kh, kw = w.shape
    for c in prange(n_in):
        dxp[c] = 0
        for y in range(oh):
            for i in range(kh):
                row = dxp[c, y * sh + i * dh]
                for j in range(kw):
                    dst = row[j * dwn:j * dwn + length]
                    o = 0
                    while o + 2 < n_out:
                        g0, g1, g2 = g[o, y], g[o + 1, y], g[o + 2, y]
                        w0, w1, w2 = w[o, c, i, j], w[o + 1, c, i, j], w[o + 2, c, i, j]
                        for k in range(length):
                            dst[k] += w0 * g0[k] + w1 * g1[k] + w2 * g2[k]
                        o += 3
                    while o < n_out:
                        g0, w0 = g[o, y], w[o, c, i, j]
                        for k in range(length):
                            dst[k] += w0 * g0[k]
                        o += 1


@_jit
def max_pool_forward(xp: Any, kh: int, kw: int, sh: int, sw: int, dh: int, dw: int,
                     best: Any, winner: Any) -> None:
    """best[c, y, x, n] = max over the window at (y, x) of xp[c, :, :, n];
    winner = the offset k = i·kw + j of the *first* maximum in row-major order, or of the
    last NaN (a NaN wins its window, as in PyTorch's CPU kernel).

    xp (C, Hp, Wp, N) padded with −∞; best, winner (C, OH, OW, N). One task per (c, y)."""
    n_ch, oh, ow, n = best.shape
    for task in prange(n_ch * oh):
        c, y = task // oh, task % oh
        for x in range(ow):
            top, win = best[c, y, x], winner[c, y, x]
            top[:] = xp[c, y * sh, x * sw]
            win[:] = 0
            for i in range(kh):
                for j in range(kw):
                    if i == 0 and j == 0:
                        continue
                    src = xp[c, y * sh + i * dh, x * sw + j * dw]
                    k = i * kw + j
                    for m in range(n):
                        # strictly greater keeps the first maximum; v != v is NaN (a NaN
                        # in top stays: nothing compares greater than NaN). Selects, not
                        # branches, so that the loop vectorises.
                        v = src[m]
                        better = (v > top[m]) | (v != v)
                        top[m] = v if better else top[m]
                        win[m] = k if better else win[m]


@_jit
def max_pool_backward(g: Any, winner: Any, kh: int, kw: int, sh: int, sw: int, dh: int,
                      dw: int, dxp: Any) -> None:
    """dxp[c, y·sh + i·dh, x·sw + j·dw, n] += g[c, y, x, n] where k = i·kw + j won.

    g, winner (C, OH, OW, N); dxp (C, Hp, Wp, N), the gradient of the padded images,
    overwritten. One task per channel (windows of one channel may overlap)."""
    n_ch, oh, ow, n = g.shape
    zero = g.dtype.type(0)
    for c in prange(n_ch):
        dxp[c] = 0
        for y in range(oh):
            for x in range(ow):
                gv, win = g[c, y, x], winner[c, y, x]
                for i in range(kh):
                    for j in range(kw):
                        # every tap's pixel takes the gradients of the images where it
                        # won (a select over N, which vectorises; a scatter would not)
                        dst = dxp[c, y * sh + i * dh, x * sw + j * dw]
                        k = i * kw + j
                        for m in range(n):
                            dst[m] += gv[m] if win[m] == k else zero


def threads() -> int:
    """How many threads the kernels run on."""
    return int(numba.get_num_threads())
