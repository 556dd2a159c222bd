# cython: language_level=3
"""Bias-corrected discrete entropy estimators on rows of integer counts.

``estimate_row`` / ``estimate_row_param`` (declared in estimators.pxd, cimported by other
kernels) estimate one int64 row; ``entropy_counts_rows`` runs them over the rows of a 2-D array
of any integer width (a fused type: int8 ... uint64 are read in place, each row widened into a
per-thread scratch row), one row per prange iteration, so each output is written by exactly one
thread and results do not depend on the thread count.

Integer counts need no ``log`` in the common case: ``n log n``, ``digamma(n)``, the Grassberger
``G(n)`` and the jackknife ``g(n)`` come from tables for ``n < TABLE_N``, copied at import from
the neutral module ``fastentropy._tables`` (NumPy only; the NumPy twin reads the same tables).

Estimators of the form ``F(N) - sum_i n_i f(n_i) / N`` (plug-in, Miller-Madow, jackknife,
Grassberger, Zhang, Chao-Wang-Jost, Bonachela, the pseudocount family) take that one-pass form
while its value is at least ``TAU * log N``; below (a row where one count holds nearly all the
mass, where the difference would cancel) they are re-summed as ``sum_i n_i [F(N) - f(n_i)] / N``
with the dominant count's term written through ``log1p((N - n) / n)`` and the small
differences of ``_special.pxd``, which keeps them accurate to a few ulp of their own size.
"""
from fastentropy import _tables

from cython.parallel cimport parallel, prange
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport malloc, free, qsort
from libc.math cimport log, log1p, exp, expm1, sqrt, lgamma, fabs, NAN, INFINITY

from fastentropy._kernels._special cimport (
    digamma, trigamma, trigamma_r, lnpoch, xlogx, log_minus_digamma, grassberger_beta,
    log_minus_grassberger, jackknife_excess)

cdef enum:
    TABLE_N = 65536
    GL_N = 16
    TAB_PSI = 0
    TAB_GRASS = 1
    TAB_JKG = 2
    MEMO_N = 128

# below TAU * log N the one-pass F(N) - T/N form of a row is re-summed without cancellation
cdef double TAU = 0.03125
cdef double EULER = 0.57721566490153286
cdef double LOG2 = 0.69314718055994531

cdef double _NLOGN[TABLE_N]     # n log n
cdef double _PSI[TABLE_N]       # digamma(n), n >= 1
cdef double _GRASS[TABLE_N]     # Grassberger 2003 G(n), n >= 1
cdef double _JKG[TABLE_N]       # n log n - (n - 1) log(n - 1), n >= 1
cdef double _GL_X[GL_N]         # Gauss-Legendre nodes on [-1, 1]
cdef double _GL_W[GL_N]


def _fill_tables():
    cdef Py_ssize_t i
    if _tables.TABLE_SIZE != TABLE_N or _tables.GL_NODES != GL_N:
        raise ImportError("fastentropy._tables does not match the compiled estimators kernel")
    nlogn = _tables.nlogn_table()
    psi = _tables.digamma_table()
    grass = _tables.grassberger_table()
    jkg = _tables.jackknife_table()
    x, w = _tables.gauss_legendre()
    for i in range(TABLE_N):
        _NLOGN[i] = nlogn[i]
        _PSI[i] = psi[i]
        _GRASS[i] = grass[i]
        _JKG[i] = jkg[i]
    for i in range(GL_N):
        _GL_X[i] = x[i]
        _GL_W[i] = w[i]


_fill_tables()

TABLE_SIZE = TABLE_N


# ---------------------------------------------------------------- per-count helpers

cdef inline double _nlogn(int64_t c) noexcept nogil:
    if c < TABLE_N:
        return _NLOGN[c]
    return <double>c * log(<double>c)


cdef inline double _psi_int(int64_t c) noexcept nogil:
    # c >= 1; beyond the table the same formula as the table (log x - (log x - psi(x)))
    cdef double x
    if c < TABLE_N:
        return _PSI[c]
    x = <double>c
    return log(x) - log_minus_digamma(x)


cdef inline double _grass(int64_t c) noexcept nogil:
    # G(n) = psi(n) + (-1)^n beta(n), c >= 1
    if c < TABLE_N:
        return _GRASS[c]
    return _psi_int(c) + (1.0 if c % 2 == 0 else -1.0) * grassberger_beta(<double>c)


cdef inline double _jk_g(int64_t c) noexcept nogil:
    # n log n - (n-1) log(n-1) = log n - (n - 1) log(1 - 1/n): no difference of large numbers
    cdef double x = <double>c
    if c < TABLE_N:
        return _JKG[c]
    return log(x) - (x - 1.0) * log1p(-1.0 / x)


cdef inline Py_ssize_t _argmax(const int64_t* c, Py_ssize_t n) noexcept nogil:
    # index of the first largest count
    cdef Py_ssize_t i, j = 0
    cdef int64_t best = c[0]
    for i in range(1, n):
        if c[i] > best:
            best = c[i]
            j = i
    return j


cdef inline double _log1p_rest(int64_t N, int64_t top) noexcept nogil:
    # log(N / top) for the largest count top, as log1p((N - top) / top) (N - top exact)
    return log1p(<double>(N - top) / <double>top)


# ---------------------------------------------------------------- plug-in family

