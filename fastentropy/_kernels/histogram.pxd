# Binning shared by histogram.pyx and samples.pyx: numpy's bin assignment, reproduced exactly.
from libc.math cimport NAN
from libc.stdint cimport int32_t, int64_t

cdef extern from *:
    """
    /* numpy.linspace's edge i is `i * step + start` with the product rounded on its own.  A
       compiler allowed to contract it into one fused multiply-add (GCC does on FMA targets)
       would move edges by an ulp, so the product goes through a volatile. */
    static inline double fe_linspace_edge(double i, double step, double start) {
        volatile double prod = i * step;
        return prod + start;
    }
    static inline double fe_linspace_edge_tiny(double i, double div, double delta, double start) {
        /* numpy's branch for a step that underflows to zero: (i / div) * delta + start */
        volatile double q = i / div;
        volatile double prod = q * delta;
        return prod + start;
    }
    """
    double fe_linspace_edge(double i, double step, double start) noexcept nogil
    double fe_linspace_edge_tiny(double i, double div, double delta, double start) noexcept nogil

# How find_bin turns a value into a bin.
cdef enum:
    BIN_UNIFORM = 0   # equal-width edges: multiply by nbins/width, then walk to the true bin
    BIN_NUMPY = 1     # numpy's own formula ((v - first) / denom) * nbins and one-step correction
    BIN_SEARCH = 2    # arbitrary non-decreasing edges: binary search


cdef inline Py_ssize_t find_bin(double v, const double* e, Py_ssize_t nb, double first,
                                double scale, double tol, int mode) noexcept nogil:
    """Bin of ``v`` for edges ``e[0..nb]``, or -1 when ``v`` is outside ``[e[0], e[nb]]`` or NaN.

    The bin is the largest ``b < nb`` with ``e[b] <= v`` (numpy: searchsorted side='right', the
    last edge closed).  BIN_UNIFORM guesses it arithmetically, ``t = (v - first) * scale`` with
    ``scale`` = nb / width; ``tol`` bounds the error of ``t`` against the rounded edges (in bins),
    so when ``[t - tol, t + tol]`` lies inside one bin that bin is certain.  Otherwise (values near
    an edge or outside) it walks from the guess to the bin the edges define, so the answer never
    depends on the rounding of the guess.  BIN_NUMPY (``scale`` = numpy's denominator) repeats
    numpy.histogram's float64 arithmetic bit for bit, including its single correction step, for
    ranges so narrow that a guess could be off by more than one bin.
    """
    cdef Py_ssize_t b, lo, hi, mid
    cdef double t, t_lo, t_hi
    if mode == BIN_UNIFORM:
        t = (v - first) * scale
        t_lo = t - tol
        t_hi = t + tol
        if t_lo >= 0.0 and t_hi < <double>nb:
            b = <Py_ssize_t>t_lo
            if b == <Py_ssize_t>t_hi:
                return b
        if not (v >= e[0] and v <= e[nb]):
            return -1
        b = <Py_ssize_t>t
        if b > nb - 1:
            b = nb - 1
        while b > 0 and v < e[b]:
            b -= 1
        while b < nb - 1 and v >= e[b + 1]:
            b += 1
        return b
    if not (v >= e[0] and v <= e[nb]):
        return -1
    if mode == BIN_NUMPY:
        b = <Py_ssize_t>(((v - first) / scale) * <double>nb)
        if b == nb:
            b -= 1
        if v < e[b]:
            b -= 1
        if b != nb - 1 and v >= e[b + 1]:
            b += 1
        return b
    # branchless bisection for the largest b with e[b] <= v (e[0] <= v holds here): the
    # number of steps depends only on nb, and the data-dependent choice is a conditional move
    lo = 0
    hi = nb + 1
    while hi > 1:
        mid = hi >> 1
        lo = lo + mid if e[lo + mid] <= v else lo
        hi -= mid
    if lo > nb - 1:
        lo = nb - 1
    return lo


