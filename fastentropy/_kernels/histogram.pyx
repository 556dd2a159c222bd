# cython: language_level=3
"""Histogram kernels: numpy's bin assignment with uniform-bin arithmetic and OpenMP.

The facade computes every edge array with numpy exactly as numpy does and passes it in; the
kernels only assign values to bins (see ``find_bin`` in histogram.pxd) and count.  Integer
counts are combined from per-thread partials (exact in any order); float weights are summed per
fixed 65536-sample block, sequentially within a block, and the block partials are added in block
order: numpy.histogram's own order, so results are bitwise numpy's for any thread count.
"""
from cython.parallel cimport parallel, prange
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memset

from fastentropy._kernels._openmp_helpers cimport omp_get_thread_num
from fastentropy._kernels.histogram cimport (
    BIN_UNIFORM, COUNT_CHUNK, count_uniform, fe_cpu_init, fe_guess_bins, fe_min_max, find_bin)

fe_cpu_init()  # picks the AVX2 min/max where the CPU has it

ctypedef fused real_t:
    double
    float
    int64_t

# numpy.histogram's block; the weighted sum order depends on it.
cdef enum:
    BLOCK = 65536


cdef void _min_max_block(const real_t* x, Py_ssize_t n, double* out) noexcept nogil:
    cdef int nan_flag = 0
    if real_t is double:
        fe_min_max(x, n, &out[0], &out[1], &nan_flag)
        out[2] = 1.0 if nan_flag else 0.0
        return
    _min_max_block_generic(x, n, out)


cdef void _min_max_block_generic(const real_t* x, Py_ssize_t n, double* out) noexcept nogil:
    # Four independent min/max chains; NaN is skipped by the comparisons, so it is flagged
    # separately (inf shows up in the min/max themselves).
    cdef double mn0 = <double>x[0], mn1 = mn0, mn2 = mn0, mn3 = mn0
    cdef double mx0 = mn0, mx1 = mn0, mx2 = mn0, mx3 = mn0, v0, v1, v2, v3
    cdef int nan = 0
    cdef Py_ssize_t i = 0
    while i + 3 < n:
        v0 = <double>x[i]
        v1 = <double>x[i + 1]
        v2 = <double>x[i + 2]
        v3 = <double>x[i + 3]
        mn0 = v0 if v0 < mn0 else mn0
        mn1 = v1 if v1 < mn1 else mn1
        mn2 = v2 if v2 < mn2 else mn2
        mn3 = v3 if v3 < mn3 else mn3
        mx0 = v0 if v0 > mx0 else mx0
        mx1 = v1 if v1 > mx1 else mx1
        mx2 = v2 if v2 > mx2 else mx2
        mx3 = v3 if v3 > mx3 else mx3
        nan |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3)
        i += 4
    while i < n:
        v0 = <double>x[i]
        mn0 = v0 if v0 < mn0 else mn0
        mx0 = v0 if v0 > mx0 else mx0
        nan |= v0 != v0
        i += 1
    mn0 = mn1 if mn1 < mn0 else mn0
    mn2 = mn3 if mn3 < mn2 else mn2
    mx0 = mx1 if mx1 > mx0 else mx0
    mx2 = mx3 if mx3 > mx2 else mx2
    out[0] = mn2 if mn2 < mn0 else mn0
    out[1] = mx2 if mx2 > mx0 else mx0
    out[2] = 1.0 if (nan or mn0 != mn0) else 0.0