cdef inline double _sum_nlogn(const int64_t* c, Py_ssize_t n, int64_t* N_out,
                              int64_t* or_out) noexcept nogil:
    # sum n_i log n_i, with sum n_i and the bitwise OR of the entries (for the caller's guard).
    # The main loop is branch-free: it indexes the table with n & (TABLE_N - 1) and four partial
    # sums break the add latency chain. Only if some entry is beyond the table (the OR says so)
    # is the row summed again with the exact fallback, in the same order. The total is summed
    # unsigned (a row the guard rejects may wrap; it is never used).
    cdef Py_ssize_t i = 0
    cdef uint64_t N = 0
    cdef int64_t acc = 0, v0, v1, v2, v3
    cdef double T0 = 0.0, T1 = 0.0, T2 = 0.0, T3 = 0.0
    while i + 4 <= n:
        v0 = c[i]
        v1 = c[i + 1]
        v2 = c[i + 2]
        v3 = c[i + 3]
        acc |= (v0 | v1) | (v2 | v3)
        N += (<uint64_t>v0 + <uint64_t>v1) + (<uint64_t>v2 + <uint64_t>v3)
        T0 += _NLOGN[v0 & (TABLE_N - 1)]
        T1 += _NLOGN[v1 & (TABLE_N - 1)]
        T2 += _NLOGN[v2 & (TABLE_N - 1)]
        T3 += _NLOGN[v3 & (TABLE_N - 1)]
        i += 4
    while i < n:
        v0 = c[i]
        acc |= v0
        N += <uint64_t>v0
        T0 += _NLOGN[v0 & (TABLE_N - 1)]
        i += 1
    N_out[0] = <int64_t>N
    or_out[0] = acc
    if acc >= TABLE_N:  # (acc < 0 means a negative entry: the caller discards the row)
        T0 = 0.0
        T1 = 0.0
        T2 = 0.0
        T3 = 0.0
        i = 0
        while i + 4 <= n:
            T0 += _nlogn(c[i])
            T1 += _nlogn(c[i + 1])
            T2 += _nlogn(c[i + 2])
            T3 += _nlogn(c[i + 3])
            i += 4
        while i < n:
            T0 += _nlogn(c[i])
            i += 1
    return (T0 + T1) + (T2 + T3)


cdef double _plugin_accurate(const int64_t* c, Py_ssize_t n, int64_t N) noexcept nogil:
    # (1/N) sum_i n_i log(N / n_i), a sum of non-negative terms: the largest count's log(N/n)
    # is log1p((N - n)/n); every other count is at most N/2, so log N - log n_i >= log 2 and its
    # table form n log N - n log n loses no more than a few ulp of the term.
    # (zero counts add 0 * log N - 0 = 0: the loops need no branch; they skip the largest)
    cdef Py_ssize_t i, j = _argmax(c, n)
    cdef int64_t top = c[j]
    cdef double dN = <double>N, logN = log(dN), S = 0.0
    for i in range(j):
        S += <double>c[i] * logN - _nlogn(c[i])
    for i in range(j + 1, n):
        S += <double>c[i] * logN - _nlogn(c[i])
    S += <double>top * _log1p_rest(N, top)
    return S / dN


cdef double _plugin_finish(const int64_t* c, Py_ssize_t n, int64_t N, double T, int method,
                           double* std_out) noexcept nogil:
    # plug-in / Miller-Madow from the sums: log N - T/N (+ (m - 1)/(2N)), re-summed when small
    cdef Py_ssize_t i
    cdef int64_t m = 0
    cdef double dN = <double>N, H = log(dN) - T / dN
    if H < TAU * log(dN):
        H = _plugin_accurate(c, n, N)
    if std_out != NULL:
        std_out[0] = _delta_std(c, n, N, H)
    if method == M_MILLER_MADOW:
        for i in range(n):
            m += c[i] != 0
        H += (<double>m - 1.0) / (2.0 * dN)
    return H


cdef double _delta_std(const int64_t* c, Py_ssize_t n, int64_t N, double H) noexcept nogil:
    # delta-method std of the plug-in estimate: sqrt(Var_p[-log p] / N), the variance written as
    # sum p (log p + H)^2 so it does not cancel; log(p) of the largest count is -log1p(rest)
    cdef Py_ssize_t i, j = _argmax(c, n)
    cdef double V = 0.0, d, dN = <double>N, logN = log(dN)
    for i in range(n):
        if c[i] > 0:
            if i == j:
                d = H - _log1p_rest(N, c[j])
            else:
                d = log(<double>c[i]) - logN + H
            V += <double>c[i] * d * d
    return sqrt(V / dN / dN)


cdef inline double _tab_exact(int which, int64_t v) noexcept nogil:
    # f(v) of table ``which``, from the table below TABLE_N (f(0) = 0 there), else computed
    if which == TAB_PSI:
        return _psi_int(v)
    if which == TAB_GRASS:
        return _grass(v)
    return _jk_g(v)


cdef inline double _sum_v_table(const int64_t* c, Py_ssize_t n, int which,
                                int64_t* N_out) noexcept nogil:
    # sum n_i f(n_i) over the row for a tabled f with f(0) = 0, and N; branch-free like
    # _sum_nlogn, with an exact second pass only if some count is beyond the table
    cdef const double* tab = &_JKG[0]
    cdef Py_ssize_t i = 0
    cdef int64_t N = 0, acc = 0, v0, v1, v2, v3
    cdef double S0 = 0.0, S1 = 0.0, S2 = 0.0, S3 = 0.0
    if which == TAB_PSI:
        tab = &_PSI[0]
    elif which == TAB_GRASS:
        tab = &_GRASS[0]
    while i + 4 <= n:
        v0 = c[i]
        v1 = c[i + 1]
        v2 = c[i + 2]
        v3 = c[i + 3]
        acc |= (v0 | v1) | (v2 | v3)
        N += (v0 + v1) + (v2 + v3)
        S0 += <double>v0 * tab[v0 & (TABLE_N - 1)]
        S1 += <double>v1 * tab[v1 & (TABLE_N - 1)]
        S2 += <double>v2 * tab[v2 & (TABLE_N - 1)]
        S3 += <double>v3 * tab[v3 & (TABLE_N - 1)]
        i += 4
    while i < n:
        v0 = c[i]
        acc |= v0
        N += v0
        S0 += <double>v0 * tab[v0 & (TABLE_N - 1)]
        i += 1
    N_out[0] = N
    if acc >= TABLE_N:
        S0 = 0.0
        S1 = 0.0
        S2 = 0.0
        S3 = 0.0
        i = 0
        while i + 4 <= n:
            S0 += <double>c[i] * _tab_exact(which, c[i])
            S1 += <double>c[i + 1] * _tab_exact(which, c[i + 1])
            S2 += <double>c[i + 2] * _tab_exact(which, c[i + 2])
            S3 += <double>c[i + 3] * _tab_exact(which, c[i + 3])
            i += 4
        while i < n:
            S0 += <double>c[i] * _tab_exact(which, c[i])
            i += 1
    return (S0 + S1) + (S2 + S3)


