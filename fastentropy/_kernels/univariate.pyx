# cython: language_level=3
"""Kernels of the univariate-mixture family: fused log-density, sampling, Monte Carlo KL.

A mixture arrives in the reduced form of ``_twins/univariate.py`` (family code, ``hc``, and per
component ``logc``, ``loc``, ``inv``): ``log m(x) = hc log x + LSE_j(logc_j - phi(z_j))``,
``z_j = (x - loc_j) inv_j``. Points are processed in tiles of ``TILE`` (256) under a static
``prange``; per-thread scratch (the K component terms of a point, a tile of samples and its log
densities) is allocated inside the parallel region. Random numbers: Philox4x32-10
(``_philox.pxd``) at the counter ``(g mod 2^32, g div 2^32, 0, 0)`` of sample ``g``, so every
result is bitwise identical for any thread count; Monte Carlo tile partials (mean, sum of
squared deviations) are merged per component in tile order after the parallel loop.
"""
from cython.parallel cimport parallel, prange
from libc.math cimport INFINITY, exp, fabs, log, sqrt
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc

from fastentropy._kernels._philox cimport fp_block, fp_sincos_2pi, fp_unit

TILE = 256

cdef enum:
    UT = 256
    F_GAUSSIAN = 0
    F_EXPONENTIAL = 1
    F_RAYLEIGH = 2
    F_GAMMA = 3
    F_LAPLACE = 4


cdef inline double _logpdf1(double x, int family, double hc, int64_t K, const double *logc,
                            const double *loc, const double *inv, double *v) noexcept nogil:
    cdef int64_t j
    cdef double z, m = -INFINITY, s = 0.0, out
    if (family == F_EXPONENTIAL or family == F_RAYLEIGH or family == F_GAMMA) and not x >= 0.0:
        return -INFINITY
    for j in range(K):
        z = (x - loc[j]) * inv[j]
        if family == F_GAUSSIAN or family == F_RAYLEIGH:
            v[j] = logc[j] - 0.5 * (z * z)
        elif family == F_LAPLACE:
            v[j] = logc[j] - fabs(z)
        else:
            v[j] = logc[j] - z
        if v[j] > m:
            m = v[j]
    if m == -INFINITY:
        return -INFINITY
    for j in range(K):
        s = s + exp(v[j] - m)
    out = m + log(s)
    if hc != 0.0:
        out = out + hc * log(x)
    if out != out:
        return -INFINITY
    return out


cdef inline double _draw1(uint64_t g, int family, double loc, double inv, uint32_t k0,
                          uint32_t k1) noexcept nogil:
    cdef uint32_t w[4]
    cdef double u, v, e, cs, sn
    fp_block(<uint32_t>g, <uint32_t>(g >> 32), 0u, 0u, k0, k1, w)
    u = fp_unit(w[0], w[1])
    v = fp_unit(w[2], w[3])
    e = -log(u)
    if family == F_GAUSSIAN:
        fp_sincos_2pi(v, &cs, &sn)
        return loc + (sqrt(2.0 * e) * cs) / inv
    if family == F_EXPONENTIAL:
        return e / inv
    if family == F_RAYLEIGH:
        return sqrt(2.0 * e) / inv
    if v < 0.5:
        return loc - e / inv
    return loc + e / inv


def log_density(const double[::1] x, int family, double hc, const double[::1] logc,
                const double[::1] loc, const double[::1] inv, double[::1] out, int n_threads):
    cdef int64_t n = x.shape[0], K = logc.shape[0]
    cdef int64_t ntiles = (n + UT - 1) // UT, t, i, e
    cdef double *v
    if n == 0:
        return
    with nogil, parallel(num_threads=max(1, n_threads)):
        v = <double*>malloc((K + 1) * sizeof(double))
        if v != NULL:
            for t in prange(ntiles, schedule="static"):
                e = n if (t + 1) * UT > n else (t + 1) * UT
                for i in range(t * UT, e):
                    out[i] = _logpdf1(x[i], family, hc, K, &logc[0], &loc[0], &inv[0], v)
            free(v)
    # a failed per-thread allocation leaves its tiles unwritten: the facade pre-fills NaN


