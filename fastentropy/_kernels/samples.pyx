# cython: language_level=3
"""Fused binned-sample entropy: per row, bin the samples, count, estimate; no counts matrix.

Each row is one prange task: the thread bins it into its own scratch histogram (numpy.histogram's
bin assignment, ``find_bin`` in histogram.pxd) and hands the counts to ``estimate_row``
(estimators.pxd). Every output is written by exactly one thread, so results do not depend on the
thread count. A row that numpy.histogram would reject, or that leaves nothing to estimate, gets a
status code for the facade to turn into an error.

``entropy_rows_rule`` also computes numpy's bin-count rule ('fd', 'scott', 'doane', 'auto',
'sturges', 'rice', 'sqrt') of each row inside the row pass, in per-thread scratch of one row:
the quartiles by selection (``fe_order_stats``), the mean and standard deviation by numpy's own
pairwise summation (``fe_pairwise_sum``), so the bin count is numpy's.  Where numpy's arithmetic
cannot be reproduced to the bit (Doane's skewness goes through numpy's SIMD ``power`` and
``log2``; Scott's standard deviation depends on numpy's summation order), the row carries an
error bound, and a row whose bin count is within that bound of another integer is left to numpy
(status ST_FALLBACK).
"""
from cython.parallel cimport parallel, prange
from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY, NAN, ceil, fabs, log2, sqrt
from libc.stdint cimport int32_t, int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from fastentropy._kernels.estimators cimport estimate_row
from fastentropy._kernels.histogram cimport (
    BIN_NUMPY, BIN_UNIFORM, count_uniform, count_uniform_next, fe_cpu_init, fe_has_avx2,
    fe_min_max_finish, fe_min_max_start, find_bin, linspace_edges, row_min_max)

fe_cpu_init()  # picks the AVX2 min/max where the CPU has it

