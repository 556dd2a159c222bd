# cython: language_level=3
"""Row kernels for entropies and divergences between probability vectors.

Every input is a C-contiguous (rows, n) float64 array of non-negative weights that the facade has
validated; each row is normalised here by its sum (passed in, from :func:`row_stats`). Two-vector
kernels take ``p`` with ``rp`` rows and ``q`` with ``rq`` rows where each of ``rp``, ``rq`` is
either 1 (one row broadcast against all) or the number of output rows. One thread owns each
output row, so results are bitwise identical for any thread count.
"""
from cython.parallel cimport prange
from libc.math cimport expm1, exp, INFINITY
from libc.stdint cimport int64_t

from fastentropy._kernels._fastlog cimport (
    FE_COLS, FE_DIV_KL, FE_RENYI_TERMS, fe_log, fe_sum_min, fe_entropy_row, fe_cross_row,
    fe_col_stats, fe_col_entropy, fe_div_row, fe_renyi_coef, fe_log_ratio)


def log_array(const double[::1] x,  # IN
              double[::1] out,      # OUT natural log of each entry
              int n_threads):
    """The vectorisable log used by the row kernels (exposed for accuracy tests)."""
    cdef Py_ssize_t i, n = x.shape[0]
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = fe_log(x[i])


def log_ratio_array(const double[::1] p,  # IN numbers in [2^-1000, 2^1000]
                    const double[::1] q,  # IN numbers in [2^-1000, 2^1000]
                    double[::1] out,      # OUT log(p/q) by the KL kernel's reduction
                    int n_threads):
    """The logarithm of a ratio the KL rows use (exposed for accuracy tests); NaN where p or
    q is outside [2^-1000, 2^1000]."""
    cdef Py_ssize_t i, n = p.shape[0]
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = fe_log_ratio(p[i], q[i])


def row_stats(const double[:, ::1] x,  # IN (rows, n)
              double[::1] sums,        # OUT row sums
              double[::1] mins,        # OUT row minima (NaN ignored; +inf for n == 0)
              int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1]
    if n == 0:
        for i in range(rows):
            sums[i] = 0.0
            mins[i] = INFINITY
        return
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        fe_sum_min(&x[i, 0], n, &sums[i], &mins[i])


def entropy_rows(const double[:, ::1] x,     # IN (rows, n)
                 const double[::1] sums,     # IN row sums
                 double[::1] out,            # OUT -sum p log p, p = x / sum, nats
                 int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1]
    if n == 0:
        for i in range(rows):
            out[i] = 0.0
        return
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = fe_entropy_row(&x[i, 0], n, sums[i])


def entropy_stats_rows(const double[:, ::1] x,  # IN (rows, n)
                       double[::1] sums,         # OUT row sums (as row_stats)
                       double[::1] mins,         # OUT row minima (as row_stats)
                       double[::1] out,          # OUT -sum p log p, p = x / sum, nats
                       int n_threads):
    """row_stats and entropy_rows in one pass over memory: the row is still in L1 when the
    entropy loop reads it. The facade validates sums/mins afterwards and discards on error."""
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1]
    if n == 0:
        for i in range(rows):
            sums[i] = 0.0
            mins[i] = INFINITY
            out[i] = 0.0
        return
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        fe_sum_min(&x[i, 0], n, &sums[i], &mins[i])
        out[i] = fe_entropy_row(&x[i, 0], n, sums[i])


def entropy_cols(const double[:, ::1] x,  # IN (n, m): m distributions down the columns
                 double[::1] sums,         # OUT (m,) column sums
                 double[::1] mins,         # OUT (m,) column minima (NaN ignored)
                 double[::1] out,          # OUT (m,) -sum p log p per column, nats
                 int n_threads):
    """Axis-0 entropy without a transposed copy: threads own fixed blocks of FE_COLS columns
    and walk down the rows; every column is summed in row order (NumPy's axis-0 order)."""
    cdef Py_ssize_t b, j0, w, n = x.shape[0], m = x.shape[1]
    cdef Py_ssize_t nblocks = (m + FE_COLS - 1) // FE_COLS
    if m == 0:
        return
    if n == 0:
        for b in range(m):
            sums[b] = 0.0
            mins[b] = INFINITY
            out[b] = 0.0
        return
    for b in prange(nblocks, nogil=True, schedule='static', num_threads=n_threads):
        j0 = b * FE_COLS
        w = m - j0 if m - j0 < FE_COLS else FE_COLS
        fe_col_stats(&x[0, 0], n, m, j0, w, &sums[j0], &mins[j0])
        fe_col_entropy(&x[0, 0], n, m, j0, w, &sums[j0], &out[j0])