cdef double _jackknife(const int64_t* c, Py_ssize_t n, double* std_out) noexcept nogil:
    # H_JK = N H - (N - 1) mean_i H_{-i} = g(N) - (1/N) sum n_i g(n_i),
    # g(n) = n log n - (n-1) log(n-1)
    cdef Py_ssize_t i, j
    cdef int64_t N, v, top
    cdef double S, dN, gN, gbar, d, dtop, H, V = 0.0
    S = _sum_v_table(c, n, TAB_JKG, &N)
    dN = <double>N
    gN = _jk_g(N)
    gbar = S / dN
    H = gN - gbar
    if H >= TAU * log(dN):
        if std_out != NULL:
            # jackknife variance (N-1)/N sum_i (H_{-i} - mean)^2, H_{-i} - mean = (g_i - gbar)/(N-1)
            if N < 2:
                std_out[0] = NAN
            else:
                for i in range(n):
                    v = c[i]
                    if v > 0:
                        d = _jk_g(v) - gbar
                        V += <double>v * d * d
                std_out[0] = sqrt(V / (dN * (dN - 1.0)))
        return H
    # re-summed: H = (1/N) sum n_i d_i, d_i = g(N) - g(n_i); for the largest count
    # d = log1p(rest) + e(N) - e(n), e(n) = g(n) - log n - 1; and g_i - gbar = H - d_i
    j = _argmax(c, n)
    top = c[j]
    dtop = _log1p_rest(N, top) + (jackknife_excess(dN) - jackknife_excess(<double>top))
    # (a zero count adds 0 * (g(N) - 0) = 0: no branch; the loops skip the largest)
    S = <double>top * dtop
    for i in range(j):
        S += <double>c[i] * (gN - _jk_g(c[i]))
    for i in range(j + 1, n):
        S += <double>c[i] * (gN - _jk_g(c[i]))
    H = S / dN
    if std_out != NULL:
        if N < 2:
            std_out[0] = NAN
        else:
            for i in range(n):
                v = c[i]
                d = H - (dtop if i == j else gN - _jk_g(v))
                V += <double>v * d * d
            std_out[0] = sqrt(V / (dN * (dN - 1.0)))
    return H


cdef double _grassberger(const int64_t* c, Py_ssize_t n) noexcept nogil:
    # log N - (1/N) sum n_i G(n_i); re-summed: sum n_i (log N - G(n_i)) / N with the largest
    # count's log N - G(n) = log1p(rest) + (log n - G(n))
    cdef Py_ssize_t i, j
    cdef int64_t N, top
    cdef double S = _sum_v_table(c, n, TAB_GRASS, &N), dN = <double>N, logN = log(dN), H
    H = logN - S / dN
    if H >= TAU * logN:
        return H
    j = _argmax(c, n)
    top = c[j]
    S = <double>top * (_log1p_rest(N, top) + log_minus_grassberger(<double>top))
    for i in range(j):  # (zero counts add 0: G(0) is 0 in the table)
        S += <double>c[i] * (logN - _grass(c[i]))
    for i in range(j + 1, n):
        S += <double>c[i] * (logN - _grass(c[i]))
    return S / dN


cdef double _zhang(const int64_t* c, Py_ssize_t n) noexcept nogil:
    # psi(N) - (1/N) sum n_i psi(n_i); re-summed: sum n_i (psi(N) - psi(n_i)) / N with the
    # largest count's psi(N) - psi(n) = log1p(rest) + D(n) - D(N), D = log - psi
    cdef Py_ssize_t i, j
    cdef int64_t N, top
    cdef double S = _sum_v_table(c, n, TAB_PSI, &N), dN = <double>N, pN, H
    pN = _psi_int(N)
    H = pN - S / dN
    if H >= TAU * log(dN):
        return H
    j = _argmax(c, n)
    top = c[j]
    S = <double>top * (_log1p_rest(N, top) + (log_minus_digamma(<double>top)
                                              - log_minus_digamma(dN)))
    for i in range(j):  # (zero counts add 0: psi(0) is 0 in the table)
        S += <double>c[i] * (pN - _psi_int(c[i]))
    for i in range(j + 1, n):
        S += <double>c[i] * (pN - _psi_int(c[i]))
    return S / dN


cdef double _horvitz_thompson(const int64_t* c, Py_ssize_t n, bint coverage) noexcept nogil:
    # H = -sum p log p / (1 - (1 - p)^N), p = C n_i / N (Chao-Shen) or n_i / N (plain HT).
    # The term depends on the row only through n_i, so long rows memoise it for small n_i
    # (same values, same summation order: the memo changes no bit of the result). The largest
    # count's log p is log C - log1p((N - n)/n), exact even when it holds nearly all the mass.
    cdef Py_ssize_t i, j
    cdef int64_t N = 0, f1 = 0, v
    cdef double dN, logC = 0.0, logN, H = 0.0
    cdef double memo[MEMO_N]
    cdef unsigned char have[MEMO_N]
    cdef bint use_memo = n >= MEMO_N
    for i in range(n):
        v = c[i]
        N += v
        f1 += v == 1
    dN = <double>N
    if coverage:
        if f1 == N:
            f1 = N - 1
        logC = log1p(-<double>f1 / dN)  # log C, C = 1 - f1/N (exact for tiny f1/N too)
    logN = log(dN)
    j = _argmax(c, n)
    if use_memo:
        # memo[0] = 0 lets zero counts through without a (badly predicted) branch
        for i in range(MEMO_N):
            have[i] = 0
        memo[0] = 0.0
        have[0] = 1
        for i in range(n):
            if i == j:
                continue
            v = c[i]
            if v < MEMO_N:
                if not have[v]:
                    memo[v] = _ht_term(logC + log(<double>v) - logN, dN)
                    have[v] = 1
                H -= memo[v]
            else:
                H -= _ht_term(logC + log(<double>v) - logN, dN)
    else:
        for i in range(n):
            v = c[i]
            if v > 0 and i != j:
                H -= _ht_term(logC + log(<double>v) - logN, dN)
    H -= _ht_term(logC - _log1p_rest(N, c[j]), dN)
    return H


