# Special functions for nogil kernels, as inline definitions any .pyx can cimport.
# Arguments are positive reals (x > 0); callers guarantee it. Accuracy is a few ulp: shift the
# argument up by the recurrence until x >= 10, then the asymptotic (Bernoulli) series, whose
# first omitted term is below 1e-16 relative there.
# log_minus_digamma, grassberger_beta, log_minus_grassberger and jackknife_excess are the nogil
# twins of the NumPy functions of the same names in fastentropy/_tables.py (same algorithm, same
# coefficients, same order of operations); tests/test_tables.py checks those against mpmath.
from libc.math cimport log, lgamma, log1p, fmod

cdef inline double digamma(double x) noexcept nogil:
    # psi(x) = psi(x + 1) - 1/x; asymptotic: log x - 1/(2x) - sum B_2j / (2j x^2j)
    cdef double acc = 0.0, x2
    while x < 10.0:
        acc -= 1.0 / x
        x += 1.0
    x2 = 1.0 / (x * x)
    return acc + log(x) - 0.5 / x - x2 * (
        1.0 / 12.0 - x2 * (1.0 / 120.0 - x2 * (1.0 / 252.0 - x2 * (
            1.0 / 240.0 - x2 * (1.0 / 132.0 - x2 * (691.0 / 32760.0 - x2 / 12.0))))))


cdef inline double trigamma_r(double x) noexcept nogil:
    # r(x) = x * psi'(x) - 1 ~ 1/(2x) + 1/(6x^2) - 1/(30x^4) + ...: the part of psi'(x) beyond
    # 1/x, computed without the cancellation of x * psi'(x) - 1 for large x.
    cdef double x2, acc = 0.0, y
    if x < 10.0:
        y = x
        while y < 10.0:
            acc += 1.0 / (y * y)
            y += 1.0
        return x * (acc + trigamma_asym(y)) - 1.0
    x2 = 1.0 / (x * x)
    return 0.5 / x + x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (
        1.0 / 30.0 - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0 - x2 * (7.0 / 6.0)))))))


cdef inline double trigamma_asym(double x) noexcept nogil:
    # psi'(x) for x >= 10: 1/x + 1/(2x^2) + sum B_2j / x^(2j+1)
    cdef double x2 = 1.0 / (x * x)
    return 1.0 / x + 0.5 * x2 + x2 / x * (
        1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (
            1.0 / 30.0 - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0 - x2 * (7.0 / 6.0)))))))


cdef inline double trigamma(double x) noexcept nogil:
    cdef double acc = 0.0
    while x < 10.0:
        acc += 1.0 / (x * x)
        x += 1.0
    return acc + trigamma_asym(x)


cdef inline double lgamma_pos(double x) noexcept nogil:
    # log Gamma(x) for x > 0. libc lgamma also writes the global signgam (a benign race between
    # threads: the sign is never read, and it is +1 for x > 0).
    return lgamma(x)


cdef inline double lnpoch(double x, double n) noexcept nogil:
    # log(Gamma(x + n) / Gamma(x)) for x > 0, n >= 0. For x >= 1e3 the difference of two large
    # lgamma values would lose digits, so take the difference of Stirling series instead.
    cdef double y, c
    if n == 0.0:
        return 0.0
    if x < 1e3:
        return lgamma(x + n) - lgamma(x)
    y = x + n
    # Stirling correction 1/(12x) - 1/(360x^3) + 1/(1260x^5), error < 1e-24 for x >= 1e3
    c = (1.0 / (12.0 * y) - 1.0 / (360.0 * y * y * y) + 1.0 / (1260.0 * y * y * y * y * y)) - (
        1.0 / (12.0 * x) - 1.0 / (360.0 * x * x * x) + 1.0 / (1260.0 * x * x * x * x * x))
    return (x - 0.5) * log1p(n / x) + n * log(y) - n + c


cdef inline double xlogx(double x) noexcept nogil:
    # x log x with the convention 0 log 0 = 0
    if x <= 0.0:
        return 0.0
    return x * log(x)


cdef inline double log_minus_digamma(double x) noexcept nogil:
    # log(x) - psi(x) (~ 1/(2x)) for x > 0 as a sum of positive terms: the recurrence
    # D(x) = D(x + 1) + 1/x - log1p(1/x) until x >= 12, then 1/(2x) + sum_k B_2k / (2k x^2k)
    cdef double acc = 0.0, u, x2
    while x < 12.0:
        acc += 1.0 / x - log1p(1.0 / x)
        x += 1.0
    u = 1.0 / x
    x2 = u * u
    return acc + (0.5 * u + x2 * (1.0 / 12.0 + x2 * (-1.0 / 120.0 + x2 * (
        1.0 / 252.0 + x2 * (-1.0 / 240.0 + x2 * (1.0 / 132.0 + x2 * (
            -691.0 / 32760.0 + x2 * (1.0 / 12.0))))))))


cdef inline double grassberger_beta(double x) noexcept nogil:
    # beta(x) = (psi((x+1)/2) - psi(x/2)) / 2 = int_0^1 t^(x-1) / (1+t) dt (~ 1/(2x)), x > 0
    return 0.5 * (log1p(1.0 / x) + (log_minus_digamma(0.5 * x)
                                    - log_minus_digamma(0.5 * (x + 1.0))))


cdef inline double log_minus_grassberger(double n) noexcept nogil:
    # log(n) - G(n), G(n) = psi(n) + (-1)^n beta(n) (Grassberger 2003), integer n >= 1, without
    # cancellation: D(n) + beta(n) for odd n; for even n it is ~ -1/(6n^2), from the asymptotic
    # series sum_k c_k / n^2k, c_k = -(2^2k - 2) B_2k / (2k), once n >= 16
    cdef double u, x2
    if fmod(n, 2.0) != 0.0:
        return log_minus_digamma(n) + grassberger_beta(n)
    if n < 16.0:
        return log_minus_digamma(n) - grassberger_beta(n)
    u = 1.0 / n
    x2 = u * u
    return x2 * (-0.16666666666666666 + x2 * (0.11666666666666667 + x2 * (
        -0.24603174603174602 + x2 * (1.0583333333333333 + x2 * (-7.742424242424242 + x2 * (
            86.3539072039072 + x2 * (-1365.1666666666667 + x2 * (29048.58799019608 + x2 * (
                -800569.6960456697 + x2 * (27741296.168787878 + x2 * (
                    -1180528848.789855 + x2 * (60523976444.176956 + x2 * (
                        -3679416723710.1665 + x2 * 261707608931647.06)))))))))))))


cdef inline double jackknife_excess(double n) noexcept nogil:
    # g(n) - log(n) - 1 (~ -1/(2n)), g(n) = n log n - (n-1) log(n-1), integer n >= 1:
    # -1 at n = 1, the direct form below 16, the series -sum_k n^-k / (k (k+1)) above
    cdef double u, uk, acc = 0.0, term
    cdef int k = 1
    if n <= 1.0:
        return -1.0
    if n < 16.0:
        return -(n - 1.0) * log1p(-1.0 / n) - 1.0
    u = 1.0 / n
    uk = u
    term = 0.5 * u
    while True:
        acc += term
        if not term > 1e-17 * acc:
            break
        k += 1
        uk *= u
        term = uk / <double>(k * (k + 1))
    return -acc