cdef int _items(const int64_t[::1] counts, int64_t **ik, int64_t **ig, int64_t **isz,
                int64_t *nitems):
    cdef int64_t K = counts.shape[0], k, t, it = 0, off = 0, n = 0
    for k in range(K):
        n += (counts[k] + UT - 1) // UT
    ik[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    ig[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    isz[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    if ik[0] == NULL or ig[0] == NULL or isz[0] == NULL:
        free(ik[0])
        free(ig[0])
        free(isz[0])
        return -1
    for k in range(K):
        t = 0
        while t < counts[k]:
            ik[0][it] = k
            ig[0][it] = off + t
            isz[0][it] = counts[k] - t if counts[k] - t < UT else UT
            it += 1
            t += UT
        off += counts[k]
    nitems[0] = n
    return 0


def sample(const int64_t[::1] counts, int family, const double[::1] loc,
           const double[::1] inv, uint32_t key0, uint32_t key1, double[::1] out,
           int n_threads):
    cdef int64_t nitems = 0, it, i, k, g0, T
    cdef int64_t *ik
    cdef int64_t *ig
    cdef int64_t *isz
    if _items(counts, &ik, &ig, &isz, &nitems) != 0:
        raise MemoryError("univariate sample: out of memory")
    with nogil:
        for it in prange(nitems, schedule="static", num_threads=max(1, n_threads)):
            k = ik[it]
            g0 = ig[it]
            T = isz[it]
            for i in range(T):
                out[g0 + i] = _draw1(<uint64_t>(g0 + i), family, loc[k], inv[k], key0, key1)
    free(ik)
    free(ig)
    free(isz)


cdef object _kl_tiles(const double[::1] pts, bint have_pts, const int64_t[::1] counts,
                      uint32_t key0, uint32_t key1,
                      int p_family, double p_hc, const double[::1] p_logc,
                      const double[::1] p_loc, const double[::1] p_inv,
                      int q_family, double q_hc, const double[::1] q_logc,
                      const double[::1] q_loc, const double[::1] q_inv,
                      double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    cdef int64_t K = counts.shape[0], Kp = p_logc.shape[0], Kq = q_logc.shape[0]
    cdef int64_t Kmax = Kp if Kp > Kq else Kq
    cdef int64_t nitems = 0, it, i, k, g0, T
    cdef int64_t *ik
    cdef int64_t *ig
    cdef int64_t *isz
    cdef double *part
    cdef double *buf
    cdef double *f
    cdef double *v
    cdef double x, sm, mu, m2, dlt, na, nb, nn
    cdef int failed[1]
    if _items(counts, &ik, &ig, &isz, &nitems) != 0:
        raise MemoryError("univariate kl_mc: out of memory")
    part = <double*>malloc((2 * nitems + 1) * sizeof(double))
    if part == NULL:
        free(ik)
        free(ig)
        free(isz)
        raise MemoryError("univariate kl_mc: out of memory")
    failed[0] = 0
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc((UT + Kmax + 1) * sizeof(double))
        if buf == NULL:
            failed[0] = 1
        else:
            f = buf
            v = buf + UT
            for it in prange(nitems, schedule="static"):
                k = ik[it]
                g0 = ig[it]
                T = isz[it]
                sm = 0.0
                for i in range(T):
                    if have_pts:
                        x = pts[g0 + i]
                    else:
                        x = _draw1(<uint64_t>(g0 + i), p_family, p_loc[k], p_inv[k], key0,
                                   key1)
                    f[i] = (_logpdf1(x, p_family, p_hc, Kp, &p_logc[0], &p_loc[0], &p_inv[0],
                                     v)
                            - _logpdf1(x, q_family, q_hc, Kq, &q_logc[0], &q_loc[0],
                                       &q_inv[0], v))
                    sm = sm + f[i]
                mu = sm / T
                m2 = 0.0
                for i in range(T):
                    dlt = f[i] - mu
                    m2 = m2 + dlt * dlt
                part[2 * it] = mu
                part[2 * it + 1] = m2
            free(buf)
    if failed[0]:
        free(ik)
        free(ig)
        free(isz)
        free(part)
        raise MemoryError("univariate kl_mc: out of memory for per-thread scratch")
    it = 0
    for k in range(K):
        na = 0.0
        mu = 0.0
        m2 = 0.0
        while it < nitems and ik[it] == k:
            nb = <double>isz[it]
            nn = na + nb
            dlt = part[2 * it] - mu
            mu = mu + dlt * (nb / nn)
            m2 = m2 + part[2 * it + 1] + dlt * dlt * (na * nb / nn)
            na = nn
            it += 1
        comp_mean[k] = mu
        comp_m2[k] = m2
    free(ik)
    free(ig)
    free(isz)
    free(part)


def kl_mc(const int64_t[::1] counts, uint32_t key0, uint32_t key1,
          int p_family, double p_hc, const double[::1] p_logc, const double[::1] p_loc,
          const double[::1] p_inv,
          int q_family, double q_hc, const double[::1] q_logc, const double[::1] q_loc,
          const double[::1] q_inv,
          double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    cdef double dummy[1]
    dummy[0] = 0.0
    _kl_tiles(<double[:1]>dummy, False, counts, key0, key1, p_family, p_hc, p_logc, p_loc,
              p_inv, q_family, q_hc, q_logc, q_loc, q_inv, comp_mean, comp_m2, n_threads)


def kl_points(const double[::1] x, const int64_t[::1] counts,
              int p_family, double p_hc, const double[::1] p_logc, const double[::1] p_loc,
              const double[::1] p_inv,
              int q_family, double q_hc, const double[::1] q_logc, const double[::1] q_loc,
              const double[::1] q_inv,
              double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    _kl_tiles(x, True, counts, 0, 0, p_family, p_hc, p_logc, p_loc, p_inv, q_family, q_hc,
              q_logc, q_loc, q_inv, comp_mean, comp_m2, n_threads)