cdef inline double _ht_term(double lp, double dN) noexcept nogil:
    # p log p / (1 - (1 - p)^N) for p = exp(lp)
    cdef double p = exp(lp)
    return p * lp / (-expm1(dN * log1p(-p)))


cdef double _lerch_tail(double A, double N) noexcept nogil:
    # Phi(x, 1, N) = sum_{j>=0} x^j / (N + j), x = 1 - A in [0, 1).
    # Small x: the series. Otherwise Phi = (1/N) int_0^inf e^{-s} / (1 - x e^{-s/N}) ds, whose
    # integrand has a pole at s = -N lambda (lambda = -log x); composite Gauss-Legendre with
    # panels no longer than their distance to the pole (and <= 4) is exact to rounding.
    cdef double x = 1.0 - A, lam, w, b, ln, s, acc, term, xj
    cdef int j, q
    if x <= 0.5:
        acc = 0.0
        xj = 1.0
        j = 0
        while True:
            term = xj / (N + j)
            acc += term
            if term < 1e-17 * acc:
                break
            j += 1
            xj *= x
        return acc
    lam = -log1p(-A)
    w = N * lam
    b = 0.0
    acc = 0.0
    while b < 40.0:
        ln = b + w
        if ln > 4.0:
            ln = 4.0
        for q in range(GL_N):
            s = b + 0.5 * ln * (_GL_X[q] + 1.0)
            acc += 0.5 * ln * _GL_W[q] * exp(-s) / (-expm1(-(lam + s / N)))
        b += ln
    return acc / N


cdef double _chao_wang_jost(const int64_t* c, Py_ssize_t n) noexcept nogil:
    # Zhang's sum plus the unseen-species tail (f1/N)(1-A)^(1-N) [-log A - sum_{r<N} (1-A)^r / r]
    # = (f1/N) (1 - A) Phi(1 - A, 1, N), evaluated without the cancellation of the closed form.
    cdef Py_ssize_t i
    cdef int64_t N = 0, f1 = 0, f2 = 0, v
    cdef double dN, A, H
    for i in range(n):
        v = c[i]
        N += v
        f1 += v == 1
        f2 += v == 2
    dN = <double>N
    H = _zhang(c, n)
    if f1 > 0:
        if f2 > 0:
            A = 2.0 * f2 / ((dN - 1.0) * f1 + 2.0 * f2)
        else:
            A = 2.0 / ((dN - 1.0) * (f1 - 1.0) + 2.0)
        if A < 1.0:
            H += (<double>f1 / dN) * (1.0 - A) * _lerch_tail(A, dN)
    return H


cdef double _bonachela(const int64_t* c, Py_ssize_t n, double K) noexcept nogil:
    # H = 1/(N+2) sum_{i=1}^{K} (n_i + 1) (psi(N + 3) - psi(n_i + 2)), unseen symbols included
    cdef Py_ssize_t i, j
    cdef int64_t N = 0, m = 0, v, top
    cdef double S = 0.0, dN, pN, H
    for i in range(n):
        v = c[i]
        N += v
        m += v != 0
        S += (<double>v + 1.0) * _psi_int(v + 2)
    # the loop also added psi(2) for each of the n - m zero counts of the row
    S -= (<double>n - <double>m) * _PSI[2]
    dN = <double>N
    pN = _psi_int(N + 3)
    # each of the K - m unseen symbols contributes psi(N+3) - psi(2)
    H = ((dN + <double>m) * pN - S + (K - <double>m) * (pN - _PSI[2])) / (dN + 2.0)
    if H >= TAU * log(dN + 3.0):
        return H
    # re-summed: each term (n+1)(psi(N+3) - psi(n+2)) >= 0; the largest count's difference is
    # log1p((N + 1 - n)/(n + 2)) + D(n + 2) - D(N + 3), D = log - psi
    j = _argmax(c, n)
    top = c[j]
    S = (<double>top + 1.0) * (log1p(<double>(N - top + 1) / (<double>top + 2.0))
                               + (log_minus_digamma(<double>top + 2.0)
                                  - log_minus_digamma(dN + 3.0)))
    # every other entry of the row, zeros (unseen symbols) included, then the K - n symbols
    # beyond the row, each unseen: (0 + 1)(psi(N + 3) - psi(2))
    for i in range(j):
        S += (<double>c[i] + 1.0) * (pN - _psi_int(c[i] + 2))
    for i in range(j + 1, n):
        S += (<double>c[i] + 1.0) * (pN - _psi_int(c[i] + 2))
    S += (K - <double>n) * (pN - _PSI[2])
    return S / (dN + 2.0)


cdef double _pseudocount(const int64_t* c, Py_ssize_t n, double K, int method) noexcept nogil:
    # plug-in entropy of (n_i + a) / (N + K a) over all K symbols
    cdef Py_ssize_t i, j
    cdef int64_t N = 0, m = 0, v
    cdef double a, S = 0.0, dN, D, logD, H, w, top
    cdef double memo[MEMO_N]
    cdef unsigned char have[MEMO_N]
    cdef bint use_memo = n >= MEMO_N
    for i in range(n):
        N += c[i]
    dN = <double>N
    if method == M_JEFFREYS:
        a = 0.5
    elif method == M_LAPLACE:
        a = 1.0
    elif method == M_PERKS:
        a = 1.0 / K
    else:
        a = sqrt(dN) / K
    for i in range(n):
        m += c[i] != 0
    if method == M_LAPLACE:
        for i in range(n):  # (0 + 1) log(0 + 1) = 0: zero counts need no branch
            S += _nlogn(c[i] + 1)
    elif use_memo:
        # memo (same values, same order, same bits); memo[0] = 0 passes zero counts branch-free
        for i in range(MEMO_N):
            have[i] = 0
        memo[0] = 0.0
        have[0] = 1
        for i in range(n):
            v = c[i]
            if v < MEMO_N:
                if not have[v]:
                    memo[v] = xlogx(<double>v + a)
                    have[v] = 1
                S += memo[v]
            else:
                S += xlogx(<double>v + a)
    else:
        for i in range(n):
            v = c[i]
            if v > 0:
                S += xlogx(<double>v + a)
    S += (K - <double>m) * xlogx(a)
    D = dN + K * a
    logD = log(D)
    H = logD - S / D
    if H >= TAU * logD:
        return H
    # re-summed: sum_i w_i log(D / w_i) / D, w_i = n_i + a; the largest weight's log(D/w) is
    # log1p(rest / w) with rest = (N - n) + (K - 1) a summed from its parts
    j = _argmax(c, n)
    top = <double>c[j] + a
    S = top * log1p((<double>(N - c[j]) + (K - 1.0) * a) / top)
    for i in range(j):  # the row's zeros are unseen symbols of weight a
        w = <double>c[i] + a
        S += w * logD - xlogx(w)
    for i in range(j + 1, n):
        w = <double>c[i] + a
        S += w * logD - xlogx(w)
    S += (K - <double>n) * (a * logD - xlogx(a))  # the symbols beyond the row
    return S / D


