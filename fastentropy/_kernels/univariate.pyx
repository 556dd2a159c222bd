# cython: language_level=3
"""Kernels of the univariate-mixture family: fused log-density, sampling, Monte Carlo KL.

A mixture arrives in the reduced form of ``_twins/univariate.py`` (family code, ``hc``, and per
component ``logc``, ``loc``, ``inv``): ``log m(x) = hc log x + LSE_j(logc_j - phi(z_j))``,
``z_j = (x - loc_j) inv_j``. Points are processed in tiles of ``TILE`` (256) under a static
``prange`` with the loops along the tile (vectorised ``fe_exp`` / ``fe_log``; an AVX2+FMA build
chosen at run time); per-thread scratch (the K component terms of a tile, its samples and log
densities) is allocated inside the parallel region. Random numbers: Philox4x32-10
(``_philox.pxd``) at the counter ``(g mod 2^32, g div 2^32, 0, 0)`` of sample ``g``, so every
result is bitwise identical for any thread count; Monte Carlo tile partials (mean, sum of
squared deviations) are merged per component in tile order after the parallel loop.
"""
from cython.parallel cimport parallel, prange
from libc.stdint cimport int64_t, uint32_t
from libc.stdlib cimport free, malloc

from fastentropy._kernels._tilestats cimport merge_tiles, stratum_tiles, tile_moments

# used inside the C block below
from fastentropy._kernels._philox cimport fp_block, fp_sincos_2pi, fp_unit  # no-cython-lint

from fastentropy._kernels._fastexp cimport fe_exp  # no-cython-lint
from fastentropy._kernels._fastlog cimport fe_log  # no-cython-lint