cdef extern from *:
    """
    #include <stddef.h>
    #include <stdint.h>
    #include <string.h>
    /* numpy's pairwise summation of a contiguous float64 array (np.add.reduce: blocks of at
       most 128 summed with eight accumulators, longer runs split in two at a multiple of 8),
       operation for operation, so the sum is bitwise numpy's. */
    static double fe_pairwise_sum(const double* a, ptrdiff_t n) {
        if (n < 8) {
            double res = 0.;
            for (ptrdiff_t i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= 128) {
            double r[8];
            ptrdiff_t i;
            for (int j = 0; j < 8; j++) r[j] = a[j];
            for (i = 8; i < n - (n % 8); i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        ptrdiff_t n2 = n / 2;
        n2 -= n2 % 8;
        return fe_pairwise_sum(a, n2) + fe_pairwise_sum(a + n2, n - n2);
    }

    /* a * b rounded on its own (no fused multiply-add), for numpy's lerp */
    static inline double fe_mul(double a, double b) {
        volatile double p = a * b;
        return p;
    }

    static inline void fe_swap(double* a, ptrdiff_t i, ptrdiff_t j) {
        double t = a[i]; a[i] = a[j]; a[j] = t;
    }
    static void fe_sift(double* a, ptrdiff_t root, ptrdiff_t n) {
        for (;;) {
            ptrdiff_t c = 2 * root + 1;
            if (c >= n) return;
            if (c + 1 < n && a[c + 1] > a[c]) c++;
            if (!(a[c] > a[root])) return;
            fe_swap(a, root, c);
            root = c;
        }
    }
    static void fe_heapsort(double* a, ptrdiff_t n) {
        for (ptrdiff_t i = n / 2 - 1; i >= 0; i--) fe_sift(a, i, n);
        for (ptrdiff_t i = n - 1; i > 0; i--) { fe_swap(a, 0, i); fe_sift(a, 0, i); }
    }
    /* Rearrange a[0..n) (no NaN) so that a[k] is its k-th smallest, a[< k] <= a[k] <= a[> k]:
       Hoare's FIND with a median-of-three pivot; short ranges by insertion, and a heapsort
       once the range has not shrunk for too long, so the worst case is O(n log n). */
    static void fe_select(double* a, ptrdiff_t n, ptrdiff_t k) {
        ptrdiff_t lo = 0, hi = n - 1;
        int budget = 8;
        for (ptrdiff_t m = n; m > 1; m >>= 1) budget += 2;
        while (hi > lo) {
            if (hi - lo < 16) {
                for (ptrdiff_t i = lo + 1; i <= hi; i++) {
                    double v = a[i];
                    ptrdiff_t j = i - 1;
                    while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
                    a[j + 1] = v;
                }
                return;
            }
            if (budget-- == 0) { fe_heapsort(a + lo, hi - lo + 1); return; }
            ptrdiff_t mid = lo + (hi - lo) / 2;
            if (a[mid] < a[lo]) fe_swap(a, mid, lo);
            if (a[hi] < a[lo]) fe_swap(a, hi, lo);
            if (a[hi] < a[mid]) fe_swap(a, hi, mid);
            double p = a[mid];
            ptrdiff_t i = lo, j = hi;
            do {
                while (a[i] < p) i++;
                while (p < a[j]) j--;
                if (i <= j) { fe_swap(a, i, j); i++; j--; }
            } while (i <= j);
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;  /* a[j + 1 .. i - 1] all equal p */
        }
    }

    /* The order statistics of ranks rk[0] <= rk[1] <= ... <= rk[m - 1] (m <= 8) of x[0..n)
       (finite, lo = min, hi = max) into v[0..m).  Large rows: count the values in nbk
       equal-width buckets over [lo, hi] (a monotone map, so a rank's value lies in the bucket
       where the running count passes the rank), copy out only the buckets holding wanted
       ranks (one group of neighbouring buckets per cluster of ranks), and select inside each
       group; small rows, narrow ranges and ranks spread over most of the row: the whole row
       is copied.  s: scratch of n doubles; bk: nbk (<= 4096) int32. */
    static void fe_order_stats(const double* x, ptrdiff_t n, double lo, double hi,
                               const ptrdiff_t* rk, int m, double* v, double* s, int32_t* bk,
                               ptrdiff_t nbk) {
        double bscale = (double)nbk / (hi - lo);
        const double bmax = (double)(nbk - 1);
        ptrdiff_t gfirst[8], glast[8], gbase[8], goff[8], gsize[8];
        int ng = 0, gj[8];
        if (n >= 1024 && nbk >= 2 && nbk <= 4096 && bscale < 1.79e308 && m <= 8) {
            signed char gmap[4096];
            ptrdiff_t cum = 0, b = 0, total = 0;
            memset(bk, 0, (size_t)nbk * sizeof(int32_t));
            for (ptrdiff_t i = 0; i < n; i++) {
                double t = (x[i] - lo) * bscale;
                bk[(ptrdiff_t)(t < bmax ? t : bmax)]++;
            }
            for (int j = 0; j < m; j++) {
                while (cum + bk[b] <= rk[j]) cum += bk[b++];
                if (ng > 0 && b <= glast[ng - 1] + 1) {
                    glast[ng - 1] = b;
                } else {
                    gfirst[ng] = b; glast[ng] = b; gbase[ng] = cum; ng++;
                }
                gj[j] = ng - 1;
            }
            for (int g = 0; g < ng; g++) {
                gsize[g] = 0;
                for (ptrdiff_t bb = gfirst[g]; bb <= glast[g]; bb++) gsize[g] += bk[bb];
                goff[g] = total;
                total += gsize[g];
            }
            if (total <= n / 2) {
                ptrdiff_t fill[8];
                memset(gmap, -1, (size_t)nbk);
                for (int g = 0; g < ng; g++) {
                    fill[g] = goff[g];
                    for (ptrdiff_t bb = gfirst[g]; bb <= glast[g]; bb++) gmap[bb] = (signed char)g;
                }
                for (ptrdiff_t i = 0; i < n; i++) {
                    double t = (x[i] - lo) * bscale;
                    int g = gmap[(ptrdiff_t)(t < bmax ? t : bmax)];
                    if (g >= 0) s[fill[g]++] = x[i];
                }
                goto pick;
            }
        }
        /* one group: the whole row */
        memcpy(s, x, (size_t)n * sizeof(double));
        ng = 1; goff[0] = 0; gsize[0] = n; gbase[0] = 0;
        for (int j = 0; j < m; j++) gj[j] = 0;
    pick:
        {
            ptrdiff_t start = 0, last = -1;
            int cur = -1;
            for (int j = 0; j < m; j++) {
                int g = gj[j];
                double* reg = s + goff[g];
                ptrdiff_t r = rk[j] - gbase[g];
                if (g != cur) { cur = g; start = 0; last = -1; }
                if (r != last) {
                    fe_select(reg + start, gsize[g] - start, r - start);
                    start = r + 1;
                    last = r;
                }
                v[j] = reg[r];
            }
        }
    }
    """
    double fe_pairwise_sum(const double* a, Py_ssize_t n) noexcept nogil
    double fe_mul(double a, double b) noexcept nogil
    void fe_order_stats(const double* x, Py_ssize_t n, double lo, double hi,
                        const Py_ssize_t* rk, int m, double* v, double* s, int32_t* bk,
                        Py_ssize_t nbk) noexcept nogil