cdef double _shrink(const int64_t* c, Py_ssize_t n, double K) noexcept nogil:
    # James-Stein shrinkage of n_i / N towards 1/K (Hausser & Strimmer 2009)
    cdef Py_ssize_t i, j
    cdef int64_t N = 0, m = 0, v
    cdef double dN, t = 1.0 / K, u, s2 = 0.0, d2 = 0.0, lam, H = 0.0, p, q
    cdef double memo[MEMO_N]
    cdef unsigned char have[MEMO_N]
    cdef bint use_memo = n >= MEMO_N
    for i in range(n):
        N += c[i]
    dN = <double>N
    for i in range(n):  # zero counts add (t - 0)^2: over the row, then the K - n unseen
        v = c[i]
        m += v != 0
        u = <double>v / dN
        s2 += u * u
        d2 += (t - u) * (t - u)
    d2 += (K - <double>n) * t * t
    if N <= 1 or d2 == 0.0:
        lam = 1.0
    else:
        lam = (1.0 - s2) / ((dN - 1.0) * d2)
        if lam > 1.0:
            lam = 1.0
        elif lam < 0.0:
            lam = 0.0
    j = _argmax(c, n)
    if use_memo:
        # memo (same values, same order, same bits); memo[0] = 0 passes zero counts branch-free
        for i in range(MEMO_N):
            have[i] = 0
        memo[0] = 0.0
        have[0] = 1
        for i in range(n):
            if i == j:
                continue
            v = c[i]
            if v < MEMO_N:
                if not have[v]:
                    memo[v] = xlogx(lam * t + (1.0 - lam) * (<double>v / dN))
                    have[v] = 1
                H -= memo[v]
            else:
                H -= xlogx(lam * t + (1.0 - lam) * (<double>v / dN))
    else:
        for i in range(n):
            v = c[i]
            if v > 0 and i != j:
                H -= xlogx(lam * t + (1.0 - lam) * (<double>v / dN))
    # the largest count: p = 1 - q with q (the mass of every other symbol) summed from its parts
    p = lam * t + (1.0 - lam) * (<double>c[j] / dN)
    q = lam * (K - 1.0) * t + (1.0 - lam) * (<double>(N - c[j]) / dN)
    H += p * (-log1p(-q)) if p > 0.5 else -xlogx(p)
    H -= (K - <double>m) * xlogx(lam * t)
    return H


# ---------------------------------------------------------------- rows grouped by count value

cdef int _cmp_i64(const void* a, const void* b) noexcept nogil:
    cdef int64_t x = (<const int64_t*>a)[0], y = (<const int64_t*>b)[0]
    return (x > y) - (x < y)


cdef struct NSBRow:
    double K        # alphabet size
    double N        # total count
    double z        # number of unseen symbols, K - m
    double m        # number of observed symbols
    double rest     # N minus the largest count (exact: from the int64 counts)
    Py_ssize_t G    # number of distinct nonzero counts
    double* val     # the distinct counts, ascending
    double* mult    # their multiplicities
    double* phi     # scratch, G entries
    double* work    # scratch, G entries


cdef int _group_row(const int64_t* c, Py_ssize_t n, double K, NSBRow* R) noexcept nogil:
    # sort the nonzero counts and group equal values; 0 on success, -1 if out of memory
    cdef Py_ssize_t i, G = 0, m = 0
    cdef int64_t N = 0
    cdef int64_t* buf
    for i in range(n):
        N += c[i]
        m += c[i] != 0
    buf = <int64_t*>malloc((m + 1) * sizeof(int64_t))
    R.val = <double*>malloc((4 * m + 1) * sizeof(double))
    if buf == NULL or R.val == NULL:
        free(buf)
        free(R.val)
        R.val = NULL
        return -1
    R.mult = R.val + m
    R.phi = R.val + 2 * m
    R.work = R.val + 3 * m
    m = 0
    for i in range(n):
        if c[i] != 0:
            buf[m] = c[i]
            m += 1
    qsort(buf, m, sizeof(int64_t), _cmp_i64)
    for i in range(m):
        if G > 0 and buf[i] == buf[i - 1]:
            R.mult[G - 1] += 1.0
        else:
            R.val[G] = <double>buf[i]
            R.mult[G] = 1.0
            G += 1
    R.rest = <double>(N - buf[m - 1])
    free(buf)
    R.K = K
    R.N = <double>N
    R.z = K - <double>m
    R.m = <double>m
    R.G = G
    return 0


# ---------------------------------------------------------------- Dirichlet posteriors: WW, NSB

cdef double _nsb_logw(NSBRow* R, double t) noexcept nogil:
    # log of the posterior density of t = log(beta), up to a constant:
    # log xi'(beta) + log beta + log Gamma(K b)/Gamma(N + K b) + sum_i log Gamma(n_i + b)/Gamma(b)
    cdef double b = exp(t), K = R.K, Kb1, b1, dxi, L
    cdef Py_ssize_t g
    Kb1 = K * b + 1.0
    b1 = b + 1.0
    # xi'(b) = K psi'(Kb+1) - psi'(b+1), with psi'(x) = (1 + r(x))/x split so the leading
    # 1/b terms cancel exactly: (K-1)/((Kb+1)(b+1)) + K r(Kb+1)/(Kb+1) - r(b+1)/(b+1)
    dxi = (K - 1.0) / (Kb1 * b1) + K * trigamma_r(Kb1) / Kb1 - trigamma_r(b1) / b1
    L = -lnpoch(K * b, R.N)
    if b < 1e3:
        # sum_g mult_g (lgamma(n_g + b) - lgamma(b)), with the shared lgamma(b) taken out
        L -= R.m * lgamma(b)
        for g in range(R.G):
            L += R.mult[g] * lgamma(R.val[g] + b)
    else:
        for g in range(R.G):
            L += R.mult[g] * lnpoch(b, R.val[g])
    return log(dxi) + t + L


