# cython: language_level=3
"""Kernels of the Gaussian-mixture family: fused log-density, sampling, Monte Carlo KL.

A mixture arrives as its positive-weight components: ``logc[j] = log w_j - d/2 log(2 pi) -
sum_r log L_j[r, r]``, ``means`` (K, d) and ``chol`` (K, d, d) lower Cholesky factors. Points are
processed in tiles of ``TILE`` (256), transposed so the triangular solves, the log-sum-exp over
components (vectorised ``fe_exp`` / ``fe_log``) run along the tile. Random numbers come from
Philox4x32-10 (``_philox.pxd``) at counters that depend only on the sample's index, so every
result is bitwise identical for any thread count; Monte Carlo tile partials (count, mean, sum of
squared deviations) are merged per component in tile order after the parallel loop. Scratch is
allocated per thread inside the parallel region. The NumPy twin (``_twins/mixture.py``) uses the
same operation order.
"""
from cython.parallel cimport parallel, prange
from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc

from fastentropy._kernels._philox cimport fp_block, fp_normal_pair
from fastentropy._kernels._tilestats cimport merge_tiles, stratum_tiles, tile_moments
from fastentropy._kernels._philox cimport fp_sincos_2pi, fp_unit  # no-cython-lint

# used inside the C block below
from fastentropy._kernels._fastexp cimport fe_exp  # no-cython-lint
from fastentropy._kernels._fastlog cimport fe_log  # no-cython-lint

