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
# depends only on the row, never on the thread count, and sums match np.sum bit for bit. On x86-64 with GCC/clang the
# loops are compiled a second time for AVX2+FMA and picked at run time (__builtin_cpu_supports);
# elsewhere the baseline build is used. The selects need -fno-trapping-math to be if-converted
# (set for this block only); it changes no values.
from libc.stdint cimport int64_t


cdef extern from *:
    """
    #include <stdint.h>
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


    static inline uint64_t fe_as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
    static inline double fe_as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

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
        double lo[8] = {HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL};
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
    /* sum rel_entr(p, q) over a leaf, p = a / Sa, q = b / Sb (scipy.special.rel_entr). */
    FE_ALWAYS_INLINE double fe_rel_entr_leaf(const double* a, double Sa, const double* b, double Sb,
                                             int64_t n) {
        double buf[FE_LEAF];
        for (int64_t j = 0; j < n; j++) {
            double p = a[j] / Sa;
            double q = b[j] / Sb;
            double t = p * fe_log(p / q);
            int zero = (p == 0.0) & (q >= 0.0);
            int nan = (p != p) | (q != q);
            double other = zero ? 0.0 : (nan ? NAN : HUGE_VAL);
            buf[j] = ((p > 0.0) & (q > 0.0)) ? t : other;
        }
        return fe_leaf_sum(buf, n);
    }

    /* The recursive drivers, once per instruction set (ATTR) with suffix SUF. */
    /* Jensen-Shannon terms over a leaf: (p log(p/m) + q log(q/m)) / 2, m = (p + q) / 2. */
    FE_ALWAYS_INLINE double fe_js_leaf(const double* a, double Sa, const double* b, double Sb,
                                       int64_t n) {
        double buf[FE_LEAF];
        for (int64_t j = 0; j < n; j++) {
            double p = a[j] / Sa;
            double q = b[j] / Sb;
            double m = 0.5 * (p + q);
            double tp = p * fe_log(p / m);
            double tq = q * fe_log(q / m);
            buf[j] = 0.5 * (((p > 0.0) ? tp : 0.0) + ((q > 0.0) ? tq : 0.0));
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
    static ATTR FE_NOINLINE double fe_relleaf_##SUF(const double* a, double Sa,             \
                                                    const double* b, double Sb, int64_t n) {\
        return fe_rel_entr_leaf(a, Sa, b, Sb, n);                                           \
    }                                                                                       \
    static ATTR FE_NOINLINE double fe_jsleaf_##SUF(const double* a, double Sa,              \
                                                   const double* b, double Sb, int64_t n) { \
        return fe_js_leaf(a, Sa, b, Sb, n);                                                 \
    }                                                                                       \
    static ATTR FE_NOINLINE double fe_crossleaf_##SUF(const double* a, double Sa,           \
                                                      const double* b, double Sb, int64_t n) {\
        return fe_cross_leaf(a, Sa, b, Sb, n);                                              \
    }                                                                                       \
    static double fe_js_##SUF(const double* a, double Sa, const double* b, double Sb,       \
                              int64_t n) {                                                  \
        if (n <= FE_LEAF) return fe_jsleaf_##SUF(a, Sa, b, Sb, n);                          \
        int64_t n2 = fe_half(n);                                                            \
        return fe_js_##SUF(a, Sa, b, Sb, n2) + fe_js_##SUF(a + n2, Sa, b + n2, Sb, n - n2); \
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
    }                                                                                       \
    static double fe_rel_entr_##SUF(const double* a, double Sa, const double* b,            \
                                    double Sb, int64_t n) {                                 \
        if (n <= FE_LEAF) return fe_relleaf_##SUF(a, Sa, b, Sb, n);                         \
        int64_t n2 = fe_half(n);                                                            \
        return fe_rel_entr_##SUF(a, Sa, b, Sb, n2)                                          \
             + fe_rel_entr_##SUF(a + n2, Sa, b + n2, Sb, n - n2);                           \
    }

    /* Column kernels for C-contiguous (n, m) data reduced along axis 0, columns [j0, j0 + w),
       w <= FE_COLS. Rows are added in sequence, starting from the first row: NumPy's order for
       an axis-0 reduction, so sums agree with np.sum(x, axis=0) bit for bit. */
    #define FE_COLS 256
    FE_ALWAYS_INLINE void fe_col_stats_impl(const double* x, int64_t n, int64_t m, int64_t j0,
                                            int64_t w, double* sums, double* mins) {
        const double* row = x + j0;
        for (int64_t k = 0; k < w; k++) {
            sums[k] = row[k];
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
    static void fe_sum_min(const double* x, int64_t n, double* sum, double* mn) {
        *sum = FE_PICK(fe_sum, (x, n));
        *mn = FE_PICK(fe_min, (x, n));
    }
    static double fe_entropy_row(const double* c, int64_t n, double S) {
        return FE_PICK(fe_entropy, (c, n, S));
    }
    static double fe_rel_entr_row(const double* a, double Sa, const double* b, double Sb,
                                  int64_t n) {
        return FE_PICK(fe_rel_entr, (a, Sa, b, Sb, n));
    }

    static double fe_js_row(const double* a, double Sa, const double* b, double Sb, int64_t n) {
        return FE_PICK(fe_js, (a, Sa, b, Sb, n));
    }
    static double fe_cross_row(const double* a, double Sa, const double* b, double Sb,
                               int64_t n) {
        return FE_PICK(fe_cross, (a, Sa, b, Sb, n));
    }
    static void fe_col_stats(const double* x, int64_t n, int64_t m, int64_t j0, int64_t w,
                             double* sums, double* mins) {
        FE_PICK(fe_col_stats, (x, n, m, j0, w, sums, mins));
    }
    static void fe_col_entropy(const double* x, int64_t n, int64_t m, int64_t j0, int64_t w,
                               const double* S, double* out) {
        FE_PICK(fe_col_entropy, (x, n, m, j0, w, S, out));
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