cdef void _dirichlet_moments(NSBRow* R, double b, double* mean, double* var) noexcept nogil:
    # Posterior mean and variance of H under a symmetric Dirichlet(b) prior given the counts
    # (Wolpert & Wolf 1995), with nu_i = n_i + b, A = N + K b, q_i = nu_i / A and
    # d_i = psi(A + 1) - psi(nu_i + 1) >= 0:
    #   E[H] = sum_i q_i d_i,
    #   Var[H] = (sum_i q_i (E[H] - d_i)^2 + sum_i q_i r(nu_i + 1) - r(A + 1)) / (A + 1),
    # r(x) = x psi'(x) - 1: the second moment rearranged so no large terms cancel. d of the
    # largest count is log1p((A - nu)/(nu + 1)) + D(nu + 1) - D(A + 1) (D = log - psi, A - nu
    # summed from its parts), so a row dominated by one count keeps its digits too.
    cdef double A = R.N + R.K * b, psiA = digamma(A + 1.0), d0, mu = 0.0, s, rr, q, e, nu
    cdef Py_ssize_t g, top = R.G - 1
    d0 = psiA - digamma(b + 1.0)
    for g in range(top):
        R.phi[g] = psiA - digamma(R.val[g] + b + 1.0)
    nu = R.val[top] + b
    R.phi[top] = log1p((R.rest + (R.K - 1.0) * b) / (nu + 1.0)) + (
        log_minus_digamma(nu + 1.0) - log_minus_digamma(A + 1.0))
    mu = R.z * b * d0
    for g in range(R.G):
        mu += R.mult[g] * (R.val[g] + b) * R.phi[g]
    mu /= A
    mean[0] = mu
    if var == NULL:
        return
    q = b / A
    s = R.z * q * (mu - d0) * (mu - d0)
    rr = R.z * q * trigamma_r(b + 1.0)
    for g in range(R.G):
        q = (R.val[g] + b) / A
        e = mu - R.phi[g]
        s += R.mult[g] * q * e * e
        rr += R.mult[g] * q * trigamma_r(R.val[g] + b + 1.0)
    var[0] = (s + rr - trigamma_r(A + 1.0)) / (A + 1.0)


cdef double _wolpert_wolf(const int64_t* c, Py_ssize_t n, double K, double a,
                          double* std_out) noexcept nogil:
    cdef NSBRow R
    cdef double H, V
    if _group_row(c, n, K, &R) != 0:
        if std_out != NULL:
            std_out[0] = NAN
        return NAN
    if std_out != NULL:
        _dirichlet_moments(&R, a, &H, &V)
        std_out[0] = sqrt(V) if V > 0.0 else 0.0
    else:
        _dirichlet_moments(&R, a, &H, NULL)
    free(R.val)
    return H


cdef void _nsb_panel(NSBRow* R, double a, double b, double fstar, double href,
                     double* acc, bint want_var) noexcept nogil:
    # acc[0] += int w, acc[1] += int w E[H|b], acc[2] += int w (E[H|b] - href)^2,
    # acc[3] += int w Var[H|b]; w = exp(logw - fstar)
    cdef int q
    cdef double t, wq, mu, v, h = 0.5 * (b - a)
    for q in range(GL_N):
        t = a + h * (_GL_X[q] + 1.0)
        wq = h * _GL_W[q] * exp(_nsb_logw(R, t) - fstar)
        if wq < 1e-40:  # (weights are relative to the peak: this node adds nothing)
            continue
        if want_var:
            _dirichlet_moments(R, exp(t), &mu, &v)
            acc[2] += wq * (mu - href) * (mu - href)
            acc[3] += wq * v
        else:
            _dirichlet_moments(R, exp(t), &mu, NULL)
        acc[0] += wq
        acc[1] += wq * (mu - href)


cdef double _nsb(const int64_t* c, Py_ssize_t n, double K, double* std_out) noexcept nogil:
    cdef NSBRow R
    cdef double t_lo, t_hi, t, f, best_t, best_f, lo, hi, x1, x2, f1, f2, fstar, tstar
    cdef double d2, sigma, dprev, d, href, H, V
    cdef double acc[4]
    cdef int _it, side
    cdef double GR = 0.6180339887498949
    if K <= 1.0:
        if std_out != NULL:
            std_out[0] = 0.0
        return 0.0
    if _group_row(c, n, K, &R) != 0:
        if std_out != NULL:
            std_out[0] = NAN
        return NAN

    # 1. bracket the posterior mode of t = log(beta) on a grid of step 2: the density grows like
    #    beta^m as beta -> 0 and decays like 1/beta as beta -> inf, so the range covers it.
    t_lo = -log(K) - 30.0
    t_hi = log(R.N) + 30.0
    best_t = t_lo
    best_f = _nsb_logw(&R, t_lo)
    t = t_lo + 2.0
    while t <= t_hi:
        f = _nsb_logw(&R, t)
        if f > best_f:
            best_f = f
            best_t = t
        t += 2.0
    # 2. golden-section search for the mode inside the bracket
    lo = best_t - 2.0
    hi = best_t + 2.0
    x1 = hi - GR * (hi - lo)
    x2 = lo + GR * (hi - lo)
    f1 = _nsb_logw(&R, x1)
    f2 = _nsb_logw(&R, x2)
    for _it in range(48):
        if f1 >= f2:
            hi = x2
            x2 = x1
            f2 = f1
            x1 = hi - GR * (hi - lo)
            f1 = _nsb_logw(&R, x1)
        else:
            lo = x1
            x1 = x2
            f1 = f2
            x2 = lo + GR * (hi - lo)
            f2 = _nsb_logw(&R, x2)
    tstar = 0.5 * (lo + hi)
    fstar = _nsb_logw(&R, tstar)
    if best_f > fstar:  # the mode is not interior to the bracket (should not happen): grid max
        tstar = best_t
        fstar = best_f
    # 3. width of the peak from the curvature, then Gauss-Legendre panels at offsets
    #    0, s, 2s, 4s, ... on each side until the density is below e^-46 of its peak
    d2 = (_nsb_logw(&R, tstar + 1e-3) - 2.0 * fstar + _nsb_logw(&R, tstar - 1e-3)) / 1e-6
    if d2 < 0.0:
        sigma = 1.0 / sqrt(-d2)
        if sigma > 4.0:
            sigma = 4.0
        elif sigma < 1e-8:
            sigma = 1e-8
    else:
        sigma = 1.0
    _dirichlet_moments(&R, exp(tstar), &href, NULL)
    acc[0] = 0.0
    acc[1] = 0.0
    acc[2] = 0.0
    acc[3] = 0.0
    for side in range(2):
        dprev = 0.0
        d = sigma
        for _it in range(64):
            if side == 0:
                _nsb_panel(&R, tstar + dprev, tstar + d, fstar, href, acc, std_out != NULL)
                f = _nsb_logw(&R, tstar + d)
            else:
                _nsb_panel(&R, tstar - d, tstar - dprev, fstar, href, acc, std_out != NULL)
                f = _nsb_logw(&R, tstar - d)
            if f < fstar - 46.0:
                break
            dprev = d
            d *= 2.0
    free(R.val)
    H = href + acc[1] / acc[0]
    if std_out != NULL:
        # law of total variance: E[Var(H|beta)] + Var(E[H|beta]), the latter shifted by href
        V = acc[3] / acc[0] + acc[2] / acc[0] - (acc[1] / acc[0]) * (acc[1] / acc[0])
        std_out[0] = sqrt(V) if V > 0.0 else 0.0
    return H


