# cython: language_level=3
"""Kernels of the mutual-information family: pair counting, plug-in entropies of joint tables
(dense, or as a list of cells), and the expected mutual information of two labelings under the
hypergeometric model.

Inputs were validated and normalised by ``fastentropy/mutual_info.py``; nothing here checks
what the facade guarantees. Integer inputs of every width are read in place: the fused types
are the four unsigned widths, and the facade passes signed arrays as unsigned views of the same
bytes (labels are then decoded modulo 2**width, counts are non-negative so their bits are their
values).
"""
from cython.parallel cimport parallel, prange
from libc.math cimport NAN, fabs, log, log1p, sqrt
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc

from fastentropy._kernels._openmp_helpers cimport omp_get_thread_num

ctypedef fused xlab_t:
    uint8_t
    uint16_t
    uint32_t
    uint64_t

ctypedef fused ylab_t:
    uint8_t
    uint16_t
    uint32_t
    uint64_t

ctypedef fused count_t:
    uint8_t
    uint16_t
    uint32_t
    uint64_t

cdef enum:
    # Labels per counting block: large enough that the per-block overhead vanishes, small
    # enough that two threads get several blocks each at n ~ 1e5.
    COUNT_BLOCK = 16384
    # Logs of 1..LOG_TABLE_MAX are tabulated once per EMI call; larger arguments call log().
    LOG_TABLE_MAX = 65536
    # Bits of ``want``: which quantities plugin_*_entropies computes.
    WANT_HXY = 1
    WANT_MI = 2
    WANT_HYX = 4
    WANT_HXGY = 8
    WANT_HX = 16
    WANT_HY = 32
    # Per-table status written by plugin_*_entropies.
    ST_OK = 0
    ST_ZERO_TOTAL = 1
    ST_OVERFLOW = 2
    ST_NO_MEMORY = 3
    # Compensated accumulators of one table, in units of count * nats (divided by N at the end).
    A_HX = 0
    A_HY = 1
    A_HXY = 2
    A_MI = 3        # direct form of N I: sum n log(n N / (a b)), terms of both signs
    A_MI_POS = 4    # non-negative form of N I (see _mi_terms)
    A_HYX = 5
    A_HXGY = 6
    N_ACC = 7
    # the wants that need the pass over the cells
    CELL_WANTS = WANT_HXY | WANT_MI | WANT_HYX | WANT_HXGY
    # tables of at least this many cells (fewer of them than threads) share their rows
    ROW_PARALLEL_CELLS = 1 << 16

# Relative size, against the peak term, below which the walk away from the hypergeometric mode
# stops (see _pair_emi for why the neglected tail is below ~1e-16 of the cell's value).
cdef double EMI_TOL = 1e-18

# Totals up to this value have every product of two counts below 2**63: a b - n N is then
# exact in int64 arithmetic (3037000499**2 < 2**63 - 1).
cdef uint64_t SMALL_TOTAL = 3037000499ULL
cdef uint64_t INT64_LIMIT = 9223372036854775807ULL
cdef uint64_t LOW32 = 0xffffffffULL


# --------------------------------------------------------------------------------------------
# pair counting


cdef inline void _count_range(const xlab_t[:] x, const ylab_t[:] y, xlab_t x0, ylab_t y0,
                              Py_ssize_t start, Py_ssize_t stop, Py_ssize_t n_cols,
                              int64_t* dst) noexcept nogil:
    """dst[(x[i] - x0) * n_cols + (y[i] - y0)] += 1 for i in [start, stop), in the labels'
    own widths; unit-stride inputs are read through plain pointers (the common case)."""
    cdef const xlab_t* xp
    cdef const ylab_t* yp
    cdef Py_ssize_t i
    if start >= stop:
        return
    if x.strides[0] == sizeof(xlab_t) and y.strides[0] == sizeof(ylab_t):
        xp = &x[0]
        yp = &y[0]
        for i in range(start, stop):
            dst[<Py_ssize_t> (<xlab_t> (xp[i] - x0)) * n_cols
                + <Py_ssize_t> (<ylab_t> (yp[i] - y0))] += 1
    else:
        for i in range(start, stop):
            dst[<Py_ssize_t> (<xlab_t> (x[i] - x0)) * n_cols
                + <Py_ssize_t> (<ylab_t> (y[i] - y0))] += 1