def min_max(const real_t[::1] x,   # IN (n,), n >= 1
            double[::1] out,       # OUT (3,): min, max, 1.0 if any value is NaN else 0.0
            int n_threads):
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    cdef Py_ssize_t blk, start, stop
    cdef double* part = <double*> malloc(3 * max(nblocks, 1) * sizeof(double))
    cdef double mn, mx, bad
    if part == NULL:
        raise MemoryError()
    try:
        for blk in prange(nblocks, nogil=True, schedule='static', num_threads=n_threads):
            start = blk * BLOCK
            stop = min(start + BLOCK, n)
            _min_max_block(&x[start], stop - start, part + 3 * blk)
        mn = part[0]
        mx = part[1]
        bad = 0.0
        for blk in range(nblocks):
            mn = part[3 * blk] if part[3 * blk] < mn else mn
            mx = part[3 * blk + 1] if part[3 * blk + 1] > mx else mx
            bad = bad + part[3 * blk + 2]
        out[0] = mn
        out[1] = mx
        out[2] = 0.0 if bad == 0.0 else 1.0
    finally:
        free(part)


cdef void _count_block(const real_t* x, Py_ssize_t n, const double* e, Py_ssize_t nb,
                       double first, double scale, double tol, int mode, int64_t* local,
                       Py_ssize_t ncopy) noexcept nogil:
    # Arguments arrive as locals, so the compiler keeps them in registers (shared variables of
    # an OpenMP region are reloaded after every store through `local`).
    cdef Py_ssize_t i, b
    cdef int64_t* h1 = local + nb
    cdef int64_t* h2 = local + 2 * nb
    cdef int64_t* h3 = local + 3 * nb
    i = 0
    if real_t is double:
        if mode == BIN_UNIFORM and nb < 2147483647:
            count_uniform(x, n, e, nb, first, scale, tol, local)
            return
    if ncopy == 4:
        # interleaved sub-histograms break the store-to-load chain of runs in one bin
        while i + 3 < n:
            b = find_bin(<double>x[i], e, nb, first, scale, tol, mode)
            if b >= 0:
                local[b] += 1
            b = find_bin(<double>x[i + 1], e, nb, first, scale, tol, mode)
            if b >= 0:
                h1[b] += 1
            b = find_bin(<double>x[i + 2], e, nb, first, scale, tol, mode)
            if b >= 0:
                h2[b] += 1
            b = find_bin(<double>x[i + 3], e, nb, first, scale, tol, mode)
            if b >= 0:
                h3[b] += 1
            i += 4
    while i < n:
        b = find_bin(<double>x[i], e, nb, first, scale, tol, mode)
        if b >= 0:
            local[b] += 1
        i += 1


def hist_1d(const real_t[::1] x,        # IN (n,) samples
            const double[::1] edges,    # IN (nb + 1,) non-decreasing edges
            double first,               # IN first edge as numpy's arithmetic sees it
            double scale,               # IN nb / width (BIN_UNIFORM); numpy denominator (BIN_NUMPY)
            double tol,                 # IN BIN_UNIFORM: bound on the guess error, in bins
            int mode,                   # IN BIN_UNIFORM, BIN_NUMPY or BIN_SEARCH
            int64_t[:, ::1] partial,    # OUT (n_threads, nb) zeroed; the facade sums axis 0
            int n_threads):
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nb = edges.shape[0] - 1
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    cdef Py_ssize_t blk, bb, c, start, stop, tid
    cdef Py_ssize_t ncopy = 4 if nb <= 65536 else 1
    cdef int64_t* local
    cdef const double* e = &edges[0]
    cdef const real_t* px
    if n == 0:
        return
    px = &x[0]
    with nogil, parallel(num_threads=n_threads):
        local = <int64_t*> calloc(ncopy * nb, sizeof(int64_t))
        tid = omp_get_thread_num()
        if local != NULL:
            for blk in prange(nblocks, schedule='static'):
                start = blk * BLOCK
                stop = min(start + BLOCK, n)
                _count_block(px + start, stop - start, e, nb, first, scale, tol, mode, local, ncopy)
            for c in range(ncopy):
                for bb in range(nb):
                    partial[tid, bb] += local[c * nb + bb]
            free(local)
        else:
            partial[tid, 0] = -1  # allocation failed: the facade sees a negative count
    return


