# cython: language_level=3
"""Kernels of the mutual-information family: pair counting, plug-in entropies of joint tables,
and the expected mutual information of two labelings under the hypergeometric model.

Inputs were validated and normalised by ``fastentropy/mutual_info.py``; nothing here checks.
"""
from cython.parallel cimport parallel, prange
from libc.math cimport log, sqrt
from libc.stdint cimport int64_t
from libc.stdlib cimport calloc, free, malloc

from fastentropy._kernels._openmp_helpers cimport omp_get_thread_num

# Labels per counting block: large enough that the per-block overhead vanishes, small enough
# that two threads get several blocks each at n ~ 1e5.
DEF COUNT_BLOCK = 16384

# Relative size, against the peak term, below which the walk away from the hypergeometric mode
# stops (see _pair_emi for why the neglected tail is below ~1e-16 of the cell's value).
DEF EMI_TOL = 1e-18

# Logs of 1..LOG_TABLE_MAX are tabulated once per call; larger arguments call log().
DEF LOG_TABLE_MAX = 65536


def count_pairs(
    const int64_t[::1] x,       # IN  (n,) row labels; x[i] - x0 in [0, R)
    const int64_t[::1] y,       # IN  (n,) column labels; y[i] - y0 in [0, C)
    int64_t x0,                 # IN  offset subtracted from x
    int64_t y0,                 # IN  offset subtracted from y
    int64_t[:, ::1] out,        # OUT (R, C) pair counts, zeroed by the caller
    int n_threads,
):
    """Add the number of i with (x[i] - x0, y[i] - y0) == (r, c) to out[r, c]."""
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_rows = out.shape[0]
    cdef Py_ssize_t n_cols = out.shape[1]
    cdef Py_ssize_t n_cells = n_rows * n_cols
    cdef Py_ssize_t n_blocks = (n + COUNT_BLOCK - 1) // COUNT_BLOCK
    cdef Py_ssize_t i, blk, start, stop, cell
    cdef int t, tid = 0
    cdef int64_t* local = NULL
    cdef int64_t** partial = NULL
    cdef int64_t* dst = &out[0, 0] if n_cells > 0 else NULL
    cdef int64_t* part
    cdef int failed = 0
    cdef int* failed_flag = &failed  # written through a pointer: prange privatises scalars

    if n == 0 or n_cells == 0:
        return
    # Per-thread tables cost n_threads * R * C to zero and to merge; below a few labels per
    # cell and thread, or ~1e5 labels in all (~0.2 ms), the serial loop wins.
    if n_threads <= 1 or n < (1 << 17) or n_cells * 4 * n_threads > n:
        with nogil:
            for i in range(n):
                dst[(x[i] - x0) * n_cols + (y[i] - y0)] += 1
        return

    partial = <int64_t**> calloc(n_threads, sizeof(int64_t*))
    if partial == NULL:
        raise MemoryError()
    # Integer addition is exact and associative, so per-thread partial tables merged in any
    # order give the same table whatever the thread count: no block-ordered merge is needed.
    with nogil, parallel(num_threads=n_threads):
        tid = omp_get_thread_num()
        local = <int64_t*> calloc(n_cells, sizeof(int64_t))
        partial[tid] = local
        # Every thread must reach the worksharing loop, so a failed allocation only skips the
        # body (and is reported below) instead of skipping the loop.
        for blk in prange(n_blocks, schedule='static'):
            if local == NULL:
                failed_flag[0] = 1
                continue
            start = blk * COUNT_BLOCK
            stop = start + COUNT_BLOCK
            if stop > n:
                stop = n
            for i in range(start, stop):
                local[(x[i] - x0) * n_cols + (y[i] - y0)] += 1
    if not failed:
        # The merge is serial: with at most n / (4 n_threads) cells per table it costs a
        # fraction of the counting, and a second parallel region would cost a wake-up.
        with nogil:
            for t in range(n_threads):
                part = partial[t]
                if part != NULL:
                    for cell in range(n_cells):
                        dst[cell] = dst[cell] + part[cell]
    for t in range(n_threads):
        free(partial[t])
    free(partial)
    if failed:
        raise MemoryError()