cdef enum:
    ST_OK = 0
    ST_RANGE = 1      # autodetected range not finite (NaN or inf in the row), or its width
    ST_BINS = 2       # too many bins for the row's range (edges not increasing)
    ST_EMPTY = 3      # no sample inside the range
    ST_K = 4          # k below the row's observed support
    ST_NOMEM = 5
    ST_FALLBACK = 6   # the rule's bin count is not certain here: numpy computes this row

    # rule codes of entropy_rows_rule (fastentropy.samples._RULE_CODES)
    R_SQRT = 0
    R_STURGES = 1
    R_RICE = 2
    R_SCOTT = 3
    R_FD = 4
    R_AUTO = 5
    R_DOANE = 6

    NB_CAP = 1 << 22  # rule bin counts above this go to numpy (its own memory, its own errors)
    NBK = 4096        # most selection buckets


# label_t: every integer width, read in place (the shared fused type)
from fastentropy._kernels._inttypes cimport any_int_t as label_t


cdef struct Work:
    # one thread's scratch: edges and counts (grown on demand), a row copy and selection
    # buckets (rule rows), the pipelined min/max state (21 doubles, or NULL)
    double* e
    int64_t* c
    Py_ssize_t cap
    double* s
    int32_t* bk
    double* st


cdef bint _reserve(Work* w, Py_ssize_t nb) noexcept nogil:
    """Room for ``nb`` bins in ``w`` (keeps the old buffers when they suffice)."""
    if nb <= w.cap:
        return True
    free(w.e)
    free(w.c)
    w.e = <double*> malloc((nb + 1) * sizeof(double))
    w.c = <int64_t*> malloc(nb * sizeof(int64_t))
    if w.e == NULL or w.c == NULL:
        free(w.e)
        free(w.c)
        w.e = NULL
        w.c = NULL
        w.cap = 0
        return False
    w.cap = nb
    return True


cdef inline signed char _estimate(const int64_t* c, Py_ssize_t nb, double k, int method,
                                  double* out) noexcept nogil:
    cdef Py_ssize_t j, support = 0
    cdef int64_t total = 0
    for j in range(nb):
        total += c[j]
        support += c[j] != 0
    if total == 0:
        out[0] = NAN
        return ST_EMPTY
    if k != k:  # NaN: the default, the row's number of bins
        k = <double>nb
    if <double>support > k:
        out[0] = NAN
        return ST_K
    out[0] = estimate_row(c, nb, k, method, NULL)
    return ST_OK


cdef inline bint _finite(double v) noexcept nogil:
    return fabs(v) <= 1.7976931348623157e308


cdef signed char _row_min_max(const double* x, Py_ssize_t n, Work* w, double tag, double* lo,
                              double* hi) noexcept nogil:
    """The row's min and max (finishing a pipelined reduction started by the previous row when
    ``w.st`` holds this row's, ``tag - 1``); ST_RANGE when not finite or ``hi - lo`` overflows."""
    cdef int nan = 0
    cdef bint have = w.st != NULL and w.st[20] == tag - 1.0
    if w.st != NULL:
        w.st[20] = -1.0
    if have:
        fe_min_max_finish(x, n, w.st, lo, hi, &nan)
        if nan:
            lo[0] = NAN
            hi[0] = NAN
    else:
        row_min_max(x, n, lo, hi)
    if not (_finite(lo[0]) and _finite(hi[0]) and _finite(hi[0] - lo[0])):
        return ST_RANGE
    return ST_OK


cdef struct Plan:
    # how _count_estimate bins a row: edges e[0..nb], and find_bin's first / scale / tol / mode
    Py_ssize_t nb
    double first
    double scale
    double tol
    int mode


