# cython: language_level=3
"""Bias-corrected discrete entropy estimators on rows of integer counts.

``estimate_row`` (declared in estimators.pxd, cimported by other kernels) estimates one row;
``entropy_counts_rows`` runs it over the rows of a 2-D array, one row per prange iteration, so
each output is written by exactly one thread and results do not depend on the thread count.

Integer counts need no ``log`` in the common case: ``n log n``, ``digamma(n)`` and the
Grassberger ``G(n)`` come from tables for ``n < TABLE_N`` (built once at import, read-only).
"""
from fastentropy._twins.estimators import _tables

from cython.parallel cimport prange
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free, qsort
from libc.math cimport log, log1p, exp, expm1, sqrt, lgamma, NAN

from fastentropy._kernels._special cimport digamma, trigamma_r, lnpoch, xlogx

cdef enum:
    TABLE_N = 65536
    GL_N = 16

cdef double _NLOGN[TABLE_N]     # n log n
cdef double _PSI[TABLE_N]       # digamma(n), n >= 1
cdef double _GRASS[TABLE_N]     # Grassberger 2003 G(n), n >= 1
cdef double _JKG[TABLE_N]       # n log n - (n - 1) log(n - 1), n >= 1
cdef double _GL_X[GL_N]         # Gauss-Legendre nodes on [-1, 1]
cdef double _GL_W[GL_N]


def _fill_tables():
    cdef Py_ssize_t i
    nlogn, psi, grass, jkg, x, w = _tables()
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
    # c >= 1
    if c < TABLE_N:
        return _PSI[c]
    return digamma(<double>c)


cdef inline double _grass(int64_t c) noexcept nogil:
    # G(n) = psi(n) + (-1)^n / 2 * (psi((n + 1) / 2) - psi(n / 2)), c >= 1
    cdef double x = <double>c
    if c < TABLE_N:
        return _GRASS[c]
    return digamma(x) + (0.5 if c % 2 == 0 else -0.5) * (digamma(0.5 * (x + 1.0)) - digamma(0.5 * x))


cdef inline double _jk_g(int64_t c) noexcept nogil:
    # n log n - (n-1) log(n-1) = log n - (n - 1) log(1 - 1/n): no difference of large numbers
    cdef double x = <double>c
    if c < TABLE_N:
        return _JKG[c]
    return log(x) - (x - 1.0) * log1p(-1.0 / x)


# ---------------------------------------------------------------- estimators

cdef inline double _sum_nlogn(const int64_t* c, Py_ssize_t n, int64_t* N_out,
                              int64_t* or_out) noexcept nogil:
    # sum n_i log n_i, with sum n_i and the bitwise OR of the entries (for the caller's guard).
    # The main loop is branch-free: it indexes the table with n & (TABLE_N - 1) and four partial
    # sums break the add latency chain. Only if some entry is beyond the table (the OR says so)
    # is the row summed again with the exact fallback, in the same order.
    cdef Py_ssize_t i = 0
    cdef int64_t N = 0, acc = 0, v0, v1, v2, v3
    cdef double T0 = 0.0, T1 = 0.0, T2 = 0.0, T3 = 0.0
    while i + 4 <= n:
        v0 = c[i]
        v1 = c[i + 1]
        v2 = c[i + 2]
        v3 = c[i + 3]
        acc |= (v0 | v1) | (v2 | v3)
        N += (v0 + v1) + (v2 + v3)
        T0 += _NLOGN[v0 & (TABLE_N - 1)]
        T1 += _NLOGN[v1 & (TABLE_N - 1)]
        T2 += _NLOGN[v2 & (TABLE_N - 1)]
        T3 += _NLOGN[v3 & (TABLE_N - 1)]
        i += 4
    while i < n:
        v0 = c[i]
        acc |= v0
        N += v0
        T0 += _NLOGN[v0 & (TABLE_N - 1)]
        i += 1
    N_out[0] = N
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


cdef double _plugin_finish(const int64_t* c, Py_ssize_t n, int64_t N, double T, int method,
                           double* std_out) noexcept nogil:
    # plug-in / Miller-Madow from the sums: log N - T/N (+ (m - 1)/(2N))
    cdef Py_ssize_t i
    cdef int64_t m = 0
    cdef double dN = <double>N, H = log(dN) - T / dN
    if H < 0.0:  # one observed symbol: log N - (N log N)/N can round to -1 ulp
        H = 0.0
    if std_out != NULL:
        std_out[0] = _delta_std(c, n, dN, H)
    if method == M_MILLER_MADOW:
        for i in range(n):
            m += c[i] != 0
        H += (<double>m - 1.0) / (2.0 * dN)
    return H