cdef extern from *:
    """
    #include <stdint.h>
    #include <math.h>
    #define MX_TILE 256

    /* Scratch doubles a thread needs for tiles of dimension d and at most K components. */
    static inline int64_t mx_scratch(int64_t d, int64_t K) {
        return (int64_t)MX_TILE * (3 * d + K + 5) + 2 * d + 2;
    }

    /* out[i] = log sum_j exp(logc[j] - |L_j^-1 (x_i - mu_j)|^2 / 2) for the T <= MX_TILE
       points of x (row-major, row stride ldx). xt: d*T, y: d*T, v: K*T, m, s: T. */
    #if defined(__GNUC__)
    #  define MX_INLINE static inline __attribute__((always_inline))
    #  define MX_NOINLINE __attribute__((noinline))
    #else
    #  define MX_INLINE static inline
    #  define MX_NOINLINE
    #endif
    #if defined(__GNUC__) && defined(__x86_64__) && !defined(FE_NO_DISPATCH)
    #  define MX_DISPATCH 1
    #else
    #  define MX_DISPATCH 0
    #endif
    #if defined(__GNUC__)
    #  define MX_RESTRICT __restrict__
    #else
    #  define MX_RESTRICT
    #endif
    MX_INLINE void mx_tile_logpdf_impl(const double *MX_RESTRICT x, int64_t ldx, int64_t T,
                               int64_t d, int64_t K, const double *MX_RESTRICT logc,
                               const double *MX_RESTRICT means,
                               const double *MX_RESTRICT chol, double *MX_RESTRICT xt,
                               double *MX_RESTRICT y, double *MX_RESTRICT v,
                               double *MX_RESTRICT m, double *MX_RESTRICT s,
                               double *MX_RESTRICT out) {
        int64_t i, j, r, c;
        for (i = 0; i < T; ++i)
            for (r = 0; r < d; ++r) xt[r * T + i] = x[i * ldx + r];
        for (j = 0; j < K; ++j) {
            const double *L = chol + j * d * d;
            const double *mu = means + j * d;
            double *MX_RESTRICT vj = v + j * T;
            for (i = 0; i < T; ++i) vj[i] = 0.0;
            for (r = 0; r < d; ++r) {
                double *MX_RESTRICT yr = y + r * T;
                const double *MX_RESTRICT xr = xt + r * T;
                double mr = mu[r], inv = 1.0 / L[r * d + r];
                for (i = 0; i < T; ++i) yr[i] = xr[i] - mr;
                for (c = 0; c < r; ++c) {
                    double l = L[r * d + c];
                    const double *MX_RESTRICT yc = y + c * T;
                    for (i = 0; i < T; ++i) yr[i] = yr[i] - l * yc[i];
                }
                for (i = 0; i < T; ++i) {
                    yr[i] = yr[i] * inv;
                    vj[i] = vj[i] + yr[i] * yr[i];
                }
            }
            {
                double lc = logc[j];
                /* a distance that overflowed (inf, or NaN from inf - inf) is a density of 0 */
                for (i = 0; i < T; ++i) vj[i] = vj[i] == vj[i] ? lc - 0.5 * vj[i] : -INFINITY;
            }
        }
        for (i = 0; i < T; ++i) { m[i] = v[i]; s[i] = 0.0; }
        for (j = 1; j < K; ++j) {
            const double *vj = v + j * T;
            for (i = 0; i < T; ++i) m[i] = vj[i] > m[i] ? vj[i] : m[i];
        }
        for (j = 0; j < K; ++j) {
            const double *vj = v + j * T;
            for (i = 0; i < T; ++i) s[i] = s[i] + fe_exp(vj[i] - m[i]);
        }
        for (i = 0; i < T; ++i) out[i] = m[i] == -INFINITY ? -INFINITY : m[i] + fe_log(s[i]);
    }

    /* Rows g0 .. g0 + T - 1 of component (mu, L): x = mu + L z, with z the Box-Muller normals
       of Philox at counters (g, b) (see _philox.pxd). Scratch: zt (2 nb) * T, u, v: T. */
    MX_INLINE void mx_tile_sample_impl(int64_t g0, int64_t T, int64_t d,
                                       const double *MX_RESTRICT mu,
                                       const double *MX_RESTRICT L, uint32_t k0, uint32_t k1,
                                       double *MX_RESTRICT zt, double *MX_RESTRICT u,
                                       double *MX_RESTRICT v, double *MX_RESTRICT x,
                                       int64_t ldx) {
        int64_t i, r, c, b, nb = (d + 1) / 2;
        for (b = 0; b < nb; ++b) {
            double *MX_RESTRICT z0 = zt + (2 * b) * T;
            double *MX_RESTRICT z1 = zt + (2 * b + 1) * T;
            for (i = 0; i < T; ++i) {
                uint64_t g = (uint64_t)(g0 + i);
                uint32_t w[4];
                fp_block((uint32_t)g, (uint32_t)(g >> 32), (uint32_t)b, 0u, k0, k1, w);
                u[i] = fp_unit(w[0], w[1]);
                v[i] = fp_unit(w[2], w[3]);
            }
            for (i = 0; i < T; ++i) {
                double rad = sqrt(-2.0 * fe_log(u[i])), cs, sn;
                fp_sincos_2pi(v[i], &cs, &sn);
                z0[i] = rad * cs;
                z1[i] = rad * sn;
            }
        }
        for (i = 0; i < T; ++i) {
            for (r = 0; r < d; ++r) {
                double acc = mu[r];
                for (c = 0; c <= r; ++c) acc = acc + L[r * d + c] * zt[c * T + i];
                x[i * ldx + r] = acc;
            }
        }
    }

    /* x = mu + L (sgn z) for the T points whose normals are zt[c * T + i] (sgn = +-1, so
       sgn * z is exact: sgn = 1 repeats mx_tile_sample's transform, sgn = -1 gives the
       antithetic points mu - L z). */
    MX_INLINE void mx_tile_affine_impl(int64_t T, int64_t d, const double *MX_RESTRICT mu,
                                       const double *MX_RESTRICT L, double sgn,
                                       const double *MX_RESTRICT zt, double *MX_RESTRICT x,
                                       int64_t ldx) {
        int64_t i, r, c;
        for (i = 0; i < T; ++i) {
            for (r = 0; r < d; ++r) {
                double acc = mu[r];
                for (c = 0; c <= r; ++c) acc = acc + L[r * d + c] * (sgn * zt[c * T + i]);
                x[i * ldx + r] = acc;
            }
        }
    }

    /* Phi^-1(u), the standard normal quantile, for u clipped to [2^-53, 1 - 2^-53] (both
       exact doubles; so u == 0 gives -8.21 and u == 1 gives 8.21, never an infinity; NaN is
       clipped to 2^-53 too). With p = min(u, 1 - u) (1 - u is exact for u >= 1/2) and
       t = sqrt(-2 log p) in [1.177, 8.572]: z = -Phi^-1(p) is a smooth function of t, given
       by Chebyshev series of degree 13 on MX_ND_PIECES pieces of t (fitted to mpmath's
       quantile; truncation below 5e-16 on each piece), evaluated by Clenshaw's recurrence.
       Within ~1.2e-15 of max(1, |z|) (tests/test_mixture.py checks it against mpmath). No
       branches but the sign: the tile loop vectorises. The twin runs the same operations
       (np.log for fe_log). */
    #define MX_ND_DEG 13
    #define MX_ND_PIECES 8
    static const double mx_nd_edge[MX_ND_PIECES + 1] = {
        1.1774100225154747, 1.45, 1.8,
        2.3, 3.0, 4.0, 5.2, 6.7, 8.6};
    static const double mx_nd_coef[MX_ND_PIECES][MX_ND_DEG + 1] = {
        {-0.195146059965201, -0.19327030751832908, 0.0018090553486967802,
         -6.413910434616458e-05, 2.4542159140708976e-06, -9.938759674253067e-08,
         4.198702361149489e-09, -1.830538568853998e-10, 8.172529278719379e-12,
         -3.7159475942219954e-13, 1.7112759285961868e-14, -8.681011936917532e-16,
         -8.429757128131468e-18, 3.254476643966028e-17},
        {-0.6198348541560769, -0.23116832365759632, 0.0019220021174054143,
         -7.239604910075397e-05, 2.9112196123548096e-06, -1.2306035565375367e-07,
         5.4078081896103224e-09, -2.4488900790873113e-10, 1.1350343858120682e-11,
         -5.357169372353484e-13, 2.5649327043433256e-14, -1.2674895047333839e-15,
         6.242299700442545e-17, 5.859935466652586e-17},
        {-1.1611530701336035, -0.30949123453933014, 0.002400609027055783,
         -0.00010531883420068116, 4.880943695571651e-06, -2.359378681396977e-07,
         1.1798941369303653e-08, -6.064858169416338e-10, 3.187032902516845e-11,
         -1.7046124850068772e-12, 9.250989428825643e-14, -5.128011020196e-15,
         3.0012553773455026e-16, 1.680058456569807e-16},
        {-1.8801787235325835, -0.4090056801073629, 0.0026895807589411872,
         -0.00013194883121066665, 6.774832992984842e-06, -3.599215976144989e-07,
         1.9662625553698597e-08, -1.0997103720877742e-09, 6.273485841418241e-11,
         -3.6382420768709586e-12, 2.14079363971345e-13, -1.2614816350699819e-14,
         9.051102181090817e-16, 2.0591451619001435e-16},
        {-2.846851191435338, -0.5571244887869982, 0.00293547001778706,
         -0.00016112932076607002, 9.191840998032601e-06, -5.388961914567734e-07,
         3.2292110843491355e-08, -1.971342724900342e-09, 1.2231328153425842e-10,
         -7.697308791056432e-12, 4.905886699947037e-13, -3.157986613497587e-14,
         2.062429918955903e-15, 2.9094460383366433e-16},
        {-4.0495114239069325, -0.6459649144734266, 0.0022321687976845257,
         -0.00011517910821438136, 6.149625893358981e-06, -3.35963266078152e-07,
         1.8676649660978272e-08, -1.0532949388689205e-09, 6.014986717987547e-11,
         -3.473583186276601e-12, 2.0263888151816042e-13, -1.1911187869825053e-14,
         6.179105602120883e-16, 1.0673111034867685e-16},
        {-5.484330677382371, -0.7889929913543872, 0.0018826072187497788,
         -9.619983492706635e-05, 5.072802586717398e-06, -2.7303490759772385e-07,
         1.4915600747154443e-08, -8.244095116640951e-10, 4.60160364097482e-11,
         -2.5903716444436717e-12, 1.4725573575173207e-13, -8.22417279024107e-15,
         6.122724131825142e-16, 4.730535927535688e-16},
        {-7.25674696524279, -0.9834939246573036, 0.001632019628698438,
         -8.388010406125301e-05, 4.440020307158602e-06, -2.395203515345433e-07,
         1.3095574398744618e-08, -7.233171879155704e-10, 4.0280302042941196e-11,
         -2.2584893540815778e-12, 1.276436321177484e-13, -6.995481231661698e-15,
         4.4454990384270675e-16, 4.532521842410556e-16}};
    MX_INLINE double mx_ndtri_impl(double u) {
        const double lo = 1.1102230246251565404e-16;   /* 2^-53 */
        double p, t, x, b0, b1 = 0.0, b2 = 0.0, a, b, z;
        int j, k;
        u = u >= lo ? u : lo;
        u = u > 1.0 - lo ? 1.0 - lo : u;
        p = u > 0.5 ? 1.0 - u : u;
        t = sqrt(-2.0 * fe_log(p));
        j = 0;
    #if defined(__GNUC__) && !defined(__clang__)
    #  pragma GCC unroll 8
    #endif
        for (k = 1; k < MX_ND_PIECES; ++k) j += t >= mx_nd_edge[k];
        a = mx_nd_edge[j];
        b = mx_nd_edge[j + 1];
        x = (t - 0.5 * (a + b)) * (2.0 / (b - a));
    #if defined(__GNUC__) && !defined(__clang__)
    #  pragma GCC unroll 16
    #endif
        for (k = MX_ND_DEG; k >= 1; --k) {
            b0 = 2.0 * x * b1 - b2 + mx_nd_coef[j][k];
            b2 = b1;
            b1 = b0;
        }
        z = x * b1 - b2 + mx_nd_coef[j][0];
        return u > 0.5 ? -z : z;
    }

    /* zt[c * T + i] = Phi^-1(u[i * d + c]) for the T rows of u */
    MX_INLINE void mx_tile_ndtri_impl(const double *MX_RESTRICT u, int64_t T, int64_t d,
                                      double *MX_RESTRICT zt) {
        int64_t i, c;
        for (c = 0; c < d; ++c)
            for (i = 0; i < T; ++i) zt[c * T + i] = mx_ndtri_impl(u[i * d + c]);
    }

    #define MX_DEFINE(SUF, ATTR)                                                             \
    static ATTR MX_NOINLINE void mx_tile_logpdf_##SUF(const double *x, int64_t ldx,          \
            int64_t T, int64_t d, int64_t K, const double *logc, const double *means,        \
            const double *chol, double *xt, double *y, double *v, double *m, double *s,      \
            double *out) {                                                                   \
        mx_tile_logpdf_impl(x, ldx, T, d, K, logc, means, chol, xt, y, v, m, s, out);        \
    }                                                                                        \
    static ATTR MX_NOINLINE void mx_tile_sample_##SUF(int64_t g0, int64_t T, int64_t d,      \
            const double *mu, const double *L, uint32_t k0, uint32_t k1, double *zt,         \
            double *u, double *v, double *x, int64_t ldx) {                                  \
        mx_tile_sample_impl(g0, T, d, mu, L, k0, k1, zt, u, v, x, ldx);                      \
    }                                                                                        \
    static ATTR MX_NOINLINE void mx_tile_affine_##SUF(int64_t T, int64_t d, const double *mu, \
            const double *L, double sgn, const double *zt, double *x, int64_t ldx) {         \
        mx_tile_affine_impl(T, d, mu, L, sgn, zt, x, ldx);                                   \
    }                                                                                        \
    static ATTR MX_NOINLINE void mx_tile_ndtri_##SUF(const double *u, int64_t T, int64_t d,  \
            double *zt) {                                                                    \
        mx_tile_ndtri_impl(u, T, d, zt);                                                     \
    }
    MX_DEFINE(base, )
    #if MX_DISPATCH
    MX_DEFINE(avx2, __attribute__((target("avx2,fma"))))
    MX_DEFINE(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma,"
                                            "prefer-vector-width=512"))))
    /* 2: AVX-512 (8 doubles a vector), 1: AVX2+FMA, 0: baseline. FMA contraction may move a
       value by an ulp against the baseline build; every thread takes the same path. */
    static int mx_isa(void) {
        static int have = -1;   /* benign race: every thread computes the same value */
        if (have < 0) {
            __builtin_cpu_init();
            int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
            int avx512 = avx2 && __builtin_cpu_supports("avx512f")
                         && __builtin_cpu_supports("avx512dq")
                         && __builtin_cpu_supports("avx512vl");
            have = avx512 ? 2 : (avx2 ? 1 : 0);
        }
        return have;
    }
    #endif
    /* out[i] = log sum_j exp(logc[j] - |L_j^-1 (x_i - mu_j)|^2 / 2) for the T <= MX_TILE
       points of x (row-major, row stride ldx). xt: d*T, y: d*T, v: K*T, m, s: T. */
    static void mx_tile_logpdf(const double *x, int64_t ldx, int64_t T, int64_t d, int64_t K,
                               const double *logc, const double *means, const double *chol,
                               double *xt, double *y, double *v, double *m, double *s,
                               double *out) {
    #if MX_DISPATCH
        int isa = mx_isa();
        if (isa == 2) {
            mx_tile_logpdf_avx512(x, ldx, T, d, K, logc, means, chol, xt, y, v, m, s, out);
            return;
        }
        if (isa == 1) {
            mx_tile_logpdf_avx2(x, ldx, T, d, K, logc, means, chol, xt, y, v, m, s, out);
            return;
        }
    #endif
        mx_tile_logpdf_base(x, ldx, T, d, K, logc, means, chol, xt, y, v, m, s, out);
    }
    /* scratch of mx_tile_sample: (2 nb + 2) * MX_TILE doubles */
    static inline int64_t mx_sample_scratch(int64_t d) {
        return (int64_t)MX_TILE * (2 * ((d + 1) / 2) + 2);
    }
    static void mx_tile_sample(int64_t g0, int64_t T, int64_t d, const double *mu,
                               const double *L, uint32_t k0, uint32_t k1, double *scratch,
                               double *x, int64_t ldx) {
        double *zt = scratch, *u = scratch + 2 * ((d + 1) / 2) * MX_TILE, *v = u + MX_TILE;
    #if MX_DISPATCH
        int isa = mx_isa();
        if (isa == 2) { mx_tile_sample_avx512(g0, T, d, mu, L, k0, k1, zt, u, v, x, ldx); return; }
        if (isa == 1) { mx_tile_sample_avx2(g0, T, d, mu, L, k0, k1, zt, u, v, x, ldx); return; }
    #endif
        mx_tile_sample_base(g0, T, d, mu, L, k0, k1, zt, u, v, x, ldx);
    }
    /* x = mu + L (sgn z), z in the T-major layout zt[c * T + i] (as mx_tile_sample leaves it
       at the start of its scratch) */
    static void mx_tile_affine(int64_t T, int64_t d, const double *mu, const double *L,
                               double sgn, const double *zt, double *x, int64_t ldx) {
    #if MX_DISPATCH
        int isa = mx_isa();
        if (isa == 2) { mx_tile_affine_avx512(T, d, mu, L, sgn, zt, x, ldx); return; }
        if (isa == 1) { mx_tile_affine_avx2(T, d, mu, L, sgn, zt, x, ldx); return; }
    #endif
        mx_tile_affine_base(T, d, mu, L, sgn, zt, x, ldx);
    }
    /* zt[c * T + i] = Phi^-1(u[i * d + c]) for the T rows of u (row stride d) */
    static void mx_tile_ndtri(const double *u, int64_t T, int64_t d, double *zt) {
    #if MX_DISPATCH
        int isa = mx_isa();
        if (isa == 2) { mx_tile_ndtri_avx512(u, T, d, zt); return; }
        if (isa == 1) { mx_tile_ndtri_avx2(u, T, d, zt); return; }
    #endif
        mx_tile_ndtri_base(u, T, d, zt);
    }

    """
    int64_t MX_TILE
    int64_t mx_scratch(int64_t d, int64_t K) noexcept nogil
    void mx_tile_logpdf(const double *x, int64_t ldx, int64_t T, int64_t d, int64_t K,
                        const double *logc, const double *means, const double *chol,
                        double *xt, double *y, double *v, double *m, double *s,
                        double *out) noexcept nogil
    int64_t mx_sample_scratch(int64_t d) noexcept nogil
    void mx_tile_sample(int64_t g0, int64_t T, int64_t d, const double *mu, const double *L,
                        uint32_t k0, uint32_t k1, double *scratch, double *x,
                        int64_t ldx) noexcept nogil
    void mx_tile_affine(int64_t T, int64_t d, const double *mu, const double *L, double sgn,
                        const double *zt, double *x, int64_t ldx) noexcept nogil
    void mx_tile_ndtri(const double *u, int64_t T, int64_t d, double *zt) noexcept nogil