def count_pairs(
    const xlab_t[:] x,          # IN  (n,) row labels, as unsigned; (x[i] - x0) mod 2^w in [0, R)
    const ylab_t[:] y,          # IN  (n,) column labels; (y[i] - y0) mod 2^w in [0, C)
    int64_t x0,                 # IN  offset subtracted from x (taken modulo 2^w)
    int64_t y0,                 # IN  offset subtracted from y
    int64_t[:, ::1] out,        # OUT (R, C) pair counts, zeroed by the caller
    int n_threads,
):
    """Add the number of i with (x[i] - x0, y[i] - y0) == (r, c) to out[r, c].

    ``x`` and ``y`` may have any stride and any of the four unsigned widths (each its own); a
    signed label array is passed as the unsigned view of its bytes, and the subtraction in the
    label's own width, modulo 2^w, gives the same code as signed arithmetic for every label in
    the facade's range [x0, x0 + R) (R <= 2^w).
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t n_rows = out.shape[0]
    cdef Py_ssize_t n_cols = out.shape[1]
    cdef Py_ssize_t n_cells = n_rows * n_cols
    cdef Py_ssize_t n_blocks = (n + COUNT_BLOCK - 1) // COUNT_BLOCK
    cdef Py_ssize_t blk, start, stop, cell
    cdef int t, tid = 0
    cdef xlab_t ux0 = <xlab_t> x0
    cdef ylab_t uy0 = <ylab_t> y0
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
            _count_range(x, y, ux0, uy0, 0, n, n_cols, dst)
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
            _count_range(x, y, ux0, uy0, start, stop, n_cols, local)
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


# --------------------------------------------------------------------------------------------
# plug-in quantities: accurate terms and compensated sums


cdef struct Acc:
    double s    # running sum
    double c    # compensation: the accumulated rounding errors of the additions


cdef inline void _acc_add(Acc* a, double x) noexcept nogil:
    # Knuth's TwoSum: the rounding error of every addition is kept in ``c`` whichever operand
    # is larger (as Neumaier's variant, but without a branch: only one addition is on the
    # dependency chain of the running sum), so the sum is good to ~1 ulp plus n eps^2.
    cdef double t = a.s + x
    cdef double z = t - a.s
    a.c = a.c + ((a.s - (t - z)) + (x - z))
    a.s = t


cdef inline double _f(uint64_t x) noexcept nogil:
    # uint64 -> double for values below 2^63, through the signed conversion (one instruction;
    # the unsigned one is a branchy sequence on x86-64 without AVX-512)
    return <double> <int64_t> x


cdef inline void _mul128(uint64_t a, uint64_t b, uint64_t* hi, uint64_t* lo) noexcept nogil:
    # exact 64 x 64 -> 128-bit product from 32-bit halves (portable: no __int128)
    cdef uint64_t a0 = a & LOW32
    cdef uint64_t a1 = a >> 32
    cdef uint64_t b0 = b & LOW32
    cdef uint64_t b1 = b >> 32
    cdef uint64_t p00 = a0 * b0
    cdef uint64_t p01 = a0 * b1
    cdef uint64_t p10 = a1 * b0
    cdef uint64_t mid = (p00 >> 32) + (p01 & LOW32) + (p10 & LOW32)
    lo[0] = (mid << 32) | (p00 & LOW32)
    hi[0] = a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)


cdef inline double _diff_products(uint64_t a, uint64_t b, uint64_t c, uint64_t d) noexcept nogil:
    """a b - c d for operands below 2^63: exact in 128 bits, then rounded to double."""
    cdef uint64_t h1, l1, h2, l2, dh, dl
    cdef double sign = 1.0
    _mul128(a, b, &h1, &l1)
    _mul128(c, d, &h2, &l2)
    if h1 > h2 or (h1 == h2 and l1 >= l2):
        dh = h1 - h2 - (1 if l1 < l2 else 0)
        dl = l1 - l2
    else:
        sign = -1.0
        dh = h2 - h1 - (1 if l2 < l1 else 0)
        dl = l2 - l1
    return sign * (<double> dh * 18446744073709551616.0 + <double> dl)


cdef inline double _log_ratio(uint64_t num, uint64_t den, double log_num,
                              double log_den) noexcept nogil:
    """log(num / den) for integers 1 <= den <= num, to a few ulp relative.

    The difference of the two logs is used while it is at least a quarter of log(num) (its
    absolute error, ~ulp(log num), is then at most ~4 ulp of the result); closer ratios, which
    would cancel, go through log1p of the exact integer excess (num - den) / den. Only counts
    above num^(3/4) take that branch: fewer than num^(1/4) cells of a row (or a table).
    """
    cdef double dl = log_num - log_den
    if 4.0 * dl >= log_num:
        return dl
    return log1p(_f(num - den) / _f(den))


cdef inline double _phi_poly(double z) noexcept nogil:
    """sum_{k=0}^{15} z^k / (2k + 3) for 0 <= z <= 1/9, by Estrin's scheme (a shallow tree of
    multiply-adds instead of Horner's chain of 16: the cell loop is latency-bound). Every term
    is positive, so the order of the additions does not matter to the accuracy."""
    cdef double z2 = z * z
    cdef double z4 = z2 * z2
    cdef double z8 = z4 * z4
    cdef double q0 = (1.0 / 3.0 + z * (1.0 / 5.0)) + z2 * (1.0 / 7.0 + z * (1.0 / 9.0))
    cdef double q1 = (1.0 / 11.0 + z * (1.0 / 13.0)) + z2 * (1.0 / 15.0 + z * (1.0 / 17.0))
    cdef double q2 = (1.0 / 19.0 + z * (1.0 / 21.0)) + z2 * (1.0 / 23.0 + z * (1.0 / 25.0))
    cdef double q3 = (1.0 / 27.0 + z * (1.0 / 29.0)) + z2 * (1.0 / 31.0 + z * (1.0 / 33.0))
    return (q0 + z4 * q1) + z8 * (q2 + z4 * q3)


cdef inline void _mi_terms(uint64_t v, uint64_t a, uint64_t b, uint64_t n, bint small,
                           double* direct, double* nonneg) noexcept nogil:
    """One non-zero cell's share of N I(X;Y), in two forms.

    With e = a b / N the count expected under independence, rho = e / v = 1 + u and the exact
    integer u v N = a b - v N:

        direct  = v log(v N / (a b))            = -v log(rho)
        nonneg  = v log(v / e) - v + e          =  v (u - log1p(u))  >= 0

    Summed over the non-zero cells, direct gives N I; nonneg gives N I once the e of the empty
    cells is added (sum over all cells of e - v is 0). ``nonneg`` never cancels, so it keeps
    full relative precision when I is far below the entropies (near-independent tables, where
    the direct terms of both signs cancel); the caller takes the direct sum when it does not
    cancel (it is then the more exact, e.g. log 100 to the last bit for an identity table).

    u - log1p(u) is the series  u s - 2 s^3 sum_k s^(2k) / (2k + 3),  s = u / (2 + u)  (from
    log1p(u) = 2 atanh(s) and u - 2 s = u s), summed to 1e-17 relative for |s| <= 1/3, i.e.
    u in [-1/2, 1]; outside, rho is far enough from 1 that log(rho) taken from the quotient
    a b / (v N) is accurate, and u - log(rho) cancels by at most a factor 3.3.
    """
    cdef double d, vn, u, s, z, phi, lr
    if small:
        d = <double> (<int64_t> (a * b) - <int64_t> (v * n))
    else:
        d = _diff_products(a, b, v, n)
    vn = _f(v) * _f(n)
    u = d / vn
    if -0.5 <= u <= 1.0:
        # s = u / (2 + u), from d directly so that the two divisions run side by side
        s = d / (2.0 * vn + d)
        z = s * s
        phi = u * s - 2.0 * s * z * _phi_poly(z)
        lr = u - phi
    else:
        # the quotient that is >= 1, so that integer ratios (an identity table) are exact
        if u < 0.0:
            lr = -log(vn / (_f(a) * _f(b)))
        else:
            lr = log((_f(a) * _f(b)) / vn)
        phi = u - lr
    direct[0] = -_f(v) * lr
    nonneg[0] = _f(v) * phi


cdef inline void _cell_terms(uint64_t v, uint64_t a, uint64_t b, uint64_t n, double log_n,
                             double log_a, double log_b, bint small, int want, Acc* acc,
                             double* mi_abs) noexcept nogil:
    """Add one non-zero cell (count v, row sum a, column sum b) to the wanted sums.

    ``acc`` and ``mi_abs`` are the caller's loop-local accumulators: kept out of the table's
    array (whose address escapes into calls), the compiler holds them in registers.
    """
    cdef double fv = _f(v)
    cdef double lv, direct, nonneg
    if want & (WANT_HXY | WANT_HYX | WANT_HXGY):
        lv = log(fv)
        if want & WANT_HXY:
            _acc_add(&acc[A_HXY], fv * _log_ratio(n, v, log_n, lv))
        if want & WANT_HYX:
            _acc_add(&acc[A_HYX], fv * _log_ratio(a, v, log_a, lv))
        if want & WANT_HXGY:
            _acc_add(&acc[A_HXGY], fv * _log_ratio(b, v, log_b, lv))
    if want & WANT_MI:
        _mi_terms(v, a, b, n, small, &direct, &nonneg)
        _acc_add(&acc[A_MI], direct)
        _acc_add(&acc[A_MI_POS], nonneg)
        mi_abs[0] = mi_abs[0] + fabs(direct)


cdef inline void _acc_merge(Acc* into, const Acc* part, Py_ssize_t n_acc) noexcept nogil:
    """Add compensated partial sums into others (the running sums exactly, via TwoSum)."""
    cdef Py_ssize_t k
    for k in range(n_acc):
        _acc_add(&into[k], part[k].s)
        into[k].c = into[k].c + part[k].c


cdef inline void _acc_zero(Acc* acc, Py_ssize_t n_acc) noexcept nogil:
    cdef Py_ssize_t k
    for k in range(n_acc):
        acc[k].s = 0.0
        acc[k].c = 0.0


cdef inline void _finish(Acc* acc, double mi_abs, uint64_t n, int want,
                         double* res) noexcept nogil:
    """res[0:6] = H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y) in nats (NaN where not wanted)."""
    cdef double fn = _f(n)
    cdef double nan = NAN
    cdef double mi = acc[A_MI].s + acc[A_MI].c
    # The direct sum is kept while its terms cancel by at most a factor 2 (its error is then
    # at most twice that of its terms); below, the non-negative form is the accurate one.
    if not (mi_abs <= 2.0 * fabs(mi)):
        mi = acc[A_MI_POS].s + acc[A_MI_POS].c
    res[0] = (acc[A_HX].s + acc[A_HX].c) / fn if want & WANT_HX else nan
    res[1] = (acc[A_HY].s + acc[A_HY].c) / fn if want & WANT_HY else nan
    res[2] = (acc[A_HXY].s + acc[A_HXY].c) / fn if want & WANT_HXY else nan
    res[3] = mi / fn if want & WANT_MI else nan
    res[4] = (acc[A_HYX].s + acc[A_HYX].c) / fn if want & WANT_HYX else nan
    res[5] = (acc[A_HXGY].s + acc[A_HXGY].c) / fn if want & WANT_HXGY else nan


cdef inline void _marginal_entropies(uint64_t n, double log_n, const uint64_t* rowsum,
                                     Py_ssize_t n_rows, const uint64_t* colsum, Py_ssize_t n_cols,
                                     int want, double* loga, double* logb,
                                     Acc* acc) noexcept nogil:
    """N H(X), N H(Y) from the marginals, and their logs into loga, logb, as far as ``want``
    needs them (the conditional entropies need the logs)."""
    cdef Py_ssize_t r, c
    if want & (WANT_HX | WANT_HYX):
        for r in range(n_rows):
            loga[r] = 0.0
            if rowsum[r] > 0:
                loga[r] = log(_f(rowsum[r]))
                if want & WANT_HX:
                    _acc_add(&acc[A_HX],
                             _f(rowsum[r]) * _log_ratio(n, rowsum[r], log_n, loga[r]))
    if want & (WANT_HY | WANT_HXGY):
        for c in range(n_cols):
            logb[c] = 0.0
            if colsum[c] > 0:
                logb[c] = log(_f(colsum[c]))
                if want & WANT_HY:
                    _acc_add(&acc[A_HY],
                             _f(colsum[c]) * _log_ratio(n, colsum[c], log_n, logb[c]))


cdef struct RowSums:
    Acc acc[N_ACC]      # one row's compensated sums (only the cell sums are used)
    double mi_abs       # and its sum of |direct MI terms|


cdef signed char _table_sums(const count_t[:, :, :] tables, Py_ssize_t t, uint64_t* rowsum,
                             uint64_t* colsum, uint64_t* total_out) noexcept nogil:
    """Pass 1: marginals and total, every partial sum checked against the int64 limit (counts
    are at most 2^63 - 1, so a checked uint64 sum cannot wrap before the check fails)."""
    cdef Py_ssize_t n_rows = tables.shape[1]
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t r, c
    cdef uint64_t v, rs, total = 0
    for c in range(n_cols):
        colsum[c] = 0
    for r in range(n_rows):
        rs = 0
        for c in range(n_cols):
            v = <uint64_t> tables[t, r, c]
            rs = rs + v
            colsum[c] = colsum[c] + v
            if rs > INT64_LIMIT:
                return ST_OVERFLOW
        rowsum[r] = rs
        total = total + rs
        if total > INT64_LIMIT:
            return ST_OVERFLOW
    if total == 0:
        return ST_ZERO_TOTAL
    total_out[0] = total
    return ST_OK


cdef inline bint _row_needed(uint64_t rowsum, int want) noexcept nogil:
    return rowsum > 0 and (want & CELL_WANTS) != 0


cdef void _row_cells(const count_t[:, :, :] tables, Py_ssize_t t, Py_ssize_t r, int want,
                     const uint64_t* rowsum, const uint64_t* colsum, const double* loga,
                     const double* logb, uint64_t total, double log_n, bint small,
                     RowSums* out) noexcept nogil:
    """Pass 2 for row r: its compensated cell sums, from zero (so rows can be summed in any
    order, on any thread, and merged in row order afterwards)."""
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t c
    cdef uint64_t v, zero_b = 0
    cdef Acc row_acc[N_ACC]
    cdef double row_abs = 0.0
    _acc_zero(row_acc, N_ACC)
    for c in range(n_cols):
        v = <uint64_t> tables[t, r, c]
        if v == 0:
            zero_b = zero_b + colsum[c]
        else:
            _cell_terms(v, rowsum[r], colsum[c], total, log_n, loga[r], logb[c], small,
                        want, row_acc, &row_abs)
    if zero_b > 0 and want & WANT_MI:
        # the empty cells' e = a b / N, for the non-negative form
        _acc_add(&row_acc[A_MI_POS], _f(rowsum[r]) * _f(zero_b) / _f(total))
    out.acc = row_acc
    out.mi_abs = row_abs


cdef signed char _one_table(const count_t[:, :, :] tables, Py_ssize_t t, int want,
                            uint64_t* rowsum, uint64_t* colsum, double* loga, double* logb,
                            double* res) noexcept nogil:
    """All of one table on the calling thread; the same sums, in the same order, as the
    row-parallel path of plugin_table_entropies."""
    cdef Py_ssize_t n_rows = tables.shape[1]
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t r
    cdef uint64_t total = 0
    cdef double log_n, mi_abs = 0.0
    cdef Acc acc[N_ACC]
    cdef RowSums row
    cdef signed char st = _table_sums(tables, t, rowsum, colsum, &total)
    if st != ST_OK:
        return st
    _acc_zero(acc, N_ACC)
    log_n = log(_f(total))
    _marginal_entropies(total, log_n, rowsum, n_rows, colsum, n_cols, want, loga, logb, acc)
    for r in range(n_rows):
        if _row_needed(rowsum[r], want):
            _row_cells(tables, t, r, want, rowsum, colsum, loga, logb, total, log_n,
                       total <= SMALL_TOTAL, &row)
            _acc_merge(acc, row.acc, N_ACC)
            mi_abs = mi_abs + row.mi_abs
    _finish(acc, mi_abs, total, want, res)
    return ST_OK


cdef signed char _one_table_rows(const count_t[:, :, :] tables, Py_ssize_t t, int want,
                                 uint64_t* rowsum, uint64_t* colsum, double* loga,
                                 double* logb, RowSums* rows, int n_threads,
                                 double* res) noexcept nogil:
    """_one_table with the rows of pass 2 shared among n_threads threads; each row's sums
    land in rows[r] and are merged in row order, so the result is _one_table's, bit for bit."""
    cdef Py_ssize_t n_rows = tables.shape[1]
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t r
    cdef uint64_t total = 0
    cdef double log_n, mi_abs = 0.0
    cdef bint small
    cdef Acc acc[N_ACC]
    cdef signed char st = _table_sums(tables, t, rowsum, colsum, &total)
    if st != ST_OK:
        return st
    _acc_zero(acc, N_ACC)
    log_n = log(_f(total))
    small = total <= SMALL_TOTAL
    _marginal_entropies(total, log_n, rowsum, n_rows, colsum, n_cols, want, loga, logb, acc)
    for r in prange(n_rows, schedule='static', num_threads=n_threads):
        if _row_needed(rowsum[r], want):
            _row_cells(tables, t, r, want, rowsum, colsum, loga, logb, total, log_n, small,
                       &rows[r])
    for r in range(n_rows):
        if _row_needed(rowsum[r], want):
            _acc_merge(acc, rows[r].acc, N_ACC)
            mi_abs = mi_abs + rows[r].mi_abs
    _finish(acc, mi_abs, total, want, res)
    return ST_OK