def plugin_table_entropies(
    const int64_t[:, :, ::1] tables,   # IN  (T, R, C) joint counts, every total positive
    double[:, ::1] out,                # OUT (T, 6) plug-in H(X), H(Y), H(X,Y), I(X;Y),
                                       #     H(Y|X), H(X|Y) in nats
    int n_threads,
):
    """Plug-in information quantities of each table, X the rows and Y the columns.

    A first pass gives the row sums a, column sums b and total N; a second pass adds, per
    non-zero cell n, the terms of

        H(X,Y) = sum (n/N) log(N/n)          I(X;Y) = sum (n/N) log(N n / (a b))
        H(Y|X) = sum (n/N) log(a/n)          H(X|Y) = sum (n/N) log(b/n)

    and H(X), H(Y) come from the marginals (two logs per non-zero cell). Each quantity is a
    sum of terms of its own size (the conditional ones of non-negative terms), not a difference
    of entropies, so no cancellation: I(X;Y) ~ 1e-3 next to entropies ~ 10 keeps full relative
    precision. Sums run per row and then over rows, which keeps the rounding at O((R + C) eps).
    """
    cdef Py_ssize_t n_tab = tables.shape[0]
    cdef Py_ssize_t n_rows = tables.shape[1]
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t t, r, c
    cdef int64_t* colsum = NULL
    cdef double* logb = NULL
    cdef int64_t v, rowsum, total
    cdef double inv_n, logn, loga, lv, p
    cdef double h_x, h_y, h_xy, mi, hyx, hxy
    cdef double r_xy, r_mi, r_hyx, r_hxy

    cdef int nt = n_threads
    if n_tab == 0:
        return
    # Threads own whole tables; a region whose threads would share a few thousand cells costs
    # more in wake-up and barrier than it saves (and stalls badly on a busy machine).
    if nt > n_tab:
        nt = <int> n_tab
    if n_tab * n_rows * n_cols < 16384:
        nt = 1
    with nogil, parallel(num_threads=nt):
        colsum = <int64_t*> malloc((n_cols + 1) * sizeof(int64_t))
        logb = <double*> malloc((n_cols + 1) * sizeof(double))
        for t in prange(n_tab, schedule='static'):
            if colsum == NULL or logb == NULL:
                out[t, 0] = -1.0  # the facade raises MemoryError
                continue
            for c in range(n_cols):
                colsum[c] = 0
            total = 0
            for r in range(n_rows):
                rowsum = 0
                for c in range(n_cols):
                    v = tables[t, r, c]
                    rowsum = rowsum + v
                    colsum[c] = colsum[c] + v
                total = total + rowsum
            inv_n = 1.0 / <double> total
            logn = log(<double> total)
            h_y = 0.0
            for c in range(n_cols):
                if colsum[c] > 0:
                    logb[c] = log(<double> colsum[c])
                    h_y = h_y + <double> colsum[c] * inv_n * (logn - logb[c])
            h_x = 0.0
            h_xy = 0.0
            mi = 0.0
            hyx = 0.0
            hxy = 0.0
            for r in range(n_rows):
                rowsum = 0
                for c in range(n_cols):
                    rowsum = rowsum + tables[t, r, c]
                if rowsum == 0:
                    continue
                loga = log(<double> rowsum)
                h_x = h_x + <double> rowsum * inv_n * (logn - loga)
                r_xy = 0.0
                r_mi = 0.0
                r_hyx = 0.0
                r_hxy = 0.0
                for c in range(n_cols):
                    v = tables[t, r, c]
                    if v > 0:
                        lv = log(<double> v)
                        p = <double> v * inv_n
                        r_xy = r_xy + p * (logn - lv)
                        # log of the rounded ratio, not a sum of four logs: exactly 0 when
                        # n N == a b (an independent cell), and ~1 ulp otherwise
                        r_mi = r_mi + p * log((<double> v * <double> total)
                                              / (<double> rowsum * <double> colsum[c]))
                        r_hyx = r_hyx + p * (loga - lv)
                        r_hxy = r_hxy + p * (logb[c] - lv)
                h_xy = h_xy + r_xy
                mi = mi + r_mi
                hyx = hyx + r_hyx
                hxy = hxy + r_hxy
            out[t, 0] = h_x
            out[t, 1] = h_y
            out[t, 2] = h_xy
            out[t, 3] = mi
            out[t, 4] = hyx
            out[t, 5] = hxy
        free(colsum)
        free(logb)


cdef inline double _log_k(int64_t k, const double* log_table, int64_t table_len) noexcept nogil:
    if k < table_len:
        return log_table[k]
    return log(<double> k)


