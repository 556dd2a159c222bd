# Special functions for nogil kernels, as inline definitions any .pyx can cimport.
# Arguments are positive reals (x > 0); callers guarantee it. Accuracy is a few ulp: shift the
# argument up by the recurrence until x >= 10, then the asymptotic (Bernoulli) series, whose
# first omitted term is below 1e-16 relative there.
from libc.math cimport log, lgamma, log1p

cdef inline double digamma(double x) noexcept nogil:
    # psi(x) = psi(x + 1) - 1/x; asymptotic: log x - 1/(2x) - sum B_2j / (2j x^2j)
    cdef double acc = 0.0, x2
    while x < 10.0:
        acc -= 1.0 / x
        x += 1.0
    x2 = 1.0 / (x * x)
    return acc + log(x) - 0.5 / x - x2 * (1.0 / 12.0 - x2 * (1.0 / 120.0 - x2 * (
        1.0 / 252.0 - x2 * (1.0 / 240.0 - x2 * (1.0 / 132.0 - x2 * (691.0 / 32760.0
        - x2 / 12.0))))))


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
    return 1.0 / x + 0.5 * x2 + x2 / x * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (
        1.0 / 42.0 - x2 * (1.0 / 30.0 - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0
        - x2 * (7.0 / 6.0)))))))


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