cdef double _ansb(const int64_t* c, Py_ssize_t n, double* std_out) noexcept nogil:
    # Nemenman (2011): (gamma - log 2) + 2 log N - psi(Delta), std sqrt(psi'(Delta)), with
    # Delta = N - m coincidences; +inf (and std +inf) without coincidences
    cdef Py_ssize_t i
    cdef int64_t N = 0, m = 0, delta
    for i in range(n):
        N += c[i]
        m += c[i] != 0
    delta = N - m
    if delta == 0:
        if std_out != NULL:
            std_out[0] = INFINITY
        return INFINITY
    if std_out != NULL:
        std_out[0] = sqrt(trigamma(<double>delta))
    return (EULER - LOG2) + 2.0 * log(<double>N) - _psi_int(delta)


cdef double _good_turing(const int64_t* c, Py_ssize_t n, double K) noexcept nogil:
    # Plug-in entropy of the Simple Good-Turing probabilities (Gale & Sampson 1995); see the
    # facade's docstring for the steps. val/mult: the distinct counts r and N_r.
    cdef NSBRow R
    cdef Py_ssize_t g, G, gmax
    cdef double N, p0, unseen, xm = 0.0, ym = 0.0, sxx = 0.0, sxy = 0.0, slope, q, t, r
    cdef double x, y, nr, nr1, Np = 0.0, scale, p, rest = 0.0, H = 0.0
    cdef double* xs
    cdef double* rstar
    cdef bint switched = False
    if _group_row(c, n, K, &R) != 0:
        return NAN
    G = R.G
    N = R.N
    xs = R.work
    rstar = R.phi
    p0 = (R.mult[0] if R.val[0] == 1.0 else 0.0) / N
    unseen = R.z
    if G == 1:
        rstar[0] = 1.0  # one distinct count: every observed symbol gets the same mass
    else:
        # least-squares slope of log Z_r on log r, Z_r = N_r / ((t - q) / 2), q and t the
        # neighbouring observed counts (0 before the first, 2r - q after the last)
        for g in range(G):
            q = R.val[g - 1] if g > 0 else 0.0
            t = R.val[g + 1] if g < G - 1 else 2.0 * R.val[g] - q
            xs[g] = log(R.val[g])
            rstar[g] = log(2.0 * R.mult[g] / (t - q))
            xm += xs[g]
            ym += rstar[g]
        xm /= <double>G
        ym /= <double>G
        for g in range(G):
            sxx += (xs[g] - xm) * (xs[g] - xm)
            sxy += (xs[g] - xm) * (rstar[g] - ym)
        slope = sxy / sxx
        # r* = (r+1) N_{r+1} / N_r (Turing) while it differs from the smoothed
        # (r+1) S(r+1) / S(r) = r (1 + 1/r)^(slope+1) by more than 1.96 standard deviations and
        # r + 1 is observed; the smoothed value from then on
        for g in range(G):
            r = R.val[g]
            y = r * exp((slope + 1.0) * log1p(1.0 / r))
            if not switched:
                if g + 1 < G and R.val[g + 1] == r + 1.0:
                    nr = R.mult[g]
                    nr1 = R.mult[g + 1]
                    x = (r + 1.0) * nr1 / nr
                    if fabs(x - y) <= 1.96 * sqrt((r + 1.0) * (r + 1.0) * nr1 / (nr * nr)
                                                  * (1.0 + nr1 / nr)):
                        switched = True
                    else:
                        rstar[g] = x
                else:
                    switched = True
            if switched:
                rstar[g] = y
    for g in range(G):
        Np += R.mult[g] * rstar[g]
    # observed symbols share 1 - p0 (all of the mass when no symbol is unseen)
    scale = ((1.0 - p0) if unseen > 0.0 else 1.0) / Np
    gmax = 0
    for g in range(1, G):
        if rstar[g] > rstar[gmax]:
            gmax = g
    for g in range(G):
        if g != gmax:
            p = scale * rstar[g]
            H -= R.mult[g] * xlogx(p)
            rest += R.mult[g] * p
    p = scale * rstar[gmax]
    if R.mult[gmax] == 1.0 and p > 0.5:
        # the largest probability: log p = log1p(-(everything else))
        if unseen > 0.0:
            rest += p0
        H -= p * log1p(-rest)
    else:
        H -= R.mult[gmax] * xlogx(p)
    if unseen > 0.0 and p0 > 0.0:
        H -= p0 * log(p0 / unseen)
    free(R.val)
    return H