def kl_rows(const double[:, ::1] p,      # IN (rp, n)
            const double[::1] p_sums,    # IN (rp,)
            const double[:, ::1] q,      # IN (rq, n)
            const double[::1] q_sums,    # IN (rq,)
            double[::1] out,             # OUT sum rel_entr(p, q) as non-negative terms, nats
            int n_threads):
    """KL(p || q) per row as sum (p log(p/q) - p + q), each term from the exact p - q (see
    _fastlog.pxd), so rows that nearly agree keep their relative accuracy."""
    cdef Py_ssize_t i, ip, iq, rows = out.shape[0]
    cdef Py_ssize_t rp = p.shape[0], rq = q.shape[0]
    cdef int64_t n = p.shape[1]
    if n == 0:
        for i in range(rows):
            out[i] = 0.0
        return
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        ip = i if rp > 1 else 0
        iq = i if rq > 1 else 0
        out[i] = fe_div_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n, FE_DIV_KL, 1.0,
                            NULL)


# measure codes of pair_rows (the FE_DIV_* codes of _fastlog.pxd)
cdef enum Measure:
    CROSS = 0      # -sum p log q
    JS = 1         # (KL(p||m) + KL(q||m)) / 2, m = (p + q) / 2
    TV = 2         # sum |p - q| / 2
    BC = 3         # sum sqrt(p) sqrt(q)
    CHI2 = 4       # sum (p - q)^2 / q
    RENYI = 5      # sum p^a q^(1-a) - a p - (1-a) q  (= sum p^a q^(1-a) - 1; finite a not 0, 1)
    RENYI0 = 6     # mass of q off the support of p
    RENYIINF = 7   # max over the support of p of (p - q) / q
    RENYIDIRECT = 8  # sum p^a q^(1-a) (when that sum is far from 1)
    HELL2 = 9      # sum (sqrt p - sqrt q)^2
    RENYILSE = 10  # the Renyi divergence itself, in log-sum-exp form (alpha > 1, huge sums)
    N_MEASURES = 11


def pair_rows(const double[:, ::1] p,      # IN (rp, n)
              const double[::1] p_sums,    # IN (rp,)
              const double[:, ::1] q,      # IN (rq, n)
              const double[::1] q_sums,    # IN (rq,)
              int measure,                 # IN a Measure code (0 cross ... 10 Renyi, LSE form)
              double alpha,                # IN Renyi order (measures 5, 8 and 10 only)
              double[::1] out,             # OUT one value per row (see Measure)
              int n_threads):
    cdef Py_ssize_t i, ip, iq, rows = out.shape[0]
    cdef Py_ssize_t rp = p.shape[0], rq = q.shape[0]
    cdef int64_t n = p.shape[1]
    cdef double coef[FE_RENYI_TERMS]
    if measure < 0 or measure >= N_MEASURES:
        raise ValueError(f"measure must be in [0, {N_MEASURES}), got {measure}")
    if n == 0:
        for i in range(rows):
            out[i] = 0.0
        return
    if measure == RENYI:
        fe_renyi_coef(alpha, coef)
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        ip = i if rp > 1 else 0
        iq = i if rq > 1 else 0
        if measure == CROSS:
            out[i] = fe_cross_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n)
        else:
            out[i] = fe_div_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n, measure,
                                alpha, coef)


cdef inline double _power_row(const double* c, double s, int64_t n, int mode,
                              double alpha) noexcept nogil:
    # mode 0: sum p expm1((alpha-1) log p) (= sum p^alpha - 1); 1: support size; 2: max p;
    # 3: sum p^alpha directly (accurate when that sum is far from 1)
    cdef int64_t j
    cdef double p, acc = 0.0
    for j in range(n):
        p = c[j] / s
        if p > 0.0:
            if mode == 0:
                acc = acc + p * expm1((alpha - 1.0) * fe_log(p))
            elif mode == 1:
                acc = acc + 1.0
            elif mode == 3:
                acc = acc + exp(alpha * fe_log(p))
            elif p > acc:
                acc = p
    return acc


def power_rows(const double[:, ::1] x,     # IN (rows, n)
               const double[::1] sums,     # IN row sums
               int mode,                   # IN 0: sum p^alpha - 1 (via expm1); 1: support size;
                                           #    2: max p; 3: sum p^alpha (direct)
               double alpha,               # IN order (mode 0 only)
               double[::1] out,            # OUT one value per row
               int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1]
    if n == 0:
        for i in range(rows):
            out[i] = 0.0
        return
    for i in prange(rows, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = _power_row(&x[i, 0], sums[i], n, mode, alpha)