cdef inline bint linspace_edges(double start, double stop, Py_ssize_t nb, double* e) noexcept nogil:
    """``numpy.linspace(start, stop, nb + 1)`` in float64, bit for bit, into ``e[0..nb]``.

    Returns False when the edges are not strictly increasing (numpy.histogram then raises "Too
    many bins for data range").
    """
    cdef double delta = stop - start
    cdef double div = <double>nb
    cdef double step = delta / div
    cdef Py_ssize_t i
    if step == 0:
        for i in range(nb):
            e[i] = fe_linspace_edge_tiny(<double>i, div, delta, start)
    else:
        for i in range(nb):
            e[i] = fe_linspace_edge(<double>i, step, start)
    e[nb] = stop
    for i in range(nb):
        if not (e[i] < e[i + 1]):
            return False
    return True


cdef inline void row_min_max(const double* x, Py_ssize_t n, double* mn_out, double* mx_out) noexcept nogil:
    """Min and max of ``x[0..n)``, n >= 1; both NaN if any element is NaN (as ndarray.min/max)."""
    # four independent chains; NaN is skipped by the comparisons, so it is flagged on the side
    cdef double mn0 = x[0], mn1 = x[0], mn2 = x[0], mn3 = x[0]
    cdef double mx0 = x[0], mx1 = x[0], mx2 = x[0], mx3 = x[0], v0, v1, v2, v3
    cdef int nan = 0
    cdef Py_ssize_t i = 0
    while i + 3 < n:
        v0 = x[i]
        v1 = x[i + 1]
        v2 = x[i + 2]
        v3 = x[i + 3]
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
        v0 = x[i]
        mn0 = v0 if v0 < mn0 else mn0
        mx0 = v0 if v0 > mx0 else mx0
        nan |= v0 != v0
        i += 1
    if nan or mn0 != mn0:
        mn_out[0] = NAN
        mx_out[0] = NAN
        return
    mn0 = mn1 if mn1 < mn0 else mn0
    mn2 = mn3 if mn3 < mn2 else mn2
    mx0 = mx1 if mx1 > mx0 else mx0
    mx2 = mx3 if mx3 > mx2 else mx2
    mn_out[0] = mn2 if mn2 < mn0 else mn0
    mx_out[0] = mx2 if mx2 > mx0 else mx0


cdef enum:
    COUNT_CHUNK = 2048


cdef inline void count_uniform(const double* x, Py_ssize_t n, const double* e, Py_ssize_t nb,
                               double first, double scale, double tol, int64_t* c) noexcept nogil:
    """Add the BIN_UNIFORM bins of ``x[0..n)`` to ``c`` (nb < 2**31), in two passes per chunk.

    The first pass only does arithmetic, so the compiler vectorises it: it keeps the guesses
    that cannot be wrong (``[t - tol, t + tol]`` inside one bin) and marks the rest -1.  The
    second pass counts, sending the marked values through ``find_bin``'s exact walk.
    """
    cdef int32_t idx[COUNT_CHUNK]
    cdef Py_ssize_t start = 0, m, i, b
    cdef double t, tl, th, tlc, thc, dnb = <double>nb
    cdef int32_t a1, a2
    while start < n:
        m = n - start if n - start < COUNT_CHUNK else COUNT_CHUNK
        for i in range(m):
            t = (x[start + i] - first) * scale
            tl = t - tol
            th = t + tol
            # clamp before converting: out-of-range double -> int conversion is undefined in C
            tlc = tl if tl > -1.0 else -1.0
            tlc = tlc if tlc < dnb else dnb
            thc = th if th > -1.0 else -1.0
            thc = thc if thc < dnb else dnb
            a1 = <int32_t>tlc
            a2 = <int32_t>thc
            idx[i] = a1 if ((a1 == a2) & (tl >= 0.0) & (th < dnb)) else -1
        for i in range(m):
            b = idx[i]
            if b < 0:
                b = find_bin(x[start + i], e, nb, first, scale, tol, BIN_UNIFORM)
                if b < 0:
                    continue
            c[b] += 1
        start += m