def plugin_table_entropies(
    const count_t[:, :, :] tables,   # IN  (T, R, C) counts <= 2^63 - 1, any strides
    int want,                        # IN  bits: 1 H(X,Y), 2 I(X;Y), 4 H(Y|X), 8 H(X|Y),
                                     #     16 H(X), 32 H(Y)
    double[:, ::1] out,              # OUT (T, 6) H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y)
                                     #     in nats; NaN where not wanted
    signed char[::1] status,         # OUT (T,) 0 ok, 1 zero total, 2 total above 2^63 - 1,
                                     #     3 no memory (that table's ``out`` row is unset)
    int n_threads,
):
    """Plug-in information quantities of each table, X the rows and Y the columns.

    A first pass gives the row sums a, column sums b and total N (checked against the int64
    limit); a second pass adds, per non-zero cell n, the terms of

        N H(X,Y) = sum n log(N / n)          N I(X;Y) = sum n log(n N / (a b))
        N H(Y|X) = sum n log(a / n)          N H(X|Y) = sum n log(b / n)

    and N H(X), N H(Y) come from the marginals (what ``want`` does not ask for is skipped,
    and its column set to NaN; with want=0 the call only checks the totals). Each quantity is
    a sum of terms of its own size, not a difference of entropies; the entropy terms are
    non-negative, each log ratio is taken so that it does not cancel (``_log_ratio``: log1p of
    the exact integer excess when the ratio is near 1, as for the dominant cell of a skewed
    table), the MI is summed in a non-negative form when its direct terms cancel
    (``_mi_terms``), and every sum is compensated (TwoSum). Each result is then a few ulp
    from the exact value, whatever N (up to 2^63 - 1) and however skewed the table.

    Threads own whole tables; with fewer (large) tables than threads, they share the rows of
    each table instead, every row summed from zero and the row sums merged in row order, as
    the one-thread path does: the results do not depend on the thread count, bit for bit.
    """
    cdef Py_ssize_t n_tab = tables.shape[0]
    cdef Py_ssize_t n_rows = tables.shape[1]
    cdef Py_ssize_t n_cols = tables.shape[2]
    cdef Py_ssize_t t
    cdef uint64_t* sums = NULL
    cdef double* logs = NULL
    cdef RowSums* rows = NULL
    cdef int nt = n_threads

    if n_tab == 0:
        return
    # Few large tables: the rows of each table are shared among the threads instead.
    if n_threads > 1 and n_tab < n_threads and n_rows >= 2 * n_threads \
            and n_rows * n_cols >= ROW_PARALLEL_CELLS and want & CELL_WANTS:
        sums = <uint64_t*> malloc((n_rows + n_cols + 1) * sizeof(uint64_t))
        logs = <double*> calloc(n_rows + n_cols + 1, sizeof(double))
        rows = <RowSums*> malloc(n_rows * sizeof(RowSums))
        if sums == NULL or logs == NULL or rows == NULL:
            free(sums)
            free(logs)
            free(rows)
            raise MemoryError()
        with nogil:
            for t in range(n_tab):
                status[t] = _one_table_rows(tables, t, want, sums, sums + n_rows, logs,
                                            logs + n_rows, rows, n_threads, &out[t, 0])
        free(sums)
        free(logs)
        free(rows)
        return
    # Otherwise threads own whole tables. A region whose threads would share a few thousand
    # cells costs more in wake-up and barrier than it saves (and stalls on a busy machine).
    if nt > n_tab:
        nt = <int> n_tab
    if n_tab * n_rows * n_cols < 16384:
        nt = 1
    with nogil, parallel(num_threads=nt):
        sums = <uint64_t*> malloc((n_rows + n_cols + 1) * sizeof(uint64_t))
        # zeroed: the logs are passed along (unused) when ``want`` does not need them
        logs = <double*> calloc(n_rows + n_cols + 1, sizeof(double))
        for t in prange(n_tab, schedule='static'):
            if sums == NULL or logs == NULL:
                status[t] = ST_NO_MEMORY
                continue
            status[t] = _one_table(tables, t, want, sums, sums + n_rows, logs, logs + n_rows,
                                   &out[t, 0])
        free(sums)
        free(logs)