cdef void _sum_block(const real_t* x, const double* w, Py_ssize_t n, const double* e,
                     Py_ssize_t nb, double first, double scale, double tol, int mode,
                     double* p) noexcept nogil:
    cdef Py_ssize_t i, b
    memset(p, 0, nb * sizeof(double))
    for i in range(n):
        b = find_bin(<double>x[i], e, nb, first, scale, tol, mode)
        if b >= 0:
            p[b] = p[b] + w[i]


def hist_1d_weighted(const real_t[::1] x,      # IN (n,) samples
                     const double[::1] w,      # IN (n,) weights
                     const double[::1] edges,  # IN (nb + 1,)
                     double first,             # IN see hist_1d
                     double scale,             # IN see hist_1d
                     double tol,               # IN see hist_1d
                     int mode,                 # IN see hist_1d
                     double[::1] out,          # OUT (nb,) zeroed
                     int n_threads):
    # numpy sums each 65536-sample block from zero, in sample order, and adds the block sums to
    # the result in block order.  The block sums are computed in parallel into one buffer (when
    # it fits in 64 MiB; otherwise on one thread), then folded in block order.
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nb = edges.shape[0] - 1
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    cdef Py_ssize_t blk, bb, start, stop
    cdef const double* e = &edges[0]
    cdef const real_t* px
    cdef const double* pw
    cdef double* part
    cdef bint all_blocks = nblocks * nb <= (64 << 20) // 8
    if n == 0:
        return
    px = &x[0]
    pw = &w[0]
    part = <double*> malloc((nblocks if all_blocks else 1) * nb * sizeof(double))
    if part == NULL:
        raise MemoryError()
    with nogil:
        if all_blocks:
            for blk in prange(nblocks, schedule='static', num_threads=n_threads):
                start = blk * BLOCK
                stop = min(start + BLOCK, n)
                _sum_block(px + start, pw + start, stop - start, e, nb, first, scale, tol, mode,
                           part + blk * nb)
            for blk in range(nblocks):
                for bb in range(nb):
                    out[bb] = out[bb] + part[blk * nb + bb]
        else:
            for blk in range(nblocks):
                start = blk * BLOCK
                stop = min(start + BLOCK, n)
                _sum_block(px + start, pw + start, stop - start, e, nb, first, scale, tol, mode,
                           part)
                for bb in range(nb):
                    out[bb] = out[bb] + part[bb]
    free(part)


cdef void _count_block_dd(const char* base, Py_ssize_t s0, Py_ssize_t s1, Py_ssize_t start,
                          Py_ssize_t stop, Py_ssize_t D, const double* edges,
                          const int64_t* offsets, const Py_ssize_t* nbs, const double* firsts,
                          const double* scales, const double* tols, const int* modes,
                          int64_t* h) noexcept nogil:
    cdef Py_ssize_t i, d, b, flat
    cdef const char* row
    for i in range(start, stop):
        row = base + i * s0
        flat = 0
        for d in range(D):
            b = find_bin((<const double*>(row + d * s1))[0], edges + offsets[d], nbs[d],
                         firsts[d], scales[d], tols[d], modes[d])
            if b < 0:
                flat = -1
                break
            flat = flat * nbs[d] + b
        if flat >= 0:
            h[flat] += 1