cdef signed char _plan(double lo, double hi, Py_ssize_t nb, double* e, Plan* p) noexcept nogil:
    """numpy.histogram's edges for (lo, hi), nb bins (lo < hi final) into ``e``, and the plan."""
    cdef double width, big, err
    cdef Py_ssize_t i
    if not linspace_edges(lo, hi, nb, e):
        return ST_BINS
    width = e[1] - e[0]
    for i in range(1, nb):
        if e[i + 1] - e[i] < width:
            width = e[i + 1] - e[i]
    big = fabs(lo) if fabs(lo) > fabs(hi) else fabs(hi)
    err = 4.0 * DBL_EPSILON * (<double>nb + big / width)
    p.nb = nb
    if err < 0.5:
        p.mode = BIN_UNIFORM
        p.first = e[0]
        p.scale = <double>nb / (e[nb] - e[0])
        p.tol = 4.0 * err if 4.0 * err < 0.5 else INFINITY  # INFINITY: walk every value
    else:
        # so narrow a range that a guess may be off by more than one bin: numpy's own formula
        p.mode = BIN_NUMPY
        p.first = lo
        p.scale = hi - lo
        p.tol = 0.0
    return ST_OK


cdef signed char _count_estimate(const double* x, Py_ssize_t n, const double* e, const Plan* p,
                                 double k, int method, Work* w, const double* nx, double tag,
                                 double* out) noexcept nogil:
    """Count ``x`` into ``w.c`` by plan ``p`` on edges ``e``, then the estimate.

    When ``nx`` (the next row, same length) is not NULL its min/max is started during this
    row's counting pass (AVX2 only) and ``w.st[20]`` set to ``tag``: the same reduction in the
    same order, so the same min/max bit for bit, only the loads overlap.
    """
    cdef Py_ssize_t i, b, nb = p.nb
    cdef int64_t* c = w.c
    memset(c, 0, nb * sizeof(int64_t))
    if p.mode == BIN_UNIFORM:
        if nx != NULL and w.st != NULL:
            fe_min_max_start(nx, w.st)
            count_uniform_next(x, n, e, nb, p.first, p.scale, p.tol, c, nx, w.st)
            w.st[20] = tag
        else:
            count_uniform(x, n, e, nb, p.first, p.scale, p.tol, c)
    else:
        for i in range(n):
            b = find_bin(x[i], e, nb, p.first, p.scale, p.tol, p.mode)
            if b >= 0:
                c[b] += 1
    return _estimate(c, nb, k, method, out)


cdef signed char _bin_estimate(const double* x, Py_ssize_t n, double lo, double hi,
                               Py_ssize_t nb, double k, int method, Work* w, const double* nx,
                               double tag, double* out) noexcept nogil:
    """numpy.histogram(x, nb, (lo, hi)) counts (lo < hi final), then the estimate."""
    cdef Plan p
    cdef signed char s = _plan(lo, hi, nb, w.e, &p)
    if s != ST_OK:
        return s
    return _count_estimate(x, n, w.e, &p, k, method, w, nx, tag, out)


cdef signed char _uniform_row(const double* x, Py_ssize_t n, double lo, double hi, bint auto,
                              Py_ssize_t nb, double k, int method, Work* w, const double* nx,
                              double tag, double* out) noexcept nogil:
    """numpy.histogram(x, nb, range) counts (range from the row when ``auto``), then estimate."""
    cdef signed char s
    out[0] = NAN
    if auto:
        if n == 0:
            lo = 0.0
            hi = 1.0
        else:
            s = _row_min_max(x, n, w, tag, &lo, &hi)
            if s != ST_OK:
                return s
        if lo == hi:
            lo = lo - 0.5
            hi = hi + 0.5
    return _bin_estimate(x, n, lo, hi, nb, k, method, w, nx, tag, out)


cdef inline double _lerp(double a, double b, double t) noexcept nogil:
    """numpy's _lerp: ``a + (b - a) t``, or ``b - (b - a)(1 - t)`` when t >= 0.5."""
    cdef double d = b - a
    if t >= 0.5:
        return b - fe_mul(d, 1.0 - t)
    return a + fe_mul(d, t)