cdef extern from *:
    """
    #include <stdint.h>
    #include <math.h>
    #define UV_TILE 256
    /* lets GCC if-convert the selects (FP traps are never enabled by Python/NumPy; values are
       unaffected), so the tile loops vectorise; scoped to this block by push/pop */
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize("no-trapping-math")
    #endif
    #if defined(__GNUC__)
    #  define UV_INLINE static inline __attribute__((always_inline))
    #  define UV_NOINLINE __attribute__((noinline))
    #  define UV_RESTRICT __restrict__
    #else
    #  define UV_INLINE static inline
    #  define UV_NOINLINE
    #  define UV_RESTRICT
    #endif
    #if defined(__GNUC__) && defined(__x86_64__) && !defined(FE_NO_DISPATCH)
    #  define UV_DISPATCH 1
    #else
    #  define UV_DISPATCH 0
    #endif

    /* out[i] = hc log x_i + log sum_j exp(logc_j - phi((x_i - loc_j) inv_j)) for T <= UV_TILE
       points (families 0 gaussian, 1 exponential, 2 rayleigh, 3 gamma, 4 laplace; -inf
       outside the support, NaN -> -inf). Scratch: v (K * T), m, s (T). Loops run along the
       tile, so they vectorise (fe_exp / fe_log are branch-free). */
    UV_INLINE void uv_tile_impl(const double *UV_RESTRICT x, int64_t T, int family, double hc,
                                int64_t K, const double *UV_RESTRICT logc,
                                const double *UV_RESTRICT loc, const double *UV_RESTRICT inv,
                                double *UV_RESTRICT v, double *UV_RESTRICT m,
                                double *UV_RESTRICT s, double *UV_RESTRICT out) {
        int64_t i, j;
        for (j = 0; j < K; ++j) {
            double *UV_RESTRICT vj = v + j * T;
            const double a = logc[j], l = loc[j], iv = inv[j];
            if (family == 0 || family == 2) {
                for (i = 0; i < T; ++i) { double z = (x[i] - l) * iv; vj[i] = a - 0.5 * (z * z); }
            } else if (family == 4) {
                for (i = 0; i < T; ++i) { double z = (x[i] - l) * iv; vj[i] = a - fabs(z); }
            } else {
                for (i = 0; i < T; ++i) { double z = (x[i] - l) * iv; vj[i] = a - z; }
            }
        }
        for (i = 0; i < T; ++i) { m[i] = v[i]; s[i] = 0.0; }
        for (j = 1; j < K; ++j) {
            const double *UV_RESTRICT vj = v + j * T;
            for (i = 0; i < T; ++i) m[i] = vj[i] > m[i] ? vj[i] : m[i];
        }
        for (j = 0; j < K; ++j) {
            const double *UV_RESTRICT vj = v + j * T;
            for (i = 0; i < T; ++i) s[i] = s[i] + fe_exp(vj[i] - m[i]);
        }
        for (i = 0; i < T; ++i) {
            double o = m[i] + fe_log(s[i]);
            out[i] = m[i] == -INFINITY ? -INFINITY : o;
        }
        if (family == 1 || family == 2 || family == 3) {
            if (hc != 0.0) {
                for (i = 0; i < T; ++i) {
                    double xi = x[i];
                    double lx = fe_log(xi > 0.0 ? xi : 1.0);
                    lx = xi > 0.0 ? lx : -INFINITY;
                    double o = out[i] + hc * lx;
                    out[i] = xi >= 0.0 ? o : -INFINITY;
                }
            } else {
                for (i = 0; i < T; ++i) out[i] = x[i] >= 0.0 ? out[i] : -INFINITY;
            }
        }
        for (i = 0; i < T; ++i) out[i] = out[i] == out[i] ? out[i] : -INFINITY;
    }

    /* out[i] = sample g0 + i of the component (family, loc, inv) for T <= UV_TILE samples:
       Philox block (g mod 2^32, g div 2^32, 0, 0) -> u, v in (0, 1]; e = -log u; then the
       inverse CDF / Box-Muller of _twins/univariate.py. Scratch u, v: T each. */
    UV_INLINE void uv_draw_impl(int64_t g0, int64_t T, int family, double loc, double inv,
                                uint32_t k0, uint32_t k1, double *UV_RESTRICT u,
                                double *UV_RESTRICT v, double *UV_RESTRICT out) {
        int64_t i;
        for (i = 0; i < T; ++i) {
            uint64_t g = (uint64_t)(g0 + i);
            uint32_t w[4];
            fp_block((uint32_t)g, (uint32_t)(g >> 32), 0u, 0u, k0, k1, w);
            u[i] = fp_unit(w[0], w[1]);
            v[i] = fp_unit(w[2], w[3]);
        }
        for (i = 0; i < T; ++i) u[i] = -fe_log(u[i]);
        if (family == 0) {
            for (i = 0; i < T; ++i) {
                double cs, sn;
                fp_sincos_2pi(v[i], &cs, &sn);
                out[i] = loc + (sqrt(2.0 * u[i]) * cs) / inv;
            }
        } else if (family == 1) {
            for (i = 0; i < T; ++i) out[i] = u[i] / inv;
        } else if (family == 2) {
            for (i = 0; i < T; ++i) out[i] = sqrt(2.0 * u[i]) / inv;
        } else {
            for (i = 0; i < T; ++i) {
                double e = u[i] / inv;
                out[i] = v[i] < 0.5 ? loc - e : loc + e;
            }
        }
    }

    #define UV_DEFINE(SUF, ATTR)                                                           \
    static ATTR UV_NOINLINE void uv_tile_##SUF(const double *x, int64_t T, int family,      \
            double hc, int64_t K, const double *logc, const double *loc, const double *inv, \
            double *v, double *m, double *s, double *out) {                                \
        uv_tile_impl(x, T, family, hc, K, logc, loc, inv, v, m, s, out);                   \
    }                                                                                      \
    static ATTR UV_NOINLINE void uv_draw_##SUF(int64_t g0, int64_t T, int family,           \
            double loc, double inv, uint32_t k0, uint32_t k1, double *u, double *v,        \
            double *out) {                                                                 \
        uv_draw_impl(g0, T, family, loc, inv, k0, k1, u, v, out);                          \
    }
    UV_DEFINE(base, )
    #if UV_DISPATCH
    UV_DEFINE(avx2, __attribute__((target("avx2,fma"))))
    /* 1: AVX2+FMA, 0: baseline. FMA contraction may move a value by an ulp against the
       baseline build; every thread takes the same path. */
    static int uv_isa(void) {
        static int have = -1;   /* benign race: every thread computes the same value */
        if (have < 0) {
            __builtin_cpu_init();
            have = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
        }
        return have;
    }
    #endif
    static inline int64_t uv_scratch(int64_t K) { return (int64_t)UV_TILE * (K + 2); }
    static void uv_tile(const double *x, int64_t T, int family, double hc, int64_t K,
                        const double *logc, const double *loc, const double *inv,
                        double *scratch, double *out) {
        double *v = scratch, *m = scratch + K * UV_TILE, *s = m + UV_TILE;
    #if UV_DISPATCH
        if (uv_isa() == 1) { uv_tile_avx2(x, T, family, hc, K, logc, loc, inv, v, m, s, out);
                             return; }
    #endif
        uv_tile_base(x, T, family, hc, K, logc, loc, inv, v, m, s, out);
    }
    /* scratch of uv_draw: 2 UV_TILE doubles */
    static void uv_draw(int64_t g0, int64_t T, int family, double loc, double inv, uint32_t k0,
                        uint32_t k1, double *scratch, double *out) {
        double *u = scratch, *v = scratch + UV_TILE;
    #if UV_DISPATCH
        if (uv_isa() == 1) { uv_draw_avx2(g0, T, family, loc, inv, k0, k1, u, v, out);
                             return; }
    #endif
        uv_draw_base(g0, T, family, loc, inv, k0, k1, u, v, out);
    }
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    int64_t uv_scratch(int64_t K) noexcept nogil
    void uv_tile(const double *x, int64_t T, int family, double hc, int64_t K,
                 const double *logc, const double *loc, const double *inv, double *scratch,
                 double *out) noexcept nogil
    void uv_draw(int64_t g0, int64_t T, int family, double loc, double inv, uint32_t k0,
                 uint32_t k1, double *scratch, double *out) noexcept nogil

TILE = 256

cdef enum:
    UT = 256  # TILE


def log_density(const double[::1] x, int family, double hc, const double[::1] logc,
                const double[::1] loc, const double[::1] inv, double[::1] out, int n_threads):
    cdef int64_t n = x.shape[0], K = logc.shape[0]
    cdef int64_t ntiles = (n + UT - 1) // UT, t, T
    cdef double *buf
    if n == 0:
        return
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc(uv_scratch(K) * sizeof(double))
        if buf != NULL:
            for t in prange(ntiles, schedule="static"):
                T = n - t * UT if n - t * UT < UT else UT
                uv_tile(&x[t * UT], T, family, hc, K, &logc[0], &loc[0], &inv[0], buf,
                        &out[t * UT])
            free(buf)
    # a failed per-thread allocation leaves its tiles unwritten: the facade pre-fills NaN


cdef int _items(const int64_t[::1] counts, int64_t **ik, int64_t **ig, int64_t **isz,
                int64_t *nitems):
    """``stratum_tiles`` of the strata ``counts``, tiles of at most UT samples."""
    return stratum_tiles(&counts[0], counts.shape[0], UT, ik, ig, isz, nitems)


def sample(const int64_t[::1] counts, int family, const double[::1] loc,
           const double[::1] inv, uint32_t key0, uint32_t key1, double[::1] out,
           int n_threads):
    cdef int64_t nitems = 0, it, k
    cdef int64_t *ik
    cdef int64_t *ig
    cdef int64_t *isz
    cdef double *buf
    cdef int failed[1]
    failed[0] = 0
    if _items(counts, &ik, &ig, &isz, &nitems) != 0:
        raise MemoryError("univariate sample: out of memory")
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc(2 * UT * sizeof(double))
        if buf == NULL:
            failed[0] = 1
        else:
            for it in prange(nitems, schedule="static"):
                k = ik[it]
                uv_draw(ig[it], isz[it], family, loc[k], inv[k], key0, key1, buf, &out[ig[it]])
            free(buf)
    if failed[0]:
        free(ik)
        free(ig)
        free(isz)
        raise MemoryError("univariate sample: out of memory for per-thread scratch")
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
    cdef double *xs
    cdef double *sc
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
        # per thread: the tile's points, log p - log q, log q, then the log-density scratch
        buf = <double*>malloc((3 * UT + uv_scratch(Kmax)) * sizeof(double))  # >= 2 UT
        if buf == NULL:
            failed[0] = 1
        else:
            xs = buf
            f = buf + UT
            v = f + UT
            sc = v + UT
            for it in prange(nitems, schedule="static"):
                k = ik[it]
                g0 = ig[it]
                T = isz[it]
                if have_pts:
                    for i in range(T):
                        xs[i] = pts[g0 + i]
                else:
                    uv_draw(g0, T, p_family, p_loc[k], p_inv[k], key0, key1, sc, xs)
                uv_tile(xs, T, p_family, p_hc, Kp, &p_logc[0], &p_loc[0], &p_inv[0], sc, f)
                uv_tile(xs, T, q_family, q_hc, Kq, &q_logc[0], &q_loc[0], &q_inv[0], sc, v)
                for i in range(T):
                    f[i] = f[i] - v[i]
                tile_moments(f, T, &part[2 * it])
            free(buf)
    if failed[0]:
        free(ik)
        free(ig)
        free(isz)
        free(part)
        raise MemoryError("univariate kl_mc: out of memory for per-thread scratch")
    merge_tiles(ik, isz, part, nitems, K, &comp_mean[0], &comp_m2[0])
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