def hist_dd(const double[:, :] sample,     # IN (n, D) samples, any strides
            const double[::1] edges,       # IN all axes' edges concatenated
            const int64_t[::1] offsets,    # IN (D + 1,) axis d: edges[offsets[d]:offsets[d + 1]]
            const double[::1] firsts,      # IN (D,) see hist_1d
            const double[::1] scales,      # IN (D,)
            const double[::1] tols,        # IN (D,)
            const int[::1] modes,          # IN (D,) BIN_UNIFORM or BIN_SEARCH
            int64_t[:, ::1] partial,       # OUT (n_threads, prod(nb)) zeroed; facade sums axis 0
            int n_threads):
    cdef Py_ssize_t n = sample.shape[0]
    cdef Py_ssize_t D = sample.shape[1]
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    cdef Py_ssize_t blk, d, start, stop, tid
    cdef Py_ssize_t s0 = sample.strides[0]
    cdef Py_ssize_t s1 = sample.strides[1]
    cdef const char* base
    cdef Py_ssize_t* nbs
    if n == 0 or D == 0:
        return
    base = <const char*> &sample[0, 0]
    nbs = <Py_ssize_t*> malloc(D * sizeof(Py_ssize_t))
    if nbs == NULL:
        raise MemoryError()
    for d in range(D):
        nbs[d] = offsets[d + 1] - offsets[d] - 1
    with nogil, parallel(num_threads=n_threads):
        tid = omp_get_thread_num()
        for blk in prange(nblocks, schedule='static'):
            start = blk * BLOCK
            stop = min(start + BLOCK, n)
            _count_block_dd(base, s0, s1, start, stop, D, &edges[0], &offsets[0], nbs,
                            &firsts[0], &scales[0], &tols[0], &modes[0], &partial[tid, 0])
    free(nbs)


cdef void _count_block_2d(const real_t* x, const real_t* y, Py_ssize_t n,
                          const double* ex, Py_ssize_t nx, double fx, double sx, double tx, int mx,
                          const double* ey, Py_ssize_t ny, double fy, double sy, double ty, int my,
                          int64_t* h) noexcept nogil:
    cdef Py_ssize_t i, bx, by, start, m
    cdef int32_t gx[COUNT_CHUNK]
    cdef int32_t gy[COUNT_CHUNK]
    if real_t is double:
        if mx == BIN_UNIFORM and my == BIN_UNIFORM and nx < 2147483647 and ny < 2147483647:
            # two passes per chunk, as count_uniform: vectorised guesses, exact walk for the rest
            start = 0
            while start < n:
                m = n - start if n - start < COUNT_CHUNK else COUNT_CHUNK
                fe_guess_bins(x + start, m, fx, sx, tx, <double>nx, gx)
                fe_guess_bins(y + start, m, fy, sy, ty, <double>ny, gy)
                for i in range(m):
                    bx = gx[i]
                    by = gy[i]
                    if bx < 0:
                        bx = find_bin(x[start + i], ex, nx, fx, sx, tx, mx)
                        if bx < 0:
                            continue
                    if by < 0:
                        by = find_bin(y[start + i], ey, ny, fy, sy, ty, my)
                        if by < 0:
                            continue
                    h[bx * ny + by] += 1
                start += m
            return
    for i in range(n):
        bx = find_bin(<double>x[i], ex, nx, fx, sx, tx, mx)
        if bx >= 0:
            by = find_bin(<double>y[i], ey, ny, fy, sy, ty, my)
            if by >= 0:
                h[bx * ny + by] += 1


def hist_2d(const real_t[::1] x,        # IN (n,)
            const real_t[::1] y,        # IN (n,)
            const double[::1] ex,       # IN (nx + 1,) x edges
            const double[::1] ey,       # IN (ny + 1,) y edges
            double fx, double sx, double tx, int mx,   # IN x axis first / scale / tol / mode
            double fy, double sy, double ty, int my,   # IN y axis, see hist_1d
            int64_t[:, ::1] partial,    # OUT (n_threads, nx * ny) zeroed; facade sums axis 0
            int n_threads):
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nx = ex.shape[0] - 1
    cdef Py_ssize_t ny = ey.shape[0] - 1
    cdef Py_ssize_t nblocks = (n + BLOCK - 1) // BLOCK
    cdef Py_ssize_t blk, start, stop, tid
    cdef const double* pex = &ex[0]
    cdef const double* pey = &ey[0]
    cdef const real_t* px
    cdef const real_t* py
    if n == 0:
        return
    px = &x[0]
    py = &y[0]
    with nogil, parallel(num_threads=n_threads):
        tid = omp_get_thread_num()
        for blk in prange(nblocks, schedule='static'):
            start = blk * BLOCK
            stop = min(start + BLOCK, n)
            _count_block_2d(px + start, py + start, stop - start, pex, nx, fx, sx, tx, mx,
                            pey, ny, fy, sy, ty, my, &partial[tid, 0])