cdef double _iqr(const double* x, Py_ssize_t n, double lo, double hi, Work* w) noexcept nogil:
    """``numpy.subtract(*numpy.percentile(x, [75, 25]))`` (method 'linear'), bit for bit."""
    cdef Py_ssize_t rk[4]
    cdef double v[4]
    cdef double v25 = <double>(n - 1) * 0.25, v75 = <double>(n - 1) * 0.75
    cdef Py_ssize_t i25 = <Py_ssize_t>v25, i75 = <Py_ssize_t>v75
    cdef double g25 = v25 - <double>i25, g75 = v75 - <double>i75
    cdef Py_ssize_t nbk = n // 4 if n // 4 < NBK else NBK
    if n == 1:
        return 0.0  # numpy: both quartiles are the one value
    if n == 2:  # the order statistics are the min and the max
        return _lerp(lo, hi, g75) - _lerp(lo, hi, g25)
    rk[0] = i25
    rk[1] = i25 + 1
    rk[2] = i75
    rk[3] = i75 + 1
    fe_order_stats(x, n, lo, hi, rk, 4, v, w.s, w.bk, nbk)
    return _lerp(v[2], v[3], g75) - _lerp(v[0], v[1], g25)


cdef void _moments(const double* x, Py_ssize_t n, bint third, Work* w, double* sigma,
                   double* g1, double* abs3) noexcept nogil:
    """numpy's ``std(x)`` (pairwise sums, as np.std); with ``third`` also
    ``mean(((x - mean(x)) / std(x)) ** 3)`` (cubes multiplied out, not numpy's SIMD power) and
    the mean |cube|."""
    cdef Py_ssize_t i
    cdef double m = fe_pairwise_sum(x, n) / <double>n
    cdef double d
    cdef double* s = w.s
    for i in range(n):
        d = x[i] - m
        s[i] = d * d
    sigma[0] = sqrt(fe_pairwise_sum(s, n) / <double>n)
    g1[0] = 0.0
    abs3[0] = 0.0
    if third and sigma[0] > 0.0:
        for i in range(n):
            d = (x[i] - m) / sigma[0]
            s[i] = d * d * d  # numpy's power(d, 3) is within a few ulps of this (see the bound)
        g1[0] = fe_pairwise_sum(s, n) / <double>n
        for i in range(n):
            abs3[0] += fabs(s[i])
        abs3[0] /= <double>n


cdef signed char _rule_row(const double* x, Py_ssize_t n, int rule, const double* cst,
                           double k, int method, Work* w, const double* nx, double tag,
                           double* out, int64_t* nbins) noexcept nogil:
    """numpy.histogram(x, bins=rule) counts (numpy's bin count and edges), then estimate.

    ``cst`` holds numpy's constants for this n (see fastentropy.samples._rule_constants):
    sqrt(n), log2(n) + 1, 2 n^(1/3), (24 sqrt(pi) / n)^(1/3), n^(-1/3), Doane's sigma_g1.
    """
    cdef double lo, hi, ptp, width = 0.0, fd, st, sq, sigma, g1, abs3, arg, lg, den, rel = 0.0
    cdef double q, ql, qh, lg2n
    cdef signed char s
    cdef Py_ssize_t nb
    out[0] = NAN
    nbins[0] = 0
    s = _row_min_max(x, n, w, tag, &lo, &hi)
    if s != ST_OK:
        return s
    ptp = hi - lo
    if rule == R_SQRT:
        width = ptp / cst[0]
    elif rule == R_STURGES:
        width = ptp / cst[1]
    elif rule == R_RICE:
        width = ptp / cst[2]
    elif rule == R_SCOTT:
        _moments(x, n, False, w, &sigma, &g1, &abs3)
        width = cst[3] * sigma
        # numpy's std may sum in another order (other numpy versions, other layouts)
        lg2n = log2(<double>n) + 2.0
        rel = 4.0 * lg2n * DBL_EPSILON
    elif rule == R_FD or rule == R_AUTO:
        fd = (2.0 * _iqr(x, n, lo, hi, w)) * cst[4]
        width = fd
        if rule == R_AUTO:
            st = ptp / cst[1]
            sq = ptp / cst[0]
            # Python's max and min: the first argument wins ties
            width = sq / 2 if sq / 2 > fd else fd
            width = st if st < width else width
    elif rule == R_DOANE:
        if n > 2:
            _moments(x, n, True, w, &sigma, &g1, &abs3)
            if sigma > 0.0:
                arg = 1.0 + fabs(g1) / cst[5]
                lg = log2(arg)
                den = cst[1] + lg
                width = ptp / den
                # numpy cubes and takes log2 with its own SIMD routines: bound the difference
                # |g1 - numpy's g1| <= (2 log2 n + 20) eps mean|cube| (both sums pairwise, the
                # cubes within a few ulps); then through 1 + |g1| / sg1, log2 (a few ulps
                # apart), the sum with log2(n) + 1, and the divisions of the width and the count
                lg2n = log2(<double>n) + 2.0
                rel = (2.0 * lg2n + 16.0) * DBL_EPSILON * abs3 / cst[5] + 4.0 * DBL_EPSILON * arg
                rel = rel / (arg * 0.6931471805599453) * 1.01
                rel = (rel + 8.0 * DBL_EPSILON * (fabs(lg) + 1.0) + 4.0 * DBL_EPSILON * den) / den
                rel += 8.0 * DBL_EPSILON
    if lo == hi:
        lo = lo - 0.5
        hi = hi + 0.5
    nb = 1
    if width != 0.0:
        q = (hi - lo) / width
        if not (q <= <double>NB_CAP):  # also NaN
            return ST_FALLBACK
        nb = <Py_ssize_t>ceil(q)
        if nb < 1:  # numpy's rule gives 0 bins (an overflowing width): numpy's answer
            return ST_FALLBACK
        if rel > 0.0:
            ql = ceil(q - q * rel)
            qh = ceil(q + q * rel)
            if ql != qh:
                return ST_FALLBACK
    nbins[0] = nb
    if not _reserve(w, nb):
        return ST_NOMEM
    return _bin_estimate(x, n, lo, hi, nb, k, method, w, nx, tag, out)