cdef double _pair_emi(int64_t a, int64_t b, int64_t n, double log_n,
                      const double* log_table, int64_t table_len) noexcept nogil:
    """N * E[(k/N) log(N k / (a b))] for k ~ Hypergeometric(N, a, b), i.e. sum_k P(k) k log(...).

    The pmf P(k) = C(a, k) C(N - a, b - k) / C(N, b) on k in [max(0, a + b - N), min(a, b)] is
    log-concave, with consecutive ratio

        P(k + 1) / P(k) = (a - k)(b - k) / ((k + 1)(N - a - b + k + 1)),

    decreasing in k. The walk starts at the mode with unnormalised weight 1 and goes up and down
    with this ratio (no lgamma per term); the weights are normalised by their own sum, which is
    1 / P(mode) up to the neglected tails, so no lgamma is needed at all and the log-factorials
    of size ~N log N (~1e7 at N = 1e6, whose rounding limits scikit-learn's sum to ~1e-10
    relative) never appear. A direction stops at the first weight w_k below EMI_TOL times the
    peak.

    Tail bound: after d steps from the mode, log w_k = sum of the d log-ratios < log EMI_TOL,
    and as the ratios decrease (log-concavity) the next one is below their mean:
    r <= EMI_TOL ** (1 / d). The terms beyond k then shrink geometrically, so the neglected
    weight is at most w_k r / (1 - r) <= EMI_TOL (1 + d / 41.4) times the peak, hence times
    the normaliser. The walk covers ~10-20 standard deviations of the law (sd <= sqrt(N) / 4),
    so this is below 1e-13 relative for N up to 1e12; the factor k log(N k / (a b)) / N that
    multiplies the weights is bounded by log N, so the cell's value moves by less than that
    relative amount times log N / |value| -- far below the rounding of the sum itself.
    """
    cdef int64_t lo = a + b - n
    cdef int64_t hi = a if a < b else b
    cdef int64_t m, k
    cdef double c = log_n - _log_k(a, log_table, table_len) - _log_k(b, log_table, table_len)
    cdef double w, peak, s, acc, nab
    if lo < 0:
        lo = 0
    m = <int64_t> ((<double> (a + 1) * <double> (b + 1)) / <double> (n + 2))
    if m < lo:
        m = lo
    if m > hi:
        m = hi
    nab = <double> (n - a - b)
    s = 1.0
    acc = 0.0
    if m > 0:
        acc = <double> m * (_log_k(m, log_table, table_len) + c)
    # upwards from the mode
    w = 1.0
    peak = 1.0
    k = m
    while k < hi:
        w = w * ((<double> (a - k) * <double> (b - k))
                 / (<double> (k + 1) * (nab + <double> (k + 1))))
        k = k + 1
        s = s + w
        acc = acc + w * <double> k * (_log_k(k, log_table, table_len) + c)
        if w > peak:
            peak = w
        elif w < EMI_TOL * peak:
            break
    # downwards from the mode
    w = 1.0
    k = m
    while k > lo:
        w = w * ((<double> k * (nab + <double> k)) / (<double> (a - k + 1) * <double> (b - k + 1)))
        k = k - 1
        s = s + w
        if k > 0:
            acc = acc + w * <double> k * (_log_k(k, log_table, table_len) + c)
        if w > peak:
            peak = w
        elif w < EMI_TOL * peak:
            break
    return acc / s


def expected_mutual_info(
    const int64_t[::1] a_vals,    # IN  (U,) distinct row marginals a, all >= 1
    const int64_t[::1] a_mult,    # IN  (U,) how many rows have marginal a_vals[u]
    const int64_t[::1] b_vals,    # IN  (V,) distinct column marginals b, all >= 1
    const int64_t[::1] b_mult,    # IN  (V,) how many columns have marginal b_vals[v]
    int64_t n,                    # IN  number of samples N = sum of a * mult = sum of b * mult
    double[::1] out,              # OUT (U,) a_mult[u] * sum_v b_mult[v] * E_uv, in v order
    int n_threads,
):
    """Per-row-group parts of the expected MI (nats); the facade sums ``out`` in order.

    E_uv = sum_k P(k) (k / N) log(N k / (a b)) over the hypergeometric law of the cell count of a
    row with marginal a and a column with marginal b (Vinh, Epps & Bailey 2010, eq. 24a). Cells
    sharing a (a, b) pair share E_uv, so the work is over distinct marginal values only.
    """
    cdef Py_ssize_t n_a = a_vals.shape[0]
    cdef Py_ssize_t n_b = b_vals.shape[0]
    cdef Py_ssize_t u, v, i
    cdef int64_t kmax = 0
    cdef int64_t table_len
    cdef double* log_table
    cdef double log_n = log(<double> n)
    cdef double row
    cdef int nt = n_threads
    cdef double work

    for u in range(n_a):
        for v in range(n_b):
            if a_vals[u] < b_vals[v]:
                if a_vals[u] > kmax:
                    kmax = a_vals[u]
            elif b_vals[v] > kmax:
                kmax = b_vals[v]
    table_len = kmax + 1 if kmax < LOG_TABLE_MAX else LOG_TABLE_MAX
    # Rough count of hypergeometric terms (~20 standard deviations, <= sqrt(kmax) each, per
    # pair): below ~1e5 a parallel region costs more than it saves.
    work = <double> n_a * <double> n_b * (8.0 + sqrt(<double> kmax))
    if work < 1e5:
        nt = 1
    if nt > n_a:
        nt = <int> n_a
    log_table = <double*> malloc(table_len * sizeof(double))
    if log_table == NULL:
        raise MemoryError()
    with nogil:
        log_table[0] = 0.0
        for i in prange(1, table_len, schedule='static', num_threads=nt):
            log_table[i] = log(<double> i)
        # Row groups with larger marginals walk longer: interleave them over the threads.
        for u in prange(n_a, schedule='static', chunksize=1, num_threads=nt):
            row = 0.0
            for v in range(n_b):
                row = row + <double> b_mult[v] * _pair_emi(
                    a_vals[u], b_vals[v], n, log_n, log_table, table_len)
            out[u] = <double> a_mult[u] * row / <double> n
    free(log_table)