def hist_dd_weighted(const double[:, :] sample,   # IN (n, D)
                     const double[::1] w,         # IN (n,)
                     const double[::1] edges,     # IN see hist_dd
                     const int64_t[::1] offsets,  # IN
                     const double[::1] firsts,    # IN
                     const double[::1] scales,    # IN
                     const double[::1] tols,      # IN
                     const int[::1] modes,        # IN
                     double[::1] out,             # OUT (prod(nb),) zeroed
                     int n_threads):
    # numpy.histogramdd sums weights with one bincount, in sample order; one sequential pass is
    # the only order that reproduces it bit for bit, so this kernel ignores n_threads.
    cdef Py_ssize_t n = sample.shape[0]
    cdef Py_ssize_t D = sample.shape[1]
    cdef Py_ssize_t i, d, b, flat
    cdef Py_ssize_t* nbs = <Py_ssize_t*> malloc(max(D, 1) * sizeof(Py_ssize_t))
    if nbs == NULL:
        raise MemoryError()
    for d in range(D):
        nbs[d] = offsets[d + 1] - offsets[d] - 1
    with nogil:
        for i in range(n):
            flat = 0
            for d in range(D):
                b = find_bin(sample[i, d], &edges[offsets[d]], nbs[d], firsts[d], scales[d],
                             tols[d], modes[d])
                if b < 0:
                    flat = -1
                    break
                flat = flat * nbs[d] + b
            if flat >= 0:
                out[flat] = out[flat] + w[i]
    free(nbs)


cdef void _count_row(const double* x, Py_ssize_t n, const double* e, Py_ssize_t nb,
                     double tol, int mode, int64_t* h) noexcept nogil:
    cdef Py_ssize_t i, b
    cdef double first = e[0]
    cdef double scale = <double>nb / (e[nb] - e[0]) if mode == BIN_UNIFORM else e[nb] - e[0]
    if mode == BIN_UNIFORM and nb < 2147483647:
        count_uniform(x, n, e, nb, first, scale, tol, h)
        return
    for i in range(n):
        b = find_bin(x[i], e, nb, first, scale, tol, mode)
        if b >= 0:
            h[b] += 1


def hist_rows(const double[:, ::1] x,       # IN (rows, n) samples
              const double[:, ::1] edges,   # IN (rows, nb + 1) or (1, nb + 1) shared edges
              double tol,                   # IN BIN_UNIFORM guess tolerance (see hist_1d)
              int mode,                     # IN BIN_UNIFORM or BIN_NUMPY
              int64_t[:, ::1] counts,       # OUT (rows, nb)
              int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t nb = counts.shape[1]
    cdef bint shared = edges.shape[0] == 1
    cdef Py_ssize_t r
    if rows == 0 or n == 0:
        return
    for r in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        _count_row(&x[r, 0], n, &edges[0, 0] if shared else &edges[r, 0], nb, tol, mode,
                   &counts[r, 0])


# label_t: every integer width, read in place (the shared fused type)
from fastentropy._kernels._inttypes cimport any_int_t as label_t


def bincount_rows(const label_t[:, ::1] x,   # IN (rows, n) labels in [0, k), any int width
                  int64_t[:, ::1] counts,    # OUT (rows, k) zeroed
                  int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t r, i
    with nogil:
        for r in prange(rows, schedule='static', num_threads=n_threads):
            for i in range(n):
                counts[r, x[r, i]] += 1
