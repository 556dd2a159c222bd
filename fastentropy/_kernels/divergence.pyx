# cython: language_level=3
"""Row kernels for entropies and divergences between probability vectors.

Every input is a C-contiguous (rows, n) float64 array of non-negative weights that the facade has
validated; each row is normalised here by its sum (passed in, from :func:`row_stats`). Two-vector
kernels take ``p`` with ``rp`` rows and ``q`` with ``rq`` rows where each of ``rp``, ``rq`` is
either 1 (one row broadcast against all) or the number of output rows. One thread owns each
output row, so results are bitwise identical for any thread count.
"""
from cython.parallel cimport prange
from libc.math cimport log, log1p, expm1, exp, sqrt, fabs, INFINITY, NAN
from libc.stdint cimport int64_t

from fastentropy._kernels._fastlog cimport (
    FE_COLS, fe_log, fe_sum_min, fe_entropy_row, fe_rel_entr_row, fe_js_row, fe_cross_row,
    fe_col_stats, fe_col_entropy)


def log_array(const double[::1] x,  # IN
              double[::1] out,      # OUT natural log of each entry
              int n_threads):
    """The vectorisable log used by the row kernels (exposed for accuracy tests)."""
    cdef Py_ssize_t i, n = x.shape[0]
    for i in prange(n, nogil=True, schedule='static', num_threads=n_threads):
        out[i] = fe_log(x[i])


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
            double[::1] out,             # OUT sum rel_entr(p, q), nats
            int n_threads):
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
        out[i] = fe_rel_entr_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n)


cdef enum Measure:
    CROSS = 0      # -sum p log q
    JS = 1         # (KL(p||m) + KL(q||m)) / 2, m = (p + q) / 2
    TV = 2         # sum |p - q| / 2
    BC = 3         # sum sqrt(p q)
    CHI2 = 4       # sum (p - q)^2 / q
    RENYI = 5      # sum p^a q^(1-a) - 1, as sum p expm1((a-1) log(p/q)) (finite a not in {0, 1})
    RENYI0 = 6     # sum of q over the support of p
    RENYIINF = 7   # max over the support of p of p / q
    RENYIDIRECT = 8  # sum p^a q^(1-a), as sum p exp((a-1) log(p/q)) (when the sum is far from 1)


cdef inline double _pair_row(const double* a, double sa, const double* b, double sb, int64_t n,
                             int measure, double alpha) noexcept nogil:
    cdef int64_t j
    # CROSS and JS go through the vectorised C row loops (see pair_rows)
    cdef double p, q, t, acc = 0.0
    for j in range(n):
        p = a[j] / sa
        q = b[j] / sb
        if measure == TV:
            acc = acc + fabs(p - q)
        elif measure == BC:
            acc = acc + sqrt(p * q)
        elif measure == CHI2:
            if q > 0.0:
                t = p - q
                acc = acc + t * t / q
            elif p > 0.0:
                acc = INFINITY
        elif measure == RENYI:
            if p > 0.0:
                if q > 0.0:
                    acc = acc + p * expm1((alpha - 1.0) * fe_log(p / q))
                elif alpha > 1.0:
                    acc = INFINITY
                else:
                    acc = acc - p
        elif measure == RENYIDIRECT:
            if p > 0.0:
                if q > 0.0:
                    acc = acc + p * exp((alpha - 1.0) * fe_log(p / q))
                elif alpha > 1.0:
                    acc = INFINITY
        elif measure == RENYI0:
            if p > 0.0:
                acc = acc + q
        elif measure == RENYIINF:
            if p > 0.0:
                t = p / q if q > 0.0 else INFINITY
                if t > acc:
                    acc = t
    if measure == TV:
        acc = 0.5 * acc
    return acc


def pair_rows(const double[:, ::1] p,      # IN (rp, n)
              const double[::1] p_sums,    # IN (rp,)
              const double[:, ::1] q,      # IN (rq, n)
              const double[::1] q_sums,    # IN (rq,)
              int measure,                 # IN 0 cross, 1 js, 2 tv, 3 bc, 4 chi2, 5 renyi sum - 1,
                                           #    6 renyi alpha=0 mass, 7 renyi alpha=inf max ratio,
                                           #    8 renyi sum (direct)
              double alpha,                # IN Renyi order (measure 5 only)
              double[::1] out,             # OUT one value per row (see Measure)
              int n_threads):
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
        if measure == JS:  # the vectorised pairwise-summed loops
            out[i] = fe_js_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n)
        elif measure == CROSS:
            out[i] = fe_cross_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n)
        else:
            out[i] = _pair_row(&p[ip, 0], p_sums[ip], &q[iq, 0], q_sums[iq], n, measure, alpha)


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
