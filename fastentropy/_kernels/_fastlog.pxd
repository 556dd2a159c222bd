# A branch-free natural logarithm that compilers can vectorise, and the row loops built on it.
#
# Written from the textbook reduction (no code copied): x = 2^k * m with m in [sqrt(1/2), sqrt 2),
# f = m - 1 (exact by Sterbenz), s = f / (2 + f), and
#     log(1 + f) = 2 atanh(s) = 2s + s R(z),   z = s^2,   R(z) = sum_{j>=1} 2 z^j / (2j + 1).
# With |s| <= 3 - 2 sqrt 2 ~ 0.1716, z <= 0.02944 and ten Taylor terms leave a truncation error
# below 1e-18 relative. The result is assembled as
#     log x = k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f),   hfsq = f^2 / 2,
# so the rounding of s only touches the small correction term (measured <= 1 ulp vs mpmath,
# tests/test_divergence.py). ln2_hi keeps 33 significant bits, so k * ln2_hi is exact.
# Zero, subnormals, inf, NaN and negatives are handled by selects, not branches: subnormals are
# scaled by 2^52 first (exact), and the special values are patched in at the end.
#
# The row loops compute terms leaf by leaf into a small stack block (a loop with no reduction,
# so it vectorises with no relaxed-math flags) and add them in NumPy's pairwise order: the result
# depends only on the row, never on the thread count, and sums match np.sum bit for bit. On
# x86-64 with GCC/clang the loops are compiled a second time for AVX2+FMA and picked at run time
# (__builtin_cpu_supports); elsewhere the baseline build is used. The selects need
# -fno-trapping-math to be if-converted (set for this block only); it changes no values.
#
# The divergence rows (fe_div_row: KL, Jensen-Shannon, Hellinger, chi^2, total variation,
# Renyi) are written as sums of terms of one sign computed from an exact difference p - q, so
# rows that nearly agree keep their relative accuracy; see the comment above fe_div_row's block.
# fe_rel_entr_row and fe_js_row are the KL and JS rows of that block.
from libc.stdint cimport int64_t