cdef double _delta_std(const int64_t* c, Py_ssize_t n, double dN, double H) noexcept nogil:
    # delta-method std of the plug-in estimate: sqrt(Var_p[-log p] / N), the variance written as
    # sum p (log p + H)^2 so it does not cancel
    cdef Py_ssize_t i
    cdef double V = 0.0, d, logN = log(dN)
    for i in range(n):
        if c[i] > 0:
            d = log(<double>c[i]) - logN + H
            V += <double>c[i] * d * d
    return sqrt(V / dN / dN)


cdef enum:
    TAB_PSI = 0
    TAB_GRASS = 1
    TAB_JKG = 2
    MEMO_N = 128


cdef inline double _tab_exact(int which, int64_t v) noexcept nogil:
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
            if c[i] > 0:
                S0 += <double>c[i] * _tab_exact(which, c[i])
            if c[i + 1] > 0:
                S1 += <double>c[i + 1] * _tab_exact(which, c[i + 1])
            if c[i + 2] > 0:
                S2 += <double>c[i + 2] * _tab_exact(which, c[i + 2])
            if c[i + 3] > 0:
                S3 += <double>c[i + 3] * _tab_exact(which, c[i + 3])
            i += 4
        while i < n:
            if c[i] > 0:
                S0 += <double>c[i] * _tab_exact(which, c[i])
            i += 1
    return (S0 + S1) + (S2 + S3)


cdef double _jackknife(const int64_t* c, Py_ssize_t n, double* std_out) noexcept nogil:
    # H_JK = N H - (N - 1) mean_i H_{-i} = g(N) - (1/N) sum n_i g(n_i), g(n) = n log n - (n-1) log(n-1)
    cdef Py_ssize_t i
    cdef int64_t N, v
    cdef double S, dN, gbar, d, V = 0.0
    S = _sum_v_table(c, n, TAB_JKG, &N)
    dN = <double>N
    gbar = S / dN
    if std_out != NULL:
        # jackknife variance (N-1)/N sum_i (H_{-i} - mean)^2, with H_{-i} - mean = (g_i - gbar)/(N-1)
        if N < 2:
            std_out[0] = NAN
        else:
            for i in range(n):
                v = c[i]
                if v > 0:
                    d = _jk_g(v) - gbar
                    V += <double>v * d * d
            std_out[0] = sqrt(V / (dN * (dN - 1.0)))
    # g is increasing, so the estimate is >= 0; one observed symbol can round to -1 ulp
    return _jk_g(N) - gbar if _jk_g(N) > gbar else 0.0


cdef double _grassberger(const int64_t* c, Py_ssize_t n) noexcept nogil:
    cdef int64_t N
    cdef double S = _sum_v_table(c, n, TAB_GRASS, &N), dN = <double>N
    return log(dN) - S / dN


cdef double _zhang(const int64_t* c, Py_ssize_t n) noexcept nogil:
    cdef int64_t N
    cdef double S = _sum_v_table(c, n, TAB_PSI, &N), H = _psi_int(N) - S / <double>N
    return H if H > 0.0 else 0.0  # a sum of positive terms; one symbol can round to -1 ulp


cdef double _horvitz_thompson(const int64_t* c, Py_ssize_t n, bint coverage) noexcept nogil:
    # H = -sum p log p / (1 - (1 - p)^N), p = C n_i / N (Chao-Shen) or n_i / N (plain HT).
    # The term depends on the row only through n_i, so long rows memoise it for small n_i
    # (same values, same summation order: the memo changes no bit of the result).
    cdef Py_ssize_t i
    cdef int64_t N = 0, f1 = 0, v
    cdef double dN, C = 1.0, logC = 0.0, logN, H = 0.0
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
        C = 1.0 - <double>f1 / dN
        logC = log(C)
    logN = log(dN)
    if use_memo:
        # memo[0] = 0 lets zero counts through without a (badly predicted) branch
        for i in range(MEMO_N):
            have[i] = 0
        memo[0] = 0.0
        have[0] = 1
        for i in range(n):
            v = c[i]
            if v < MEMO_N:
                if not have[v]:
                    memo[v] = _ht_term(v, logC, logN, dN)
                    have[v] = 1
                H -= memo[v]
            else:
                H -= _ht_term(v, logC, logN, dN)
    else:
        for i in range(n):
            v = c[i]
            if v > 0:
                H -= _ht_term(v, logC, logN, dN)
    return H


cdef inline double _ht_term(int64_t v, double logC, double logN, double dN) noexcept nogil:
    cdef double lp = logC + log(<double>v) - logN, p = exp(lp)
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
    cdef int64_t N, f1 = 0, f2 = 0, v
    cdef double S, dN, A, H
    S = _sum_v_table(c, n, TAB_PSI, &N)
    for i in range(n):
        v = c[i]
        f1 += v == 1
        f2 += v == 2
    dN = <double>N
    H = _psi_int(N) - S / dN
    if H < 0.0:  # as in _zhang
        H = 0.0
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
    cdef Py_ssize_t i
    cdef int64_t N = 0, m = 0, v
    cdef double S = 0.0, dN, pN
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
    return ((dN + <double>m) * pN - S + (K - <double>m) * (pN - _PSI[2])) / (dN + 2.0)