def plugin_cell_entropies(
    const int64_t[::1] counts,   # IN  (M,) positive cell counts, each <= 2^63 - 1
    const int64_t[::1] rows,     # IN  (M,) row codes in [0, R)
    const int64_t[::1] cols,     # IN  (M,) column codes in [0, C); (row, col) pairs distinct
    int64_t n_rows,              # IN  R
    int64_t n_cols,              # IN  C
    int want,                    # IN  as for plugin_table_entropies
    double[::1] out,             # OUT (6,) as one row of plugin_table_entropies' out
):
    """The quantities of plugin_table_entropies for one table given by its non-zero cells.

    Same terms and compensated sums, in the order of the cells. Returns the status code of
    plugin_table_entropies (0 ok, 1 no cells, 2 total above 2^63 - 1, 3 no memory).
    """
    cdef Py_ssize_t m = counts.shape[0]
    cdef Py_ssize_t i, r
    cdef uint64_t total = 0, v
    cdef uint64_t* rowsum
    cdef uint64_t* colsum
    cdef uint64_t* row_b
    cdef double* loga
    cdef double* logb
    cdef double log_n, fn, mi_abs = 0.0
    cdef bint small
    cdef Acc acc[N_ACC]
    cdef Acc cell_acc[N_ACC]
    cdef signed char st = ST_OK

    if m == 0:
        return ST_ZERO_TOTAL
    rowsum = <uint64_t*> calloc(2 * n_rows + n_cols + 1, sizeof(uint64_t))
    loga = <double*> calloc(n_rows + n_cols + 1, sizeof(double))
    if rowsum == NULL or loga == NULL:
        free(rowsum)
        free(loga)
        return ST_NO_MEMORY
    colsum = rowsum + n_rows
    row_b = colsum + n_cols
    logb = loga + n_rows
    with nogil:
        for i in range(m):
            v = <uint64_t> counts[i]
            rowsum[rows[i]] = rowsum[rows[i]] + v
            colsum[cols[i]] = colsum[cols[i]] + v
            total = total + v
            if total > INT64_LIMIT:
                st = ST_OVERFLOW
                break
        if st == ST_OK:
            _acc_zero(acc, N_ACC)
            log_n = log(_f(total))
            small = total <= SMALL_TOTAL
            fn = _f(total)
            _marginal_entropies(total, log_n, rowsum, n_rows, colsum, n_cols, want, loga, logb,
                                acc)
            _acc_zero(cell_acc, N_ACC)
            for i in range(m):
                v = <uint64_t> counts[i]
                row_b[rows[i]] = row_b[rows[i]] + colsum[cols[i]]
                _cell_terms(v, rowsum[rows[i]], colsum[cols[i]], total, log_n, loga[rows[i]],
                            logb[cols[i]], small, want, cell_acc, &mi_abs)
            _acc_merge(acc, cell_acc, N_ACC)
            if want & WANT_MI:
                # the empty cells' e = a b / N, row by row: a (N - sum of b over the row's cells)
                for r in range(n_rows):
                    if rowsum[r] > 0 and row_b[r] < total:
                        _acc_add(&acc[A_MI_POS],
                                 _f(rowsum[r]) * _f(total - row_b[r]) / fn)
            _finish(acc, mi_abs, total, want, &out[0])
    free(rowsum)
    free(loga)
    return st


# --------------------------------------------------------------------------------------------
# expected mutual information


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