cdef extern from *:
    """
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>
    #include <math.h>

    /* Lets GCC if-convert the selects below (FP traps are never enabled by Python/NumPy;
       values are unaffected). Scoped to this block by push/pop. */
    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize("no-trapping-math")
    #endif

    /* x86-64 with GCC/clang: the row loops are also compiled for AVX2+FMA, chosen at run time. */
    #if defined(__GNUC__) && defined(__x86_64__) && !defined(FE_NO_DISPATCH)
    #  define FE_DISPATCH 1
    #else
    #  define FE_DISPATCH 0
    #endif
    #if defined(__GNUC__)
    #  define FE_ALWAYS_INLINE static inline __attribute__((always_inline))
    #else
    #  define FE_ALWAYS_INLINE static inline
    #endif


    FE_ALWAYS_INLINE uint64_t fe_as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
    FE_ALWAYS_INLINE double fe_as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

    FE_ALWAYS_INLINE double fe_log(double x) {
        const double two52 = 4503599627370496.0;
        int tiny = x < 2.2250738585072014e-308;           /* subnormal (or <= 0: patched below) */
        double xscaled = x * two52;
        double xs = tiny ? xscaled : x;
        double kadj = tiny ? 1076.0 : 1024.0;              /* exponent bias + subnormal shift */
        uint64_t ix = fe_as_u64(xs);
        /* kb = k + 1024 where m = xs / 2^k lies in [sqrt(1/2), sqrt 2); always positive here. */
        uint64_t kb = (ix - 0x3fe6a09e667f3bcdULL + 0x4000000000000000ULL) >> 52;
        double m = fe_as_f64(ix - ((kb - 1024ULL) << 52));
        /* int -> double without a 64-bit convert instruction: the magic-number trick */
        double k = (fe_as_f64(0x4330000000000000ULL | kb) - two52) - kadj;
        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double R = z * (0.6666666666666666 + z * (0.4 + z * (0.2857142857142857
                 + z * (0.2222222222222222 + z * (0.18181818181818182 + z * (0.15384615384615385
                 + z * (0.13333333333333333 + z * (0.11764705882352941 + z * (0.10526315789473684
                 + z * 0.09523809523809523)))))))));
        double hfsq = 0.5 * f * f;
        double r = k * 0.6931471804855391
                 - ((hfsq - (s * (hfsq + R) + k * 7.440617110012397e-11)) - f);
        /* specials: log(0) = -inf, log(inf) = inf, log(<0) = log(nan) = nan */
        double special = (x == 0.0) ? -HUGE_VAL : ((x == HUGE_VAL) ? HUGE_VAL : NAN);
        int ok = (x > 0.0) & (x < HUGE_VAL);
        return ok ? r : special;
    }

    /* NumPy's pairwise summation order, so that sums agree with np.sum bit for bit when the
       terms do: fewer than 8 terms are added in sequence; up to FE_LEAF terms go to eight
       interleaved accumulators joined by a fixed tree, the remainder added in sequence; longer
       runs split in two halves at a multiple of 8. The row loops below compute each leaf's
       terms into a small stack buffer (a loop without a reduction, so it vectorises with no
       relaxed-math flags) and sum it with this rule. Thread count never changes the order. */
    #define FE_LEAF 128

    FE_ALWAYS_INLINE double fe_leaf_sum(const double* b, int64_t n) {
        int64_t i, j;
        if (n < 8) {
            double res = 0.0;
            for (i = 0; i < n; i++) res += b[i];
            return res;
        }
        double r[8];
        for (j = 0; j < 8; j++) r[j] = b[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (j = 0; j < 8; j++) r[j] += b[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += b[i];
        return res;
    }

    FE_ALWAYS_INLINE int64_t fe_half(int64_t n) {
        int64_t n2 = n / 2;
        return n2 - n2 % 8;
    }

    /* Leaves (n <= FE_LEAF). Sum; minimum ignoring NaN. */
    FE_ALWAYS_INLINE double fe_sum_leaf(const double* x, int64_t n) {
        return fe_leaf_sum(x, n);
    }
    FE_ALWAYS_INLINE double fe_min_impl(const double* x, int64_t n) {
        double lo[8] = {HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL,
                        HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL};
        int64_t i = 0, j;
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) {
                double v = x[i + j];
                lo[j] = v < lo[j] ? v : lo[j];
            }
        for (j = 0; i + j < n; j++) {
            double v = x[i + j];
            lo[j] = v < lo[j] ? v : lo[j];
        }
        double m = lo[0];
        for (j = 1; j < 8; j++) m = lo[j] < m ? lo[j] : m;
        return m;
    }
    /* -sum p log p over a leaf, p = c / S (scipy's entr: 0 log 0 = 0, NaN propagates). */
    FE_ALWAYS_INLINE double fe_entropy_leaf(const double* c, int64_t n, double S) {
        double buf[FE_LEAF];
        for (int64_t j = 0; j < n; j++) {
            double p = c[j] / S;
            double t = -(p * fe_log(p));
            buf[j] = (p == 0.0) ? 0.0 : t;
        }
        return fe_leaf_sum(buf, n);
    }
    /* Cross-entropy terms over a leaf: -p log q; 0 where p = 0, +inf where p > 0 = q. */
    FE_ALWAYS_INLINE double fe_cross_leaf(const double* a, double Sa, const double* b, double Sb,
                                          int64_t n) {
        double buf[FE_LEAF];
        for (int64_t j = 0; j < n; j++) {
            double p = a[j] / Sa;
            double q = b[j] / Sb;
            double t = -(p * fe_log(q));
            double pos = (q > 0.0) ? t : HUGE_VAL;
            buf[j] = (p > 0.0) ? pos : 0.0;
        }
        return fe_leaf_sum(buf, n);
    }

    #if defined(__GNUC__)
    #  define FE_NOINLINE __attribute__((noinline))
    #else
    #  define FE_NOINLINE
    #endif
    /* The recursive drivers, once per instruction set (ATTR) with suffix SUF. Leaves are kept
       out of line so that the vectorised leaf loop is not cloned into every recursion level. */
    #define FE_DEFINE_DRIVERS(SUF, ATTR)                                                    \
    static ATTR FE_NOINLINE double fe_sumleaf_##SUF(const double* x, int64_t n) {           \
        return fe_sum_leaf(x, n);                                                           \
    }                                                                                       \
    static ATTR FE_NOINLINE double fe_entleaf_##SUF(const double* c, int64_t n, double S) { \
        return fe_entropy_leaf(c, n, S);                                                    \
    }                                                                                       \
    static ATTR FE_NOINLINE double fe_crossleaf_##SUF(const double* a, double Sa,           \
                                                      const double* b, double Sb, int64_t n) {\
        return fe_cross_leaf(a, Sa, b, Sb, n);                                              \
    }                                                                                       \
    static double fe_cross_##SUF(const double* a, double Sa, const double* b, double Sb,    \
                                 int64_t n) {                                               \
        if (n <= FE_LEAF) return fe_crossleaf_##SUF(a, Sa, b, Sb, n);                       \
        int64_t n2 = fe_half(n);                                                            \
        return fe_cross_##SUF(a, Sa, b, Sb, n2)                                             \
             + fe_cross_##SUF(a + n2, Sa, b + n2, Sb, n - n2);                              \
    }                                                                                       \
    static double fe_sum_##SUF(const double* x, int64_t n) {                                \
        if (n <= FE_LEAF) return fe_sumleaf_##SUF(x, n);                                    \
        int64_t n2 = fe_half(n);                                                            \
        return fe_sum_##SUF(x, n2) + fe_sum_##SUF(x + n2, n - n2);                          \
    }                                                                                       \
    static ATTR double fe_min_##SUF(const double* x, int64_t n) {                           \
        return fe_min_impl(x, n);                                                           \
    }                                                                                       \
    static double fe_entropy_##SUF(const double* c, int64_t n, double S) {                  \
        if (n <= FE_LEAF) return fe_entleaf_##SUF(c, n, S);                                 \
        int64_t n2 = fe_half(n);                                                            \
        return fe_entropy_##SUF(c, n2, S) + fe_entropy_##SUF(c + n2, n - n2, S);            \
    }

    /* Column kernels for C-contiguous (n, m) data reduced along axis 0, columns [j0, j0 + w),
       w <= FE_COLS. Rows are added in sequence, starting from the first row: NumPy's order for
       an axis-0 reduction, so sums agree with np.sum(x, axis=0) bit for bit. */
    #define FE_COLS 256
    FE_ALWAYS_INLINE void fe_col_stats_impl(const double* x, int64_t n, int64_t m, int64_t j0,
                                            int64_t w, double* sums, double* mins) {
        const double* row = x + j0;
        for (int64_t k = 0; k < w; k++) {
            sums[k] = 0.0 + row[k];   /* NumPy starts from +0: a -0 sum comes out +0 */
            mins[k] = (row[k] == row[k]) ? row[k] : HUGE_VAL;
        }
        for (int64_t i = 1; i < n; i++) {
            row = x + i * m + j0;
            for (int64_t k = 0; k < w; k++) {
                double v = row[k];
                sums[k] += v;
                mins[k] = v < mins[k] ? v : mins[k];
            }
        }
    }
    FE_ALWAYS_INLINE void fe_col_entropy_terms(const double* row, const double* S, int64_t w,
                                               double* t) {
        for (int64_t k = 0; k < w; k++) {
            double p = row[k] / S[k];
            double v = -(p * fe_log(p));
            t[k] = (p == 0.0) ? 0.0 : v;
        }
    }
    FE_ALWAYS_INLINE void fe_col_entropy_impl(const double* x, int64_t n, int64_t m, int64_t j0,
                                              int64_t w, const double* S, double* out) {
        double acc[FE_COLS], t[FE_COLS], s[FE_COLS];
        int64_t k;
        for (k = 0; k < w; k++) s[k] = S[k];
        fe_col_entropy_terms(x + j0, s, w, acc);
        for (k = 0; k < w; k++) acc[k] = 0.0 + acc[k];   /* as NumPy: from +0 */
        for (int64_t i = 1; i < n; i++) {
            fe_col_entropy_terms(x + i * m + j0, s, w, t);
            for (k = 0; k < w; k++) acc[k] += t[k];
        }
        for (k = 0; k < w; k++) out[k] = acc[k];
    }
    #define FE_DEFINE_COLS(SUF, ATTR)                                                       \
    static ATTR void fe_col_stats_##SUF(const double* x, int64_t n, int64_t m, int64_t j0,  \
                                        int64_t w, double* sums, double* mins) {            \
        fe_col_stats_impl(x, n, m, j0, w, sums, mins);                                      \
    }                                                                                       \
    static ATTR void fe_col_entropy_##SUF(const double* x, int64_t n, int64_t m, int64_t j0,\
                                          int64_t w, const double* S, double* out) {        \
        fe_col_entropy_impl(x, n, m, j0, w, S, out);                                        \
    }
    FE_DEFINE_COLS(base, )
    #if FE_DISPATCH
    FE_DEFINE_COLS(avx2, __attribute__((target("avx2,fma"))))
    #endif

    FE_DEFINE_DRIVERS(base, )
    #if FE_DISPATCH
    FE_DEFINE_DRIVERS(avx2, __attribute__((target("avx2,fma"))))
    static int fe_use_avx2(void) {
        static int have = -1;   /* benign race: every thread computes the same value */
        if (have < 0) {
            __builtin_cpu_init();
            have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        }
        return have;
    }
    #  define FE_PICK(f, args) (fe_use_avx2() ? f##_avx2 args : f##_base args)
    #else
    #  define FE_PICK(f, args) (f##_base args)
    #endif

    /* Row sum (NumPy's order) and row minimum (NaN entries make the sum NaN; the minimum
       ignores them). */
    static inline void fe_sum_min(const double* x, int64_t n, double* sum, double* mn) {
        *sum = 0.0 + FE_PICK(fe_sum, (x, n));   /* NumPy adds the tree to +0: no -0 sums */
        *mn = FE_PICK(fe_min, (x, n));
    }
    static inline double fe_entropy_row(const double* c, int64_t n, double S) {
        return 0.0 + FE_PICK(fe_entropy, (c, n, S));
    }
    static inline double fe_cross_row(const double* a, double Sa, const double* b, double Sb,
                                      int64_t n) {
        return 0.0 + FE_PICK(fe_cross, (a, Sa, b, Sb, n));
    }
    static inline void fe_col_stats(const double* x, int64_t n, int64_t m, int64_t j0,
                                    int64_t w, double* sums, double* mins) {
        FE_PICK(fe_col_stats, (x, n, m, j0, w, sums, mins));
    }
    static inline void fe_col_entropy(const double* x, int64_t n, int64_t m, int64_t j0,
                                      int64_t w, const double* S, double* out) {
        FE_PICK(fe_col_entropy, (x, n, m, j0, w, S, out));
    }

    /* ==========================================================================================
       Divergences that keep their digits when p and q nearly agree.

       Each divergence is a sum over classes of terms of one sign (>= 0; <= 0 for a Renyi sum
       with alpha < 1), each computed from the difference d = p - q without cancellation, so
       rows that agree to 1e-9 (or 1e-14) still give the divergence to ~1e-15 relative.

       The difference. With S the row sum (passed in) and sc a power of two putting h = S*sc in
       [1, 4), x = a*sc is exact; p = x * (1/h) is rounded, but d is taken from the exact cross
       product,
           d = (x h' - y h) / (h h'),   x h' - y h = fl(x h' - w) + (w - y h),  w = fl(y h),
       Kahan's way (w - y h is exact: one FMA, or Dekker's product without FMA): d is the
       difference of the real quotients a/S - b/S' to ~2 ulps of d. The rounding of p itself
       does not enter (p only scales terms that are already small); rows proportional to each
       other with exact sums give d = 0, so exactly 0.

       The row sums. Their rounding, delta = (exact sum)/S - 1 (~1e-16; 0 where the sum is
       exact, as for counts), is a common scale error of the row. Every measure is an
       f-divergence sum q f(p/q) with f(1) = f'(1) = 0, which such an error changes only by a
       relative ~1e-16 plus ~delta^2 absolute; total variation (first order) by ~delta
       absolute. So where that could show, in rows whose divergence comes out below FE_CLOSE
       (1e-14: rows agreeing to ~1e-7 or better) or whose total variation is below 1/200, delta
       is taken from compensated row sums (fe_cascade_sum, in the twin's order, so both give
       the same bits) and the row computed again with d - (p delta_a - q delta_b).

       Terms, with s = d/(p + q) (p/q = (1 + s)/(1 - s)), c = 3 - 2 sqrt 2 (|s| <= c is p/q in
       [1/sqrt 2, sqrt 2]) and R(z) = atanh(s)/s - 1 = sum_{k>=1} z^k/(2k+1), z = s^2:
         KL    p log(p/q) - p + q  =  s (d + 2 p R(z))                  p/q = 2^0 m
                                   =  p (k ln2 + 2 atanh s') - d          p/q = 2^k m, k != 0
               (one reduction p/q = 2^k m, m in [1/sqrt 2, sqrt 2], from the exponents and
               leading digits of p and q; s' = (p - 2^k q)/(p + 2^k q), one division, one series)
         JS    (p log(2p/(p+q)) + q log(2q/(p+q))) / 2
                                   =  (p + q)/4 * z G(z),  G = sum_{k>=1} z^(k-1)/(k(2k-1)),
                                      where |d| <= c (p + q)
                                   =  (p log(2p/(p+q)) + q log(2q/(p+q))) / 2   otherwise
         HELL2 (sqrt p - sqrt q)^2 =  (d / (sqrt p + sqrt q))^2
         CHI2  (p - q)^2 / q       =  d^2 / q
         TV    |p - q|             =  |d|
         RENYI p^a q^(1-a) - a p - (1-a) q  =  q w^2 sum_{k>=2} c_k w^(k-2),  w = log(p/q),
               c_k = (a^k - a)/k!, when |w| and |a w| are <= 1/2;
                                   =  p expm1((a-1) w) - (a-1) d          otherwise
       At each switch the other form would lose at most ~12x eps to cancellation. The series
       are cut where the next term is below 1e-17 relative. Conventions as rel_entr: a term
       with p = 0 is its limit (q for KL), p > 0 = q gives +inf (KL, CHI2; RENYI, a > 1).
       ======================================================================================== */
    /* Contraction (a*b + c fused by the compiler) cannot break the exact steps: they are an
       explicit fma() on targets with FMA, and Dekker's product only where the target has no
       FMA instruction, so there is nothing to fuse (FE_BASE_FMA is 1 whenever the compiler may
       emit FMA for the baseline build: -mfma, -march=native, AArch64, FP_FAST_FMA). */

    #if defined(__FMA__) || defined(FP_FAST_FMA) || defined(__aarch64__)
    #  define FE_BASE_FMA 1
    #else
    #  define FE_BASE_FMA 0
    #endif

    enum { FE_DIV_CROSS = 0, FE_DIV_JS = 1, FE_DIV_TV = 2, FE_DIV_BC = 3, FE_DIV_CHI2 = 4,
           FE_DIV_RENYI = 5, FE_DIV_RENYI0 = 6, FE_DIV_RENYIINF = 7, FE_DIV_RENYIDIRECT = 8,
           FE_DIV_HELL2 = 9, FE_DIV_RENYILSE = 10, FE_DIV_KL = 11, FE_DIV_PSUM = 12 };
    #define FE_RENYI_TERMS 16
    #define FE_RENYI_SERIES_MAX 1e15          /* orders beyond: no series (c_k overflow) */
    #define FE_CLOSE 1e-14                  /* see fe_div_row */
    #define FE_CLOSE_TV 1e-2                /* (2 TV, as summed) */
    #define FE_S_SMALL 0.1715728752538097   /* 3 - 2 sqrt 2: p/q in [1/sqrt 2, sqrt 2] */
    #define FE_SPLIT 134217729.0            /* 2^27 + 1, Veltkamp's splitter */

    /* Working scale: p, q and d are kept multiplied by 2^64 (exact), so a nonzero p is at
       least 2^-1010 and normal (the bit operations of fe_kl_reduce need that); every measure is
       homogeneous of degree 1 in (p, q, d), so the row result is multiplied back by 2^-64. */
    #define FE_WSCALE 18446744073709551616.0      /* 2^64 */
    #define FE_WUNSCALE 5.421010862427522e-20     /* 2^-64 */

    typedef struct { double sc, h, invs, hh, hl; } fe_rownorm;
    typedef struct {
        fe_rownorm A, B;
        double g;                       /* 2^64 / (h_a h_b) = invs_a invs_b 2^-64 */
        double alpha, beta, da, db;
        double wmax;                    /* RENYILSE: max log(p/q) over the support of p */
        const double* coef;
    } fe_divctx;

    /* sc = 2^k, k = 1023 - (biased exponent of S) clamped to [-1022, 1022], so h = S*sc is in
       [1, 4) (in [2^-52, 1) for subnormal S) and x = a*sc is exact with |x| < 4; invs =
       2^64/h (rounded) and the Veltkamp split of h. A sum of 0, inf or NaN gives garbage that
       the facade discards. */
    static fe_rownorm fe_rownorm_make(double S) {
        fe_rownorm r;
        int64_t k = 1023 - (int64_t)((fe_as_u64(S) >> 52) & 0x7ff);
        k = (k > 1022) ? 1022 : ((k < -1022) ? -1022 : k);
        r.sc = fe_as_f64((uint64_t)(k + 1023) << 52);
        r.h = S * r.sc;
        r.invs = FE_WSCALE / r.h;
        double c = FE_SPLIT * r.h;
        r.hh = c - (c - r.h);
        r.hl = r.h - r.hh;
        return r;
    }

    /* The exact error w - x*y of w = fl(x*y), |x| < 4, y pre-split: FMA or Dekker. */
    FE_ALWAYS_INLINE double fe_mul_err(double x, double y, double yh, double yl, double w,
                                       int use_fma) {
        if (use_fma) return fma(-x, y, w);
        double c = FE_SPLIT * x;
        double xh = c - (c - x);
        double xl = x - xh;
        return -((((xh * yh - w) + xh * yl) + xl * yh) + xl * yl);
    }

    /* p = 2^64 a/S_a and q = 2^64 b/S_b (rounded), and their difference from the exact
       cross products: d = 2^64 (x h_b - y h_a) / (h_a h_b), x h_b - y h_a to ~1 ulp
       (Kahan's way: w = fl(y h_a), then fl(x h_b - w) + (w - y h_a), the last term exact). */
    #define FE_CORR 2   /* flag: apply the scale corrections da, db */
    FE_ALWAYS_INLINE void fe_pqd(double a, double b, const fe_divctx* C, int flags,
                                 double* p, double* q, double* d) {
        int use_fma = flags & 1;
        double x = a * C->A.sc, y = b * C->B.sc;
        double w = y * C->A.h;
        double e = fe_mul_err(y, C->A.h, C->A.hh, C->A.hl, w, use_fma);
        double f;
        if (use_fma) {
            f = fma(x, C->B.h, -w);
        } else {
            double P = x * C->B.h;
            f = (P - w) - fe_mul_err(x, C->B.h, C->B.hh, C->B.hl, P, 0);
        }
        *p = x * C->A.invs;
        *q = y * C->B.invs;
        /* less the scale errors, p delta_a - q delta_b written as d delta_a + q (delta_a -
           delta_b): exactly 0 when they are 0, and for identical rows. The selects keep the
           two products from being fused into the sum, so the NumPy twin gets the same bits. */
        double d1 = (f + e) * C->g;
        if (flags & FE_CORR) {
            double dd = C->da - C->db;
            double c1 = (C->da != 0.0) ? d1 * C->da : 0.0;
            double c2 = (dd != 0.0) ? *q * dd : 0.0;
            *d = d1 - (c1 + c2);
        } else {
            *d = d1;
        }
    }

    /* c0 + c1 z + ... + c9 z^9 in Estrin's order (a dependency chain of 5 instead of Horner's 9,
       which keeps the vectorised loops from stalling on latency). */
    FE_ALWAYS_INLINE double fe_poly10(double z, double c0, double c1, double c2, double c3,
                                      double c4, double c5, double c6, double c7, double c8,
                                      double c9) {
        double z2 = z * z;
        double z4 = z2 * z2;
        double z8 = z4 * z4;
        double e0 = c0 + c1 * z, e1 = c2 + c3 * z, e2 = c4 + c5 * z, e3 = c6 + c7 * z;
        double e4 = c8 + c9 * z;
        double f0 = e0 + e1 * z2, f1 = e2 + e3 * z2;
        return (f0 + f1 * z4) + e4 * z8;
    }
    /* atanh(s)/s - 1 = sum_{k>=1} z^k/(2k+1), z = s^2 <= 0.0295 (next term < 7e-17 relative) */
    FE_ALWAYS_INLINE double fe_atanh_R(double z) {
        return z * fe_poly10(z, 1.0/3.0, 1.0/5.0, 1.0/7.0, 1.0/9.0, 1.0/11.0, 1.0/13.0,
                             1.0/15.0, 1.0/17.0, 1.0/19.0, 1.0/21.0);
    }
    /* ((1+s)log(1+s) + (1-s)log(1-s))/s^2 = sum_{k>=1} z^(k-1)/(k(2k-1)), z = s^2 <= 0.0295 */
    FE_ALWAYS_INLINE double fe_js_G(double z) {
        return fe_poly10(z, 1.0, 1.0/6.0, 1.0/15.0, 1.0/28.0, 1.0/45.0, 1.0/66.0, 1.0/91.0,
                         1.0/120.0, 1.0/153.0, 1.0/190.0);
    }
    /* KL term. log(p/q) = k ln2 + 2 atanh(s), s = (p - 2^k q)/(p + 2^k q), with k taken from
       the exponents and leading digits of p and q so that p/(2^k q) lies in [1/sqrt 2, sqrt 2]:
       one division and one series serve both forms. Where k = 0, s = d/(p + q) from the exact
       difference and the term is s (d + 2 p R); elsewhere p log(p/q) - d. In the working scale
       a p or q below DBL_MIN stands for a probability below 2^-1086 and is taken as 0. */
    #define FE_SQRT2 1.4142135623730951
    #define FE_DBL_MIN 2.2250738585072014e-308
    /* The reduction: s and k (as a double) with p/q = 2^k (1 + s)/(1 - s). */
    FE_ALWAYS_INLINE void fe_kl_reduce(double p, double q, double d, double* s, double* kd) {
        const uint64_t mant = 0x000fffffffffffffULL, one = 0x3ff0000000000000ULL;
        uint64_t ip = fe_as_u64(p), iq = fe_as_u64(q);
        double mp = fe_as_f64((ip & mant) | one), mq = fe_as_f64((iq & mant) | one);
        int64_t j = (mp >= FE_SQRT2 * mq) ? 1 : ((mq > FE_SQRT2 * mp) ? -1 : 0);
        int64_t k = (int64_t)(ip >> 52) - (int64_t)(iq >> 52) + j;
        double q2 = fe_as_f64(iq + ((uint64_t)k << 52));      /* 2^k q, within sqrt 2 of p */
        int64_t k0 = (k == 0);
        *s = (k0 ? d : p - q2) / (k0 ? p + q : p + q2);
        *kd = (fe_as_f64(0x4330000000000000ULL | (uint64_t)(k + 4096)) - 4503599627370496.0)
              - 4096.0;
    }
    /* log(p/q) from the reduction (the logarithm inside the KL terms; exposed for accuracy
       tests): k ln2 + 2 atanh(s), with d = p - q (exact by Sterbenz wherever k = 0). Domain:
       p and q in [2^-1000, 2^1000], where the KL terms use it (2^k q must stay a normal
       number); NaN outside. */
    FE_ALWAYS_INLINE double fe_log_ratio(double p, double q) {
        double s, kd;
        fe_kl_reduce(p, q, p - q, &s, &kd);
        double s2 = 2.0 * s;
        double r = kd * 0.6931471804855391
                 + (kd * 7.440617110012397e-11 + (s2 + s2 * fe_atanh_R(s * s)));
        const double lo = 9.332636185032189e-302, hi = 1.0715086071862673e301;  /* 2^-+1000 */
        return ((p >= lo) & (q >= lo) & (p <= hi) & (q <= hi)) ? r : NAN;
    }
    /* The term from the reduction: s (d + 2 p R) where k = 0, else p (k ln2 + 2 atanh s) - d;
       p = 0 gives q, p > 0 = q gives +inf, NaN propagates. */
    FE_ALWAYS_INLINE double fe_kl_finish(double p, double q, double d, double s, double kd) {
        double pk = p * (kd * 0.6931471804855391 + kd * 7.440617110012397e-11) - d;
        double R = fe_atanh_R(s * s);
        double s2 = 2.0 * s;
        double small = s * (d + 2.0 * p * R);
        double big = pk + p * (s2 + s2 * R);
        double sg = p + q;
        double spec = (p >= FE_DBL_MIN) ? HUGE_VAL : q;
        spec = (sg != sg) ? NAN : spec;
        double t = (kd == 0.0) ? small : big;
        return ((p >= FE_DBL_MIN) & (q >= FE_DBL_MIN)) ? t : spec;
    }
    /* Jensen-Shannon special values: p = q = 0 gives 0, NaN propagates. */
    FE_ALWAYS_INLINE double fe_js_special(double p, double q, double t) {
        double sg = p + q;
        double spec = (sg != sg) ? NAN : 0.0;
        return (sg > 0.0) ? t : spec;
    }
    FE_ALWAYS_INLINE double fe_hell2_term(double p, double q, double d) {
        double r = sqrt(p) + sqrt(q);
        double h = d / r;
        double t = (r > 0.0) ? h * h : 0.0;
        return ((p != p) | (q != q)) ? NAN : t;
    }
    /* (unscaled here, not at the end of the row: chi^2 can be as large as the doubles go) */
    FE_ALWAYS_INLINE double fe_chi2_term(double p, double q, double d) {
        double t = (q > 0.0) ? (d * FE_WUNSCALE) * (d / q) : ((p > 0.0) ? HUGE_VAL : 0.0);
        return ((p != p) | (q != q)) ? NAN : t;
    }

    /* One Renyi term (scalar: libm log1p/expm1/exp), unscaled here like chi^2. direct:
       p^a q^(1-a) itself. */
    FE_ALWAYS_INLINE double fe_renyi_term(double p, double q, double d, const fe_divctx* C,
                                          int direct) {
        double a = C->alpha, be = C->beta, t;
        if ((p != p) | (q != q)) return NAN;
        if (p > 0.0 && q > 0.0) {
            double u = d / q;
            double w = (fabs(u) <= 0.5) ? log1p(u) : log(p / q);
            if (direct) {
                t = p * exp(be * w);
            } else if (fabs(w) <= 0.5 && fabs(a * w) <= 0.5 && a <= FE_RENYI_SERIES_MAX) {
                const double* c = C->coef;
                double h = c[FE_RENYI_TERMS - 1];
                for (int k = FE_RENYI_TERMS - 2; k >= 0; k--) h = c[k] + w * h;
                t = q * ((w * w) * h);
            } else {
                t = p * expm1(be * w) - be * d;
            }
        } else if (p > 0.0) {
            t = (a > 1.0) ? HUGE_VAL : (direct ? 0.0 : -a * p);
        } else {
            t = direct ? 0.0 : be * q;
        }
        return t * FE_WUNSCALE;
    }

    /* Leaves (n <= FE_LEAF): terms into a stack block, then NumPy's pairwise leaf sum. */
    #define FE_DIV_LEAF(NAME, TERM)                                                         \
    FE_ALWAYS_INLINE double NAME(const double* a, const double* b, int64_t n,               \
                                 const fe_divctx* C, int flags) {                         \
        double buf[FE_LEAF];                                                                \
        for (int64_t j = 0; j < n; j++) {                                                   \
            double p, q, d;                                                                 \
            fe_pqd(a[j], b[j], C, flags, &p, &q, &d);                                     \
            buf[j] = TERM;                                                                  \
        }                                                                                   \
        return fe_leaf_sum(buf, n);                                                         \
    }
    FE_DIV_LEAF(fe_hell2_leaf, fe_hell2_term(p, q, d))
    FE_DIV_LEAF(fe_chi2_leaf, fe_chi2_term(p, q, d))
    FE_DIV_LEAF(fe_tv_leaf, fabs(d))
    FE_DIV_LEAF(fe_bc_leaf, sqrt(p) * sqrt(q))
    FE_DIV_LEAF(fe_renyi_leaf, fe_renyi_term(p, q, d, C, 0))
    FE_DIV_LEAF(fe_renyid_leaf, fe_renyi_term(p, q, d, C, 1))
    FE_DIV_LEAF(fe_renyi0_leaf, (p > 0.0) ? 0.0 : q)
    FE_DIV_LEAF(fe_psum_leaf, p)
    /* scalar, libm: p exp((a - 1)(w - w_max)), w = log(p/q) as in fe_renyi_term */
    FE_ALWAYS_INLINE double fe_renyilse_term(double p, double q, double d, const fe_divctx* C) {
        if (!(p > 0.0)) return 0.0;
        double u = d / q;
        double w = (fabs(u) <= 0.5) ? log1p(u) : log(p / q);
        return p * exp(C->beta * (w - C->wmax));
    }
    FE_DIV_LEAF(fe_renyilse_leaf, fe_renyilse_term(p, q, d, C))

    /* Ask for the leaf after next while this one computes (the leaves read their inputs in
       a first short loop, then compute from the stack, which leaves the memory bus idle).
       Prefetching past the end of the arrays is harmless. */
    #if defined(__GNUC__)
    #  define FE_PREFETCH(addr) __builtin_prefetch((addr), 0, 3)
    #else
    #  define FE_PREFETCH(addr) ((void)0)
    #endif
    FE_ALWAYS_INLINE void fe_prefetch_next(const double* a, const double* b, int64_t n) {
        for (int64_t j = 0; j < n; j += 8) {
            FE_PREFETCH(a + 2 * n + j);
            FE_PREFETCH(b + 2 * n + j);
        }
    }

    /* KL leaf in two loops (fewer live registers than one: it runs ~1.3x faster): the
       normalisation and the reduction of p/q, then the series and the two forms. */
    FE_ALWAYS_INLINE double fe_kl_leaf(const double* a, const double* b, int64_t n,
                                       const fe_divctx* C, int flags) {
        double P[FE_LEAF], Q[FE_LEAF], D[FE_LEAF], S[FE_LEAF], K[FE_LEAF];
        int64_t j;
        for (j = 0; j < n; j++) {
            fe_pqd(a[j], b[j], C, flags, &P[j], &Q[j], &D[j]);
            fe_kl_reduce(P[j], Q[j], D[j], &S[j], &K[j]);
        }
        fe_prefetch_next(a, b, n);
        for (j = 0; j < n; j++) D[j] = fe_kl_finish(P[j], Q[j], D[j], S[j], K[j]);
        return fe_leaf_sum(D, n);
    }

    /* Jensen-Shannon leaf, in three short loops (fewer live registers than one long one):
       normalise and count the close classes (|p - q| <= c (p + q)); the logarithmic form
       unless all are close; the series over the close ones, if any. */
    FE_ALWAYS_INLINE double fe_jsd_leaf(const double* a, const double* b, int64_t n,
                                        const fe_divctx* C, int flags) {
        double P[FE_LEAF], Q[FE_LEAF], D[FE_LEAF], buf[FE_LEAF];
        int64_t j, nclose = 0;
        for (j = 0; j < n; j++) {
            double p, q, d;
            fe_pqd(a[j], b[j], C, flags, &p, &q, &d);
            P[j] = p;
            Q[j] = q;
            D[j] = d;
            nclose += (fabs(d) <= FE_S_SMALL * (p + q));
        }
        fe_prefetch_next(a, b, n);
        if (nclose < n) {
            for (j = 0; j < n; j++) {
                double p = P[j], q = Q[j];
                double is = 1.0 / (p + q);
                double lp = fe_log(2.0 * p * is), lq = fe_log(2.0 * q * is);
                double tp = (p > 0.0) ? p * lp : 0.0;
                double tq = (q > 0.0) ? q * lq : 0.0;
                buf[j] = 0.5 * (tp + tq);
            }
        }
        if (nclose > 0) {
            for (j = 0; j < n; j++) {
                double p = P[j], q = Q[j], d = D[j];
                double sg = p + q;
                double s = d / sg;
                double z = s * s;
                double small = 0.25 * sg * z * fe_js_G(z);
                buf[j] = (nclose == n || fabs(d) <= FE_S_SMALL * sg) ? small : buf[j];
            }
        }
        for (j = 0; j < n; j++) buf[j] = fe_js_special(P[j], Q[j], buf[j]);
        return fe_leaf_sum(buf, n);
    }

    FE_ALWAYS_INLINE double fe_div_leaf(const double* a, const double* b, int64_t n,
                                        const fe_divctx* C, int m, int flags) {
        switch (m) {
            case FE_DIV_KL: return fe_kl_leaf(a, b, n, C, flags);
            case FE_DIV_JS: return fe_jsd_leaf(a, b, n, C, flags);
            case FE_DIV_HELL2: return fe_hell2_leaf(a, b, n, C, flags);
            case FE_DIV_CHI2: return fe_chi2_leaf(a, b, n, C, flags);
            case FE_DIV_TV: return fe_tv_leaf(a, b, n, C, flags);
            case FE_DIV_BC: return fe_bc_leaf(a, b, n, C, flags);
            case FE_DIV_RENYI: return fe_renyi_leaf(a, b, n, C, flags);
            case FE_DIV_RENYIDIRECT: return fe_renyid_leaf(a, b, n, C, flags);
            case FE_DIV_RENYI0: return fe_renyi0_leaf(a, b, n, C, flags);
            case FE_DIV_RENYILSE: return fe_renyilse_leaf(a, b, n, C, flags);
            case FE_DIV_PSUM: return fe_psum_leaf(a, b, n, C, flags);
            default: return NAN;
        }
    }

    /* Compensated sum (TwoSum in 8 lanes, lanes joined by TwoSum): hi + lo = sum x with an
       error below ~(n/8)^2 eps^2 sum x (x >= 0). */
    FE_ALWAYS_INLINE void fe_sum2_impl(const double* x, int64_t n, double* hi, double* lo) {
        double s[8] = {0, 0, 0, 0, 0, 0, 0, 0}, c[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t i = 0, j;
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) {
                double v = x[i + j], t = s[j] + v, bv = t - s[j];
                c[j] += (s[j] - (t - bv)) + (v - bv);
                s[j] = t;
            }
        for (j = 0; i + j < n; j++) {
            double v = x[i + j], t = s[j] + v, bv = t - s[j];
            c[j] += (s[j] - (t - bv)) + (v - bv);
            s[j] = t;
        }
        double S = s[0], L = c[0];
        for (j = 1; j < 8; j++) {
            double t = S + s[j], bv = t - S;
            L += ((S - (t - bv)) + (s[j] - bv)) + c[j];
            S = t;
        }
        *hi = S;
        *lo = L;
    }

    #define FE_DEFINE_DIV(SUF, ATTR, USE_FMA)                                               \
    static ATTR FE_NOINLINE double fe_divleaf_##SUF(const double* a, const double* b,       \
                                                    int64_t n, const fe_divctx* C, int m) { \
        if (C->da != 0.0 || C->db != 0.0) return fe_div_leaf(a, b, n, C, m, USE_FMA | FE_CORR);\
        return fe_div_leaf(a, b, n, C, m, USE_FMA);                                         \
    }                                                                                       \
    static double fe_div_##SUF(const double* a, const double* b, int64_t n,                 \
                               const fe_divctx* C, int m) {                                 \
        if (n <= FE_LEAF) return fe_divleaf_##SUF(a, b, n, C, m);                           \
        int64_t n2 = fe_half(n);                                                            \
        return fe_div_##SUF(a, b, n2, C, m) + fe_div_##SUF(a + n2, b + n2, n - n2, C, m);   \
    }                                                                                       \
    static ATTR void fe_sum2_##SUF(const double* x, int64_t n, double* hi, double* lo) {    \
        fe_sum2_impl(x, n, hi, lo);                                                         \
    }
    FE_DEFINE_DIV(base, , FE_BASE_FMA)
    #if FE_DISPATCH
    FE_DEFINE_DIV(avx2, __attribute__((target("avx2,fma"))), 1)
    #endif

    /* hi + lo = sum x (x >= 0) to ~eps^2, by the NumPy twin's cascade, so both get the same
       bits: level by level, adjacent pairs are added error-free (TwoSum), an odd level padded
       with a 0; each level's errors are summed in NumPy's pairwise order (fe_sum) into lo.
       buf holds n + 1 doubles, err (n + 1) / 2. */
    static void fe_cascade_sum(const double* x, int64_t n, double* buf, double* err,
                               double* hi, double* lo) {
        int64_t m = n, i;
        double L = 0.0;
        const double* src = x;      /* the first level reads the row itself */
        if (n == 1) buf[0] = x[0];
        while (m > 1) {
            int64_t h = m / 2;
            for (i = 0; i < h; i++) {
                double a = src[2 * i], b = src[2 * i + 1];
                double s = a + b, bv = s - a;
                err[i] = (a - (s - bv)) + (b - bv);
                buf[i] = s;
            }
            if (m & 1) {        /* the odd one out, paired with 0: itself, error 0 */
                buf[h] = src[m - 1] + 0.0;   /* as NumPy's x + 0 (a -0 becomes +0) */
                err[h++] = 0.0;
            }
            L += FE_PICK(fe_sum, (err, h));
            src = buf;
            m = h;
        }
        *hi = (n > 0) ? buf[0] : 0.0;
        *lo = L;
    }

    /* delta = (exact sum)/S - 1 of a row: the scale error of its rounded sum. buf: scratch of
       fe_cascade_sum, or NULL (out of memory) for the 8-lane compensated sum instead (as
       accurate, other bits). */
    static double fe_row_delta(const double* x, int64_t n, const fe_rownorm* N, double* buf) {
        double hi, lo;
        if (buf != NULL) {
            fe_cascade_sum(x, n, buf, buf + n + 1, &hi, &lo);
        } else {
            FE_PICK(fe_sum2, (x, n, &hi, &lo));
        }
        double L = (hi * N->sc - N->h) + lo * N->sc;   /* exact sum - S, scaled */
        return (L * FE_WUNSCALE) * N->invs;
    }
    #define FE_STACK_ROW 512
    static void fe_row_deltas(const double* a, const double* b, int64_t n, fe_divctx* C) {
        double small[FE_STACK_ROW + 1 + (FE_STACK_ROW + 2) / 2];
        double* buf = (n <= FE_STACK_ROW) ? small
                    : (double*)malloc(sizeof(double) * (size_t)(n + 1 + (n + 2) / 2));
        C->da = fe_row_delta(a, n, &C->A, buf);
        C->db = fe_row_delta(b, n, &C->B, buf);
        if (buf != small) free(buf);
    }

    /* Renyi series coefficients c_k = (a^k - a)/k!, k = 2..FE_RENYI_TERMS+1. */
    static inline void fe_renyi_coef(double alpha, double* coef) {
        double lg = (alpha > 0.5 && alpha < 2.0) ? log1p(alpha - 1.0) : log(alpha);
        double fact = 1.0;
        for (int k = 2; k <= FE_RENYI_TERMS + 1; k++) {
            fact *= (double)k;
            /* (beyond FE_RENYI_SERIES_MAX the series is not used; its c_k would overflow) */
            coef[k - 2] = (alpha <= FE_RENYI_SERIES_MAX)
                          ? alpha * expm1((double)(k - 1) * lg) / fact : 0.0;
        }
    }

    /* The Renyi divergence itself for alpha > 1 where sum p^a q^(1-a) overflows: in
       log-sum-exp form, w_max + log(sum p exp((a - 1)(w - w_max)) / sum p) / (a - 1),
       w = log(p/q), w_max its maximum over the support of p (+inf where some p > 0 meets
       q = 0). Both sums in NumPy's pairwise order (exactly 0 for equal rows). */
    static double fe_renyi_lse_row(const double* a, const double* b, int64_t n, fe_divctx* C) {
        double umax = -HUGE_VAL;
        for (int64_t j = 0; j < n; j++) {
            double p, q, d;
            fe_pqd(a[j], b[j], C, FE_BASE_FMA, &p, &q, &d);
            if ((p != p) | (q != q)) return NAN;
            double u = (q > 0.0) ? d / q : HUGE_VAL;
            if (p > 0.0 && u > umax) umax = u;
        }
        if (umax == HUGE_VAL) return HUGE_VAL;
        C->wmax = log1p(umax);
        double acc = 0.0 + FE_PICK(fe_div, (a, b, n, C, FE_DIV_RENYILSE));
        double tot = 0.0 + FE_PICK(fe_div, (a, b, n, C, FE_DIV_PSUM));
        return C->wmax + log(acc / tot) / C->beta;
    }

    /* One row of measure m (codes FE_DIV_*; CROSS is fe_cross_row). RENYIINF gives the maximum
       over the support of p of d/q (+inf where q = 0), RENYI0 the mass of q off the support of
       p, TV the full (1/2) sum |p - q|; the others the sums of their terms above. */
    static inline double fe_div_row(const double* a, double Sa, const double* b, double Sb,
                                    int64_t n, int m, double alpha, const double* coef) {
        fe_divctx C;
        C.A = fe_rownorm_make(Sa);
        C.B = fe_rownorm_make(Sb);
        C.g = (C.A.invs * C.B.invs) * FE_WUNSCALE;     /* 2^64/(h_a h_b), rounded */
        C.alpha = alpha;
        C.beta = alpha - 1.0;
        C.coef = coef;
        C.da = 0.0;
        C.db = 0.0;
        C.wmax = 0.0;
        if (m == FE_DIV_RENYIINF) {
            double best = -HUGE_VAL;
            for (int64_t j = 0; j < n; j++) {
                double p, q, d;
                fe_pqd(a[j], b[j], &C, FE_BASE_FMA, &p, &q, &d);
                double u = (q > 0.0) ? d / q : HUGE_VAL;
                if ((p != p) | (q != q)) return NAN;
                if (p > 0.0 && u > best) best = u;
            }
            return best;
        }
        if (m == FE_DIV_RENYILSE) return fe_renyi_lse_row(a, b, n, &C);
        double r = 0.0 + FE_PICK(fe_div, (a, b, n, &C, m));     /* +0 start, as NumPy */
        if (m == FE_DIV_KL || m == FE_DIV_JS || m == FE_DIV_HELL2 || m == FE_DIV_CHI2
                || m == FE_DIV_RENYI || m == FE_DIV_TV) {
            /* Rows this close (a value below the tolerance): the scale error of the row sums
               (~1e-16; in the value ~1e-32 absolute, first order ~1e-16 for TV) is removed
               too, from compensated sums, and the row computed again. */
            double v = (m == FE_DIV_CHI2 || m == FE_DIV_RENYI) ? r : FE_WUNSCALE * r;
            double tol = (m == FE_DIV_TV) ? FE_CLOSE_TV
                       : FE_CLOSE * ((m == FE_DIV_RENYI && alpha > 1.0) ? alpha * alpha : 1.0);
            if (fabs(v) < tol) {
                fe_row_deltas(a, b, n, &C);
                r = 0.0 + FE_PICK(fe_div, (a, b, n, &C, m));
            }
        }
        if (m == FE_DIV_CHI2 || m == FE_DIV_RENYI || m == FE_DIV_RENYIDIRECT) return r;
        return ((m == FE_DIV_TV) ? 0.5 * FE_WUNSCALE : FE_WUNSCALE) * r;
    }
    /* The row functions of earlier versions, now computed by the accurate forms above. */
    static inline double fe_rel_entr_row(const double* a, double Sa, const double* b,
                                         double Sb, int64_t n) {
        return fe_div_row(a, Sa, b, Sb, n, FE_DIV_KL, 1.0, NULL);
    }
    static inline double fe_js_row(const double* a, double Sa, const double* b, double Sb,
                                   int64_t n) {
        return fe_div_row(a, Sa, b, Sb, n, FE_DIV_JS, 1.0, NULL);
    }

    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    double fe_log(double x) noexcept nogil
    void fe_sum_min(const double* x, int64_t n, double* sum, double* mn) noexcept nogil
    double fe_entropy_row(const double* c, int64_t n, double S) noexcept nogil
    double fe_rel_entr_row(const double* a, double Sa, const double* b, double Sb,
                           int64_t n) noexcept nogil
    double fe_js_row(const double* a, double Sa, const double* b, double Sb,
                     int64_t n) noexcept nogil
    double fe_cross_row(const double* a, double Sa, const double* b, double Sb,
                        int64_t n) noexcept nogil
    int FE_COLS
    void fe_col_stats(const double* x, int64_t n, int64_t m, int64_t j0, int64_t w,
                      double* sums, double* mins) noexcept nogil
    void fe_col_entropy(const double* x, int64_t n, int64_t m, int64_t j0, int64_t w,
                        const double* S, double* out) noexcept nogil
    enum:
        FE_DIV_CROSS
        FE_DIV_JS
        FE_DIV_TV
        FE_DIV_BC
        FE_DIV_CHI2
        FE_DIV_RENYI
        FE_DIV_RENYI0
        FE_DIV_RENYIINF
        FE_DIV_RENYIDIRECT
        FE_DIV_HELL2
        FE_DIV_KL
        FE_RENYI_TERMS
    double fe_div_row(const double* a, double Sa, const double* b, double Sb, int64_t n,
                      int m, double alpha, const double* coef) noexcept nogil
    void fe_renyi_coef(double alpha, double* coef) noexcept nogil
    double fe_log_ratio(double p, double q) noexcept nogil