cdef double _pseudocount(const int64_t* c, Py_ssize_t n, double K, int method) noexcept nogil:
    # plug-in entropy of (n_i + a) / (N + K a) over all K symbols
    cdef Py_ssize_t i
    cdef int64_t N = 0, m = 0, v
    cdef double a, S = 0.0, dN, D
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
    return log(D) - S / D


cdef double _shrink(const int64_t* c, Py_ssize_t n, double K) noexcept nogil:
    # James-Stein shrinkage of n_i / N towards 1/K (Hausser & Strimmer 2009)
    cdef Py_ssize_t i
    cdef int64_t N = 0, m = 0, v
    cdef double dN, t = 1.0 / K, u, s2 = 0.0, d2 = 0.0, lam, H = 0.0
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
    if use_memo:
        # memo (same values, same order, same bits); memo[0] = 0 passes zero counts branch-free
        for i in range(MEMO_N):
            have[i] = 0
        memo[0] = 0.0
        have[0] = 1
        for i in range(n):
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
            if v > 0:
                H -= xlogx(lam * t + (1.0 - lam) * (<double>v / dN))
    H -= (K - <double>m) * xlogx(lam * t)
    return H


# ---------------------------------------------------------------- NSB

cdef int _cmp_i64(const void* a, const void* b) noexcept nogil:
    cdef int64_t x = (<const int64_t*>a)[0], y = (<const int64_t*>b)[0]
    return (x > y) - (x < y)


cdef struct NSBRow:
    double K        # alphabet size
    double N        # total count
    double z        # number of unseen symbols, K - m
    double m        # number of observed symbols
    Py_ssize_t G    # number of distinct nonzero counts
    double* val     # the distinct counts
    double* mult    # their multiplicities
    double* phi     # scratch, G entries


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


cdef void _nsb_moments(NSBRow* R, double t, double* mean, double* var) noexcept nogil:
    # E[H | n, beta] = psi(A + 1) - sum_i q_i psi(nu_i + 1), nu_i = n_i + beta, A = N + K beta,
    # q_i = nu_i / A; Var[H | n, beta] = 1/(A+1) sum q_i (phi_i - phibar)^2
    #   + (sum_i q_i r(nu_i + 1) - r(A + 1)) / (A + 1), phi_i = psi(nu_i + 1), r(x) = x psi'(x) - 1
    # (Wolpert & Wolf 1995 second moment, rearranged so no large terms cancel).
    cdef double b = exp(t), A = R.N + R.K * b, q, phibar, phi0, s = 0.0, rr
    cdef Py_ssize_t g
    phi0 = digamma(b + 1.0)
    phibar = R.z * (b / A) * phi0
    for g in range(R.G):
        R.phi[g] = digamma(R.val[g] + b + 1.0)
        phibar += R.mult[g] * ((R.val[g] + b) / A) * R.phi[g]
    mean[0] = digamma(A + 1.0) - phibar
    if var == NULL:
        return
    q = b / A
    s = R.z * q * (phi0 - phibar) * (phi0 - phibar)
    rr = R.z * q * trigamma_r(b + 1.0)
    for g in range(R.G):
        q = (R.val[g] + b) / A
        s += R.mult[g] * q * (R.phi[g] - phibar) * (R.phi[g] - phibar)
        rr += R.mult[g] * q * trigamma_r(R.val[g] + b + 1.0)
    var[0] = (s + rr - trigamma_r(A + 1.0)) / (A + 1.0)


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
            _nsb_moments(R, t, &mu, &v)
            acc[2] += wq * (mu - href) * (mu - href)
            acc[3] += wq * v
        else:
            _nsb_moments(R, t, &mu, NULL)
        acc[0] += wq
        acc[1] += wq * (mu - href)