TILE = 256


def philox_blocks(const uint32_t[:, ::1] ctr, uint32_t key0, uint32_t key1,
                  uint32_t[:, ::1] out):
    cdef Py_ssize_t i
    with nogil:
        for i in range(ctr.shape[0]):
            fp_block(ctr[i, 0], ctr[i, 1], ctr[i, 2], ctr[i, 3], key0, key1, &out[i, 0])


def normals(int64_t start, uint32_t key0, uint32_t key1, double[:, ::1] out):
    cdef Py_ssize_t n = out.shape[0], d = out.shape[1], i, b, nb = (d + 1) // 2
    cdef double z0, z1
    cdef uint64_t g
    with nogil:
        for i in range(n):
            g = <uint64_t>(start + i)
            for b in range(nb):
                fp_normal_pair(<uint32_t>g, <uint32_t>(g >> 32), <uint32_t>b, 0, key0, key1,
                               &z0, &z1)
                out[i, 2 * b] = z0
                if 2 * b + 1 < d:
                    out[i, 2 * b + 1] = z1


def log_density(const double[:, ::1] x, const double[::1] logc, const double[:, ::1] means,
                const double[:, :, ::1] chol, double[::1] out, int n_threads):
    cdef int64_t n = x.shape[0], d = x.shape[1], K = logc.shape[0]
    cdef int64_t ntiles = (n + MX_TILE - 1) // MX_TILE, t, T, s0
    cdef double *buf
    cdef int64_t T0 = MX_TILE
    if n == 0:
        return
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc(mx_scratch(d, K) * sizeof(double))
        if buf != NULL:
            for t in prange(ntiles, schedule="static"):
                s0 = t * T0
                T = n - s0 if n - s0 < T0 else T0
                mx_tile_logpdf(&x[s0, 0], d, T, d, K, &logc[0], &means[0, 0], &chol[0, 0, 0],
                               buf, buf + d * T0, buf + 2 * d * T0, buf + (2 * d + K) * T0,
                               buf + (2 * d + K + 1) * T0, &out[s0])
            free(buf)
    # a failed per-thread allocation leaves its tiles unwritten: the facade pre-fills NaN
    # and reports it