cdef Work* _work_new(Py_ssize_t nb, Py_ssize_t n_scratch, bint pipe) noexcept nogil:
    cdef Work* w = <Work*> malloc(sizeof(Work))
    if w == NULL:
        return NULL
    w.e = NULL
    w.c = NULL
    w.cap = 0
    w.s = NULL
    w.bk = NULL
    w.st = NULL
    if not _reserve(w, nb if nb > 1 else 1):
        free(w)
        return NULL
    if n_scratch > 0:
        w.s = <double*> malloc(n_scratch * sizeof(double))
        w.bk = <int32_t*> malloc(NBK * sizeof(int32_t))
        if w.s == NULL or w.bk == NULL:
            _work_free(w)
            return NULL
    if pipe:
        w.st = <double*> malloc(21 * sizeof(double))
        if w.st == NULL:
            _work_free(w)
            return NULL
        w.st[20] = -1.0
    return w


cdef void _work_free(Work* w) noexcept nogil:
    if w != NULL:
        free(w.e)
        free(w.c)
        free(w.s)
        free(w.bk)
        free(w.st)
        free(w)


def entropy_rows_uniform(const double[:, ::1] x,   # IN (rows, n) samples
                         Py_ssize_t nb,            # IN bins per row
                         double lo, double hi,     # IN shared range (ignored when auto)
                         bint auto,                # IN True: each row its own min/max
                         const double[::1] k,      # IN (rows,) alphabet size per row
                         int method,               # IN estimator code (estimators.pxd)
                         double[::1] out,          # OUT (rows,) entropy in nats (NaN on error)
                         signed char[::1] status,  # OUT (rows,) ST_* code
                         int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t r
    cdef Work* w
    cdef bint pipe = auto and n > 0 and fe_has_avx2()
    cdef double* e_shared = NULL
    cdef Plan shared
    cdef signed char st_shared = ST_OK
    if rows == 0:
        return
    if not auto:
        # one range for every row: its edges and plan once, read by every thread
        e_shared = <double*> malloc((nb + 1) * sizeof(double))
        if e_shared == NULL:
            raise MemoryError()
        st_shared = _plan(lo, hi, nb, e_shared, &shared)
    try:
        with nogil, parallel(num_threads=n_threads):
            w = _work_new(nb, 0, pipe)
            for r in prange(rows, schedule='static'):
                if w == NULL:
                    status[r] = ST_NOMEM
                    out[r] = NAN
                elif not auto:
                    out[r] = NAN
                    status[r] = st_shared
                    if st_shared == ST_OK:
                        status[r] = _count_estimate(&x[r, 0] if n else NULL, n, e_shared,
                                                    &shared, k[r], method, w, NULL, 0.0,
                                                    &out[r])
                else:
                    status[r] = _uniform_row(&x[r, 0] if n else NULL, n, lo, hi, auto, nb,
                                             k[r], method, w,
                                             &x[r + 1, 0] if pipe and r + 1 < rows else NULL,
                                             <double>(r + 1), &out[r])
            _work_free(w)
    finally:
        free(e_shared)


def entropy_rows_rule(const double[:, ::1] x,   # IN (rows, n) samples, n >= 1
                      int rule,                 # IN R_* code (fastentropy.samples._RULE_CODES)
                      const double[::1] cst,    # IN (6,) numpy's constants for this n
                      const double[::1] k,      # IN (rows,) alphabet size per row; NaN: its bins
                      int method,               # IN estimator code (estimators.pxd)
                      double[::1] out,          # OUT (rows,) entropy in nats (NaN on error)
                      signed char[::1] status,  # OUT (rows,) ST_* code
                      int64_t[::1] nbins,       # OUT (rows,) the rule's bin count (0: not known)
                      int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t r
    cdef Work* w
    cdef bint pipe = n > 0 and fe_has_avx2()
    cdef bint scratch = rule == R_SCOTT or rule == R_FD or rule == R_AUTO or rule == R_DOANE
    if rows == 0 or n == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        w = _work_new(64, n if scratch else 0, pipe)
        for r in prange(rows, schedule='static'):
            if w == NULL:
                status[r] = ST_NOMEM
                out[r] = NAN
                nbins[r] = 0
            else:
                status[r] = _rule_row(&x[r, 0], n, rule, &cst[0], k[r], method, w,
                                      &x[r + 1, 0] if pipe and r + 1 < rows else NULL,
                                      <double>(r + 1), &out[r], &nbins[r])
        _work_free(w)


def entropy_rows_edges(const double[:, ::1] x,       # IN (rows, n) samples
                       const double[::1] edges,      # IN edges of every row, concatenated
                       const int64_t[::1] offsets,   # IN (rows + 1,) or (2,) when shared by all
                       const double[::1] firsts,     # IN per edge set: see histogram.hist_1d
                       const double[::1] scales,     # IN
                       const double[::1] tols,       # IN
                       const int[::1] modes,         # IN
                       const double[::1] k,          # IN (rows,)
                       int method,                   # IN
                       double[::1] out,              # OUT (rows,)
                       signed char[::1] status,      # OUT (rows,)
                       int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef bint shared = offsets.shape[0] == 2
    cdef Py_ssize_t r, s, i, b, nb, nbmax = 0
    cdef int64_t* c
    for s in range(offsets.shape[0] - 1):
        nbmax = max(nbmax, offsets[s + 1] - offsets[s] - 1)
    if rows == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        c = <int64_t*> malloc(max(nbmax, 1) * sizeof(int64_t))
        for r in prange(rows, schedule='static'):
            if c == NULL:
                status[r] = ST_NOMEM
                out[r] = NAN
            else:
                s = 0 if shared else r
                nb = offsets[s + 1] - offsets[s] - 1
                memset(c, 0, nb * sizeof(int64_t))
                if modes[s] == BIN_UNIFORM and n > 0:
                    count_uniform(&x[r, 0], n, &edges[offsets[s]], nb, firsts[s], scales[s],
                                  tols[s], c)
                else:
                    for i in range(n):
                        b = find_bin(x[r, i], &edges[offsets[s]], nb, firsts[s], scales[s],
                                     tols[s], modes[s])
                        if b >= 0:
                            c[b] += 1
                status[r] = _estimate(c, nb, k[r], method, &out[r])
        free(c)


def entropy_rows_labels(const label_t[:, ::1] x,   # IN (rows, n) labels in [0, nlab), any int
                        Py_ssize_t nlab,           # IN alphabet of the counts
                        const double[::1] k,       # IN (rows,)
                        int method,                # IN
                        double[::1] out,           # OUT (rows,)
                        signed char[::1] status,   # OUT (rows,)
                        int n_threads):
    cdef Py_ssize_t rows = x.shape[0]
    cdef Py_ssize_t n = x.shape[1]
    cdef Py_ssize_t r, i
    cdef int64_t* c
    if rows == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        c = <int64_t*> malloc(max(nlab, 1) * sizeof(int64_t))
        for r in prange(rows, schedule='static'):
            if c == NULL:
                status[r] = ST_NOMEM
                out[r] = NAN
            else:
                memset(c, 0, nlab * sizeof(int64_t))
                for i in range(n):
                    c[x[r, i]] += 1
                status[r] = _estimate(c, nlab, k[r], method, &out[r])
        free(c)