# ---------------------------------------------------------------- dispatch

cdef double estimate_row(const int64_t* counts, Py_ssize_t n, double k, int method,
                         double* std_out) noexcept nogil:
    return estimate_row_param(counts, n, k, method, 1.0, std_out)


cdef double estimate_row_param(const int64_t* counts, Py_ssize_t n, double k, int method,
                               double param, double* std_out) noexcept nogil:
    cdef Py_ssize_t i
    cdef int64_t N = 0, acc
    cdef double T, H
    for i in range(n):
        N += counts[i]
    if N <= 0:
        if std_out != NULL:
            std_out[0] = NAN
        return NAN
    if std_out != NULL and not _has_std(method):
        std_out[0] = NAN
    if method == M_PLUGIN or method == M_MILLER_MADOW:
        T = _sum_nlogn(counts, n, &N, &acc)
        H = _plugin_finish(counts, n, N, T, method, std_out)
    elif method == M_JACKKNIFE:
        H = _jackknife(counts, n, std_out)
    elif method == M_GRASSBERGER:
        H = _grassberger(counts, n)
    elif method == M_ZHANG:
        H = _zhang(counts, n)
    elif method == M_CHAO_SHEN:
        H = _horvitz_thompson(counts, n, True)
    elif method == M_HORVITZ_THOMPSON:
        H = _horvitz_thompson(counts, n, False)
    elif method == M_CHAO_WANG_JOST:
        H = _chao_wang_jost(counts, n)
    elif method == M_BONACHELA:
        H = _bonachela(counts, n, k)
    elif method == M_JEFFREYS or method == M_LAPLACE or method == M_PERKS or method == M_MINIMAX:
        H = _pseudocount(counts, n, k, method)
    elif method == M_SHRINK:
        H = _shrink(counts, n, k)
    elif method == M_NSB:
        H = _nsb(counts, n, k, std_out)
    elif method == M_WOLPERT_WOLF:
        H = _wolpert_wolf(counts, n, k, param, std_out)
    elif method == M_ANSB:
        H = _ansb(counts, n, std_out)
    elif method == M_GOOD_TURING:
        H = _good_turing(counts, n, k)
    else:
        H = NAN
        if std_out != NULL:
            std_out[0] = NAN
    if std_out != NULL:
        std_out[0] = std_out[0] + 0.0  # -0.0 -> +0.0, as the twin
    return H + 0.0


cdef inline bint _has_std(int method) noexcept nogil:
    return (method == M_PLUGIN or method == M_MILLER_MADOW or method == M_JACKKNIFE
            or method == M_NSB or method == M_WOLPERT_WOLF or method == M_ANSB)


cdef void _guarded_row(const int64_t* row, Py_ssize_t n, int64_t limit, double k, int method,
                       double param, double* out, double* sp) noexcept nogil:
    # estimate one row unless its total is 0, it holds a negative count, or its entries are so
    # large (bitwise OR >= limit) that the int64 total might overflow: then NaN
    cdef Py_ssize_t i
    cdef int64_t acc = 0, tot
    cdef uint64_t utot = 0
    cdef double T = 0.0
    if method == M_PLUGIN or method == M_MILLER_MADOW:
        # the guard rides on the estimator's own single pass
        T = _sum_nlogn(row, n, &tot, &acc)
    else:
        for i in range(n):
            acc = acc | row[i]
            utot = utot + <uint64_t>row[i]
        tot = <int64_t>utot
    if acc < 0 or acc >= limit or tot == 0:
        out[0] = NAN
        if sp != NULL:
            sp[0] = NAN
    elif method == M_PLUGIN or method == M_MILLER_MADOW:
        out[0] = _plugin_finish(row, n, tot, T, method, sp) + 0.0
        if sp != NULL:
            sp[0] = sp[0] + 0.0
    else:
        out[0] = estimate_row_param(row, n, k, method, param, sp)


# count_t: every integer width, read in place (the shared fused type)
from fastentropy._kernels._inttypes cimport any_int_t as count_t


def entropy_counts_rows(const count_t[:, ::1] counts,  # IN (rows, n) counts, any integer width
                        const double[::1] k,           # IN (rows,) alphabet size, >= support
                        int method,                    # IN method code (estimators.pxd)
                        double[::1] out,               # OUT (rows,) entropy in nats, or NaN
                        double[::1] out_std,           # OUT (rows,) std (NaN if none), or None
                        int n_threads,
                        double a=1.0):                 # IN wolpert_wolf's concentration
    """Estimate every row. A row whose total is 0, that holds a negative count, or whose entries
    are so large (bitwise OR >= 2**62 / n) that its int64 total might overflow is not estimated:
    its ``out`` is NaN, for the facade to diagnose. This guard shares the one read of the row
    from memory with the estimate (which re-reads it from cache), so the facade need not make
    separate passes over big inputs. int64 rows are read in place; every other width is widened
    one row at a time into a per-thread scratch row (uint64 entries >= 2**63 become negative,
    so the guard rejects them); no copy of the array is made."""
    cdef Py_ssize_t r, i, rows = counts.shape[0], n = counts.shape[1]
    cdef bint want_std = out_std is not None
    cdef double* sp
    cdef int64_t* buf = NULL
    cdef int64_t limit
    if rows == 0 or n == 0:
        return
    limit = (<int64_t>1 << 62) // n
    if count_t is int64_t:
        with nogil:
            for r in prange(rows, schedule='static', num_threads=n_threads):
                sp = &out_std[r] if want_std else NULL
                _guarded_row(&counts[r, 0], n, limit, k[r], method, a, &out[r], sp)
    else:
        with nogil, parallel(num_threads=n_threads):
            buf = <int64_t*>malloc(n * sizeof(int64_t))
            for r in prange(rows, schedule='static'):
                sp = &out_std[r] if want_std else NULL
                if buf == NULL:  # (the facade estimates rows left NaN with the twin)
                    out[r] = NAN
                    if want_std:
                        sp[0] = NAN
                else:
                    for i in range(n):
                        buf[i] = <int64_t>counts[r, i]
                    _guarded_row(buf, n, limit, k[r], method, a, &out[r], sp)
            free(buf)