def sample(const int64_t[::1] counts, const double[:, ::1] means, const double[:, :, ::1] chol,
           uint32_t key0, uint32_t key1, double[:, ::1] out, int n_threads):
    cdef int64_t K = counts.shape[0], d = means.shape[1], k, t, nitems = 0, it, T, g0
    cdef int64_t T0 = MX_TILE
    cdef int64_t *item_k
    cdef int64_t *item_g
    cdef int64_t *item_s
    cdef int64_t off = 0
    cdef double *z
    for k in range(K):
        nitems += (counts[k] + T0 - 1) // T0
    if nitems == 0:
        return
    item_k = <int64_t*>malloc(nitems * sizeof(int64_t))
    item_g = <int64_t*>malloc(nitems * sizeof(int64_t))
    item_s = <int64_t*>malloc(nitems * sizeof(int64_t))
    if item_k == NULL or item_g == NULL or item_s == NULL:
        free(item_k)
        free(item_g)
        free(item_s)
        raise MemoryError("mixture sample: out of memory")
    it = 0
    for k in range(K):
        t = 0
        while t < counts[k]:
            item_k[it] = k
            item_g[it] = off + t
            item_s[it] = counts[k] - t if counts[k] - t < T0 else T0
            it += 1
            t += T0
        off += counts[k]
    with nogil, parallel(num_threads=max(1, n_threads)):
        z = <double*>malloc(mx_sample_scratch(d) * sizeof(double))
        if z != NULL:
            for it in prange(nitems, schedule="static"):
                k = item_k[it]
                g0 = item_g[it]
                T = item_s[it]
                mx_tile_sample(g0, T, d, &means[k, 0], &chol[k, 0, 0], key0, key1, z,
                               &out[g0, 0], d)
            free(z)
    free(item_k)
    free(item_g)
    free(item_s)