cdef double _nsb(const int64_t* c, Py_ssize_t n, double K, double* std_out) noexcept nogil:
    cdef Py_ssize_t i, G = 0, m = 0
    cdef int64_t N = 0
    cdef int64_t* buf
    cdef NSBRow R
    cdef double t_lo, t_hi, t, f, best_t, best_f, lo, hi, x1, x2, f1, f2, fstar, tstar
    cdef double d2, sigma, dprev, d, href, H, V
    cdef double acc[4]
    cdef int it, side
    cdef double GR = 0.6180339887498949
    for i in range(n):
        N += c[i]
        m += c[i] != 0
    if K <= 1.0:
        if std_out != NULL:
            std_out[0] = 0.0
        return 0.0
    buf = <int64_t*>malloc((m + 1) * sizeof(int64_t))
    R.val = <double*>malloc((3 * m + 1) * sizeof(double))
    if buf == NULL or R.val == NULL:
        free(buf)
        free(R.val)
        if std_out != NULL:
            std_out[0] = NAN
        return NAN
    R.mult = R.val + m
    R.phi = R.val + 2 * m
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
    free(buf)
    R.K = K
    R.N = <double>N
    R.z = K - <double>m
    R.m = <double>m
    R.G = G

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
    for it in range(48):
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
    if best_f > fstar:  # the mode is not interior to the bracket (should not happen): keep the grid max
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
    _nsb_moments(&R, tstar, &href, NULL)
    acc[0] = 0.0
    acc[1] = 0.0
    acc[2] = 0.0
    acc[3] = 0.0
    for side in range(2):
        dprev = 0.0
        d = sigma
        for it in range(64):
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


# ---------------------------------------------------------------- dispatch

cdef double estimate_row(const int64_t* counts, Py_ssize_t n, double k, int method,
                         double* std_out) noexcept nogil:
    cdef Py_ssize_t i
    cdef int64_t N = 0, acc
    cdef double T
    for i in range(n):
        N += counts[i]
    if N <= 0:
        if std_out != NULL:
            std_out[0] = NAN
        return NAN
    if std_out != NULL and method != M_NSB and method != M_JACKKNIFE and method != M_PLUGIN \
            and method != M_MILLER_MADOW:
        std_out[0] = NAN
    if method == M_PLUGIN or method == M_MILLER_MADOW:
        T = _sum_nlogn(counts, n, &N, &acc)
        return _plugin_finish(counts, n, N, T, method, std_out)
    if method == M_JACKKNIFE:
        return _jackknife(counts, n, std_out)
    if method == M_GRASSBERGER:
        return _grassberger(counts, n)
    if method == M_ZHANG:
        return _zhang(counts, n)
    if method == M_CHAO_SHEN:
        return _horvitz_thompson(counts, n, True)
    if method == M_HORVITZ_THOMPSON:
        return _horvitz_thompson(counts, n, False)
    if method == M_CHAO_WANG_JOST:
        return _chao_wang_jost(counts, n)
    if method == M_BONACHELA:
        return _bonachela(counts, n, k)
    if method == M_JEFFREYS or method == M_LAPLACE or method == M_PERKS or method == M_MINIMAX:
        return _pseudocount(counts, n, k, method)
    if method == M_SHRINK:
        return _shrink(counts, n, k)
    if method == M_NSB:
        return _nsb(counts, n, k, std_out)
    if std_out != NULL:
        std_out[0] = NAN
    return NAN


def entropy_counts_rows(const int64_t[:, ::1] counts,   # IN (rows, n) counts, one row per estimate
                        const double[::1] k,            # IN (rows,) alphabet size per row, >= support
                        int method,                     # IN method code (estimators.pxd)
                        double[::1] out,                # OUT (rows,) entropy in nats, or NaN (below)
                        double[::1] out_std,            # OUT (rows,) std where defined (else NaN), or None
                        int n_threads):
    """Estimate every row. A row whose total is 0, that holds a negative count, or whose entries
    are so large (bitwise OR >= 2**62 / n) that its int64 total might overflow is not estimated:
    its ``out`` is NaN, for the facade to diagnose. This guard shares the one read of the row
    from memory with the estimate (which re-reads it from cache), so the facade need not make
    separate passes over big inputs."""
    cdef Py_ssize_t r, i, rows = counts.shape[0], n = counts.shape[1]
    cdef bint want_std = out_std is not None
    cdef double* sp
    cdef const int64_t* row
    cdef int64_t acc, tot, limit
    cdef double T
    if rows == 0 or n == 0:
        return
    limit = (<int64_t>1 << 62) // n
    with nogil:
        for r in prange(rows, schedule='static', num_threads=n_threads):
            row = &counts[r, 0]
            sp = &out_std[r] if want_std else NULL
            if method == M_PLUGIN or method == M_MILLER_MADOW:
                # the guard rides on the estimator's own single pass
                T = _sum_nlogn(row, n, &tot, &acc)
            else:
                acc = 0
                tot = 0
                for i in range(n):
                    acc = acc | row[i]
                    tot = tot + row[i]
            if acc < 0 or acc >= limit or tot == 0:
                out[r] = NAN
                if want_std:
                    sp[0] = NAN
            elif method == M_PLUGIN or method == M_MILLER_MADOW:
                out[r] = _plugin_finish(row, n, tot, T, method, sp)
            else:
                out[r] = estimate_row(row, n, k[r], method, sp)
