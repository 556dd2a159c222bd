# cython: language_level=3
"""Fused binned-sample entropy: per row, bin the samples, count, estimate; no counts matrix.

Each row is one prange task: the thread bins it into its own scratch histogram (numpy.histogram's
bin assignment, ``find_bin`` in histogram.pxd) and hands the counts to ``estimate_row``
(estimators.pxd). Every output is written by exactly one thread, so results do not depend on the
thread count. A row that numpy.histogram would reject, or that leaves nothing to estimate, gets a
status code for the facade to turn into an error.
"""
from cython.parallel cimport parallel, prange
from libc.float cimport DBL_EPSILON
from libc.math cimport INFINITY, NAN, fabs
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from fastentropy._kernels.estimators cimport estimate_row
from fastentropy._kernels.histogram cimport (
    BIN_NUMPY, BIN_UNIFORM, count_uniform, count_uniform_next, fe_cpu_init, fe_has_avx2, fe_min_max_finish,
    fe_min_max_start, find_bin, linspace_edges, row_min_max)

fe_cpu_init()  # picks the AVX2 min/max where the CPU has it

cdef enum:
    ST_OK = 0
    ST_RANGE = 1      # autodetected range not finite (NaN or inf in the row)
    ST_BINS = 2       # too many bins for the row's range (edges not increasing)
    ST_EMPTY = 3      # no sample inside the range
    ST_K = 4          # k below the row's observed support
    ST_NOMEM = 5


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
    if <double>support > k:
        out[0] = NAN
        return ST_K
    out[0] = estimate_row(c, nb, k, method, NULL)
    return ST_OK


cdef signed char _uniform_row(const double* x, Py_ssize_t n, double lo, double hi, bint auto,
                              Py_ssize_t nb, double k, int method, double* e, int64_t* c,
                              const double* nx, double* st, double tag,
                              double* out) noexcept nogil:
    """numpy.histogram(x, nb, range) counts (range from the row when ``auto``), then estimate.

    Software pipelining (AVX2, auto range): ``st`` holds the first stage of the min/max of the
    row tagged ``st[20]``; if that is this row (``tag - 1``) it is finished here instead of
    read again.  When ``nx`` (the next row, same length) is not NULL its min/max is started
    during this row's counting pass and ``st[20]`` set to ``tag``.  The result is the same
    min/max bit for bit (the same reduction in the same order), only the loads overlap.
    """
    cdef double width, big, err, first, scale, tol
    cdef Py_ssize_t i, b
    cdef int mode, nan = 0
    cdef bint have = st != NULL and st[20] == tag - 1.0
    if st != NULL:
        st[20] = -1.0
    out[0] = NAN
    if auto:
        if n == 0:
            lo = 0.0
            hi = 1.0
        else:
            if have:
                fe_min_max_finish(x, n, st, &lo, &hi, &nan)
                if nan:
                    lo = NAN
                    hi = NAN
            else:
                row_min_max(x, n, &lo, &hi)
            if not (fabs(lo) <= 1.7976931348623157e308 and fabs(hi) <= 1.7976931348623157e308):
                return ST_RANGE
        if lo == hi:
            lo = lo - 0.5
            hi = hi + 0.5
    if not linspace_edges(lo, hi, nb, e):
        return ST_BINS
    width = e[1] - e[0]
    for i in range(1, nb):
        if e[i + 1] - e[i] < width:
            width = e[i + 1] - e[i]
    big = fabs(lo) if fabs(lo) > fabs(hi) else fabs(hi)
    err = 4.0 * DBL_EPSILON * (<double>nb + big / width)
    if err < 0.5:
        mode = BIN_UNIFORM
        first = e[0]
        scale = <double>nb / (e[nb] - e[0])
        tol = 4.0 * err if 4.0 * err < 0.5 else INFINITY  # INFINITY: walk every value
    else:
        # so narrow a range that a guess may be off by more than one bin: numpy's own formula
        mode = BIN_NUMPY
        first = lo
        scale = hi - lo
        tol = 0.0
    memset(c, 0, nb * sizeof(int64_t))
    if mode == BIN_UNIFORM:
        if nx != NULL:
            fe_min_max_start(nx, st)
        count_uniform_next(x, n, e, nb, first, scale, tol, c, nx, st)
        if nx != NULL:
            st[20] = tag
    else:
        for i in range(n):
            b = find_bin(x[i], e, nb, first, scale, tol, mode)
            if b >= 0:
                c[b] += 1
    return _estimate(c, nb, k, method, out)


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
    cdef double* e
    cdef int64_t* c
    cdef double* st
    cdef bint pipe = auto and n > 0 and fe_has_avx2()
    if rows == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        e = <double*> malloc((nb + 1) * sizeof(double))
        c = <int64_t*> malloc(nb * sizeof(int64_t))
        st = <double*> malloc(21 * sizeof(double)) if pipe else NULL
        if st != NULL:
            st[20] = -1.0
        for r in prange(rows, schedule='static'):
            if e == NULL or c == NULL:
                status[r] = ST_NOMEM
                out[r] = NAN
            else:
                status[r] = _uniform_row(&x[r, 0] if n else NULL, n, lo, hi, auto, nb, k[r],
                                         method, e, c,
                                         &x[r + 1, 0] if st != NULL and r + 1 < rows else NULL,
                                         st, <double>(r + 1), &out[r])
        free(e)
        free(c)
        free(st)


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


def entropy_rows_labels(const int64_t[:, ::1] x,   # IN (rows, n) labels in [0, nlab)
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