def kl_mc(const int64_t[::1] counts, uint32_t key0, uint32_t key1,
          const double[::1] p_logc, const double[:, ::1] p_means, const double[:, :, ::1] p_chol,
          const double[::1] q_logc, const double[:, ::1] q_means, const double[:, :, ::1] q_chol,
          double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    """One pair's stratified Monte Carlo: ``kl_mc_batch`` with that single pair (the same
    tiles, samples and merge order), its components' mean and M2 of log p - log q."""
    cdef int64_t[2] p_off
    cdef int64_t[2] q_off
    cdef uint32_t[1][2] key
    p_off[0] = 0
    p_off[1] = counts.shape[0]
    q_off[0] = 0
    q_off[1] = q_logc.shape[0]
    key[0][0] = key0
    key[0][1] = key1
    kl_mc_batch(counts, <int64_t[:2]> p_off, <int64_t[:2]> q_off,
                <uint32_t[:1, :2]> &key[0][0],
                p_logc, p_means, p_chol, q_logc, q_means, q_chol, comp_mean, comp_m2,
                n_threads)


def ndtri(const double[::1] u, double[::1] out):
    """out[i] = Phi^-1(u[i]) with u clipped to [2^-53, 1 - 2^-53] (``mx_ndtri_impl``, through
    the tile function that ``kl_qmc`` uses)."""
    cdef int64_t n = u.shape[0]
    if out.shape[0] != n:
        raise ValueError("ndtri: out must have the length of u")
    if n == 0:
        return
    with nogil:
        mx_tile_ndtri(&u[0], n, 1, &out[0])


cdef int _tiles(const int64_t[::1] counts, int64_t T0, int64_t **item_k, int64_t **item_g,
                int64_t **item_s, int64_t *nitems) noexcept:
    """``stratum_tiles`` of the strata ``counts``."""
    return stratum_tiles(&counts[0], counts.shape[0], T0, item_k, item_g, item_s, nitems)


def kl_mc_pairs(const int64_t[::1] pairs, uint32_t key0, uint32_t key1,
                const double[::1] p_logc, const double[:, ::1] p_means,
                const double[:, :, ::1] p_chol,
                const double[::1] q_logc, const double[:, ::1] q_means,
                const double[:, :, ::1] q_chol,
                double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    """Antithetic Monte Carlo: pair g of component k (g a global pair index, as a sample index
    of ``kl_mc``) is x = mu + L z and x' = mu - L z with z the normals of counter g; per
    component, the mean and sum of squared deviations of the pair means
    (f(x) + f(x')) / 2, f = log p - log q. Tiles of MX_TILE / 2 pairs, merged in order."""
    cdef int64_t K = pairs.shape[0], d = p_means.shape[1], Kq = q_logc.shape[0]
    cdef int64_t Kmax = K if K > Kq else Kq
    cdef int64_t k, nitems = 0, it, T, g0, i
    cdef int failed[1]
    cdef int64_t T0 = MX_TILE
    cdef int64_t TP = MX_TILE // 2
    cdef int64_t *item_k
    cdef int64_t *item_g
    cdef int64_t *item_s
    cdef double *part
    cdef double *buf
    cdef double *xs
    cdef double *lp
    cdef double *lq
    cdef double *sc
    if _tiles(pairs, TP, &item_k, &item_g, &item_s, &nitems) < 0:
        raise MemoryError("mixture kl_mc_pairs: out of memory")
    part = <double*>malloc((2 * nitems + 1) * sizeof(double))
    if part == NULL:
        free(item_k)
        free(item_g)
        free(item_s)
        raise MemoryError("mixture kl_mc_pairs: out of memory")
    failed[0] = 0
    with nogil, parallel(num_threads=max(1, n_threads)):
        # per thread: the tile's 2 T points, log p, log q, then the log-density scratch
        buf = <double*>malloc((T0 * (d + 2) + mx_scratch(d, Kmax)) * sizeof(double))
        if buf == NULL:
            failed[0] = 1
        else:
            xs = buf
            lp = buf + T0 * d
            lq = lp + T0
            sc = lq + T0
            for it in prange(nitems, schedule="dynamic"):
                k = item_k[it]
                g0 = item_g[it]
                T = item_s[it]
                # x = mu + L z in rows 0 .. T - 1 (z stays at the start of sc), then
                # x' = mu - L z in rows T .. 2 T - 1
                mx_tile_sample(g0, T, d, &p_means[k, 0], &p_chol[k, 0, 0], key0, key1,
                               sc, xs, d)
                mx_tile_affine(T, d, &p_means[k, 0], &p_chol[k, 0, 0], -1.0, sc,
                               xs + T * d, d)
                mx_tile_logpdf(xs, d, 2 * T, d, K, &p_logc[0], &p_means[0, 0],
                               &p_chol[0, 0, 0], sc, sc + d * T0, sc + 2 * d * T0,
                               sc + (2 * d + K) * T0, sc + (2 * d + K + 1) * T0, lp)
                mx_tile_logpdf(xs, d, 2 * T, d, Kq, &q_logc[0], &q_means[0, 0],
                               &q_chol[0, 0, 0], sc, sc + d * T0, sc + 2 * d * T0,
                               sc + (2 * d + Kq) * T0, sc + (2 * d + Kq + 1) * T0, lq)
                for i in range(T):
                    lp[i] = 0.5 * ((lp[i] - lq[i]) + (lp[T + i] - lq[T + i]))
                tile_moments(lp, T, &part[2 * it])
            free(buf)
    if failed[0]:
        free(item_k)
        free(item_g)
        free(item_s)
        free(part)
        raise MemoryError("mixture kl_mc_pairs: out of memory for per-thread scratch")
    merge_tiles(item_k, item_s, part, nitems, K, &comp_mean[0], &comp_m2[0])
    free(item_k)
    free(item_g)
    free(item_s)
    free(part)


def kl_qmc(const double[:, ::1] u, const int64_t[::1] counts, const int64_t[::1] comp,
           const double[::1] p_logc, const double[:, ::1] p_means, const double[:, :, ::1] p_chol,
           const double[::1] q_logc, const double[:, ::1] q_means, const double[:, :, ::1] q_chol,
           double[::1] strat_mean, int n_threads):
    """Quasi-Monte Carlo: the rows of u (uniforms in [0, 1]^d) come in strata of counts[s]
    consecutive rows; stratum s maps its rows to x = mu_c + L_c Phi^-1(u) with c = comp[s] (a
    component of p) and strat_mean[s] = the mean of log p(x) - log q(x) over its rows. Tiles
    of MX_TILE rows; tile sums added in tile order."""
    cdef int64_t S = counts.shape[0], d = p_means.shape[1], K = p_logc.shape[0]
    cdef int64_t Kq = q_logc.shape[0]
    cdef int64_t Kmax = K if K > Kq else Kq
    cdef int64_t s, c, nitems = 0, it, T, g0, i
    cdef int failed[1]
    cdef int64_t T0 = MX_TILE
    cdef int64_t *item_k
    cdef int64_t *item_g
    cdef int64_t *item_s
    cdef double *part
    cdef double *buf
    cdef double *xs
    cdef double *lp
    cdef double *lq
    cdef double *sc
    cdef double sm
    if S == 0:
        return
    for s in range(S):
        if comp[s] < 0 or comp[s] >= K or counts[s] < 1:
            raise ValueError("kl_qmc: comp must index p's components, counts must be >= 1")
    if _tiles(counts, T0, &item_k, &item_g, &item_s, &nitems) < 0:
        raise MemoryError("mixture kl_qmc: out of memory")
    if item_g[nitems - 1] + item_s[nitems - 1] != u.shape[0] or u.shape[1] != d:
        free(item_k)
        free(item_g)
        free(item_s)
        raise ValueError("kl_qmc: u must have sum(counts) rows of dimension d")
    part = <double*>malloc((nitems + 1) * sizeof(double))
    if part == NULL:
        free(item_k)
        free(item_g)
        free(item_s)
        raise MemoryError("mixture kl_qmc: out of memory")
    failed[0] = 0
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc((T0 * (d + 2) + mx_scratch(d, Kmax)) * sizeof(double))
        if buf == NULL:
            failed[0] = 1
        else:
            xs = buf
            lp = buf + T0 * d
            lq = lp + T0
            sc = lq + T0
            for it in prange(nitems, schedule="dynamic"):
                c = comp[item_k[it]]
                g0 = item_g[it]
                T = item_s[it]
                mx_tile_ndtri(&u[g0, 0], T, d, sc)
                mx_tile_affine(T, d, &p_means[c, 0], &p_chol[c, 0, 0], 1.0, sc, xs, d)
                mx_tile_logpdf(xs, d, T, d, K, &p_logc[0], &p_means[0, 0], &p_chol[0, 0, 0],
                               sc, sc + d * T0, sc + 2 * d * T0, sc + (2 * d + K) * T0,
                               sc + (2 * d + K + 1) * T0, lp)
                mx_tile_logpdf(xs, d, T, d, Kq, &q_logc[0], &q_means[0, 0], &q_chol[0, 0, 0],
                               sc, sc + d * T0, sc + 2 * d * T0, sc + (2 * d + Kq) * T0,
                               sc + (2 * d + Kq + 1) * T0, lq)
                sm = 0.0
                for i in range(T):
                    sm = sm + (lp[i] - lq[i])
                part[it] = sm
            free(buf)
    if failed[0]:
        free(item_k)
        free(item_g)
        free(item_s)
        free(part)
        raise MemoryError("mixture kl_qmc: out of memory for per-thread scratch")
    it = 0
    for s in range(S):
        sm = 0.0
        while it < nitems and item_k[it] == s:
            sm = sm + part[it]
            it += 1
        strat_mean[s] = sm / <double>counts[s]
    free(item_k)
    free(item_g)
    free(item_s)
    free(part)


def kl_mc_batch(const int64_t[::1] counts, const int64_t[::1] p_off, const int64_t[::1] q_off,
                const uint32_t[:, ::1] keys,
                const double[::1] p_logc, const double[:, ::1] p_means,
                const double[:, :, ::1] p_chol,
                const double[::1] q_logc, const double[:, ::1] q_means,
                const double[:, :, ::1] q_chol,
                double[::1] comp_mean, double[::1] comp_m2, int n_threads):
    """``kl_mc`` for many pairs of one dimension in one parallel loop over (pair, tile).

    Pair t owns p's components p_off[t] .. p_off[t + 1] - 1 (their counts, logc, means, chol
    in the p arrays) and q's components q_off[t] .. q_off[t + 1] - 1, and draws under the key
    keys[t]. The tiles, their samples and the merge order are those of ``kl_mc`` on the pair
    alone, so each pair's comp_mean / comp_m2 are bitwise those of that call."""
    cdef int64_t npairs = keys.shape[0], d = p_means.shape[1], C = counts.shape[0]
    cdef int64_t t, k, tt, off, it, nitems = 0, T, g0, i, Kp, Kq, Kmax = 1
    cdef int failed[1]
    cdef int64_t T0 = MX_TILE
    cdef int64_t *item_t
    cdef int64_t *item_k
    cdef int64_t *item_g
    cdef int64_t *item_s
    cdef double *part
    cdef double *buf
    cdef double *xs
    cdef double *lp
    cdef double *lq
    cdef double *sc
    if p_off.shape[0] != npairs + 1 or q_off.shape[0] != npairs + 1 or p_off[npairs] != C:
        raise ValueError("kl_mc_batch: p_off, q_off must hold npairs + 1 offsets")
    for t in range(npairs):
        Kp = p_off[t + 1] - p_off[t]
        Kq = q_off[t + 1] - q_off[t]
        if Kp < 1 or Kq < 1 or q_off[t + 1] > q_logc.shape[0]:
            raise ValueError("kl_mc_batch: every pair needs components of p and q")
        Kmax = Kp if Kp > Kmax else Kmax
        Kmax = Kq if Kq > Kmax else Kmax
    for k in range(C):
        nitems += (counts[k] + T0 - 1) // T0
    item_t = <int64_t*>malloc((nitems + 1) * sizeof(int64_t))
    item_k = <int64_t*>malloc((nitems + 1) * sizeof(int64_t))
    item_g = <int64_t*>malloc((nitems + 1) * sizeof(int64_t))
    item_s = <int64_t*>malloc((nitems + 1) * sizeof(int64_t))
    part = <double*>malloc((2 * nitems + 1) * sizeof(double))
    if item_t == NULL or item_k == NULL or item_g == NULL or item_s == NULL or part == NULL:
        free(item_t)
        free(item_k)
        free(item_g)
        free(item_s)
        free(part)
        raise MemoryError("mixture kl_mc_batch: out of memory")
    it = 0
    for t in range(npairs):
        off = 0
        for k in range(p_off[t], p_off[t + 1]):
            tt = 0
            while tt < counts[k]:
                item_t[it] = t
                item_k[it] = k
                item_g[it] = off + tt
                item_s[it] = counts[k] - tt if counts[k] - tt < T0 else T0
                it += 1
                tt += T0
            off += counts[k]
    failed[0] = 0
    with nogil, parallel(num_threads=max(1, n_threads)):
        buf = <double*>malloc((T0 * (d + 2) + mx_scratch(d, Kmax)) * sizeof(double))
        if buf == NULL:
            failed[0] = 1
        else:
            xs = buf
            lp = buf + T0 * d
            lq = lp + T0
            sc = lq + T0
            for it in prange(nitems, schedule="dynamic"):
                t = item_t[it]
                k = item_k[it]
                g0 = item_g[it]
                T = item_s[it]
                Kp = p_off[t + 1] - p_off[t]
                Kq = q_off[t + 1] - q_off[t]
                mx_tile_sample(g0, T, d, &p_means[k, 0], &p_chol[k, 0, 0], keys[t, 0],
                               keys[t, 1], sc, xs, d)
                mx_tile_logpdf(xs, d, T, d, Kp, &p_logc[p_off[t]], &p_means[p_off[t], 0],
                               &p_chol[p_off[t], 0, 0], sc, sc + d * T0, sc + 2 * d * T0,
                               sc + (2 * d + Kp) * T0, sc + (2 * d + Kp + 1) * T0, lp)
                mx_tile_logpdf(xs, d, T, d, Kq, &q_logc[q_off[t]], &q_means[q_off[t], 0],
                               &q_chol[q_off[t], 0, 0], sc, sc + d * T0, sc + 2 * d * T0,
                               sc + (2 * d + Kq) * T0, sc + (2 * d + Kq + 1) * T0, lq)
                for i in range(T):
                    lp[i] = lp[i] - lq[i]
                tile_moments(lp, T, &part[2 * it])
            free(buf)
    if failed[0]:
        free(item_t)
        free(item_k)
        free(item_g)
        free(item_s)
        free(part)
        raise MemoryError("mixture kl_mc_batch: out of memory for per-thread scratch")
    merge_tiles(item_k, item_s, part, nitems, C, &comp_mean[0], &comp_m2[0])
    free(item_t)
    free(item_k)
    free(item_g)
    free(item_s)
    free(part)
