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
# The row loops compute terms into a small stack block (a loop with no reduction, so it
# vectorises without -ffast-math) and add the block with eight accumulators in a fixed order:
# the result depends only on the row, never on the thread count. On x86-64 with GCC/clang the
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

    #define FE_BLOCK 256

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

    /* Sum of a block in a fixed order: eight interleaved accumulators, then a fixed tree. */
    FE_ALWAYS_INLINE double fe_block_sum(const double* b, int64_t len) {
        double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        int64_t i = 0, j;
        for (; i + 8 <= len; i += 8)
            for (j = 0; j < 8; j++) acc[j] += b[i + j];
        for (j = 0; i + j < len; j++) acc[j] += b[i + j];
        return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }

    /* Row sum and row minimum (NaN entries make the sum NaN and are ignored by the minimum). */
    FE_ALWAYS_INLINE void fe_sum_min_impl(const double* x, int64_t n, double* sum, double* mn) {
        double acc[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        double lo[8] = {HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL, HUGE_VAL};
        int64_t i = 0, j;
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) {
                double v = x[i + j];
                acc[j] += v;
                lo[j] = v < lo[j] ? v : lo[j];
            }
        for (j = 0; i + j < n; j++) {
            double v = x[i + j];
            acc[j] += v;
            lo[j] = v < lo[j] ? v : lo[j];
        }
        double m = lo[0];
        for (j = 1; j < 8; j++) m = lo[j] < m ? lo[j] : m;
        *sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        *mn = m;
    }

    /* -sum p log p with p = c / S (scipy's entr convention: 0 log 0 = 0, NaN propagates). */
    FE_ALWAYS_INLINE double fe_entropy_row_impl(const double* c, int64_t n, double S) {
        double buf[FE_BLOCK];
        double total = 0.0;
        for (int64_t start = 0; start < n; start += FE_BLOCK) {
            int64_t len = n - start < FE_BLOCK ? n - start : FE_BLOCK;
            const double* cc = c + start;
            for (int64_t j = 0; j < len; j++) {
                double p = cc[j] / S;
                double t = -(p * fe_log(p));
                buf[j] = (p == 0.0) ? 0.0 : t;
            }
            total += fe_block_sum(buf, len);
        }
        return total;
    }

    /* sum rel_entr(p, q), p = a / Sa, q = b / Sb (scipy.special.rel_entr's conventions). */
    FE_ALWAYS_INLINE double fe_rel_entr_row_impl(const double* a, double Sa, const double* b, double Sb,
                                            int64_t n) {
        double buf[FE_BLOCK];
        double total = 0.0;
        for (int64_t start = 0; start < n; start += FE_BLOCK) {
            int64_t len = n - start < FE_BLOCK ? n - start : FE_BLOCK;
            const double* aa = a + start;
            const double* bb = b + start;
            for (int64_t j = 0; j < len; j++) {
                double p = aa[j] / Sa;
                double q = bb[j] / Sb;
                double t = p * fe_log(p / q);
                int zero = (p == 0.0) & (q >= 0.0);
                int nan = (p != p) | (q != q);
                double other = zero ? 0.0 : (nan ? NAN : HUGE_VAL);
                buf[j] = ((p > 0.0) & (q > 0.0)) ? t : other;
            }
            total += fe_block_sum(buf, len);
        }
        return total;
    }

    #if FE_DISPATCH
    static __attribute__((target("avx2,fma"))) void fe_sum_min_avx2(
            const double* x, int64_t n, double* sum, double* mn) {
        fe_sum_min_impl(x, n, sum, mn);
    }
    static __attribute__((target("avx2,fma"))) double fe_entropy_row_avx2(
            const double* c, int64_t n, double S) {
        return fe_entropy_row_impl(c, n, S);
    }
    static __attribute__((target("avx2,fma"))) double fe_rel_entr_row_avx2(
            const double* a, double Sa, const double* b, double Sb, int64_t n) {
        return fe_rel_entr_row_impl(a, Sa, b, Sb, n);
    }
    static int fe_use_avx2(void) {
        static int have = -1;   /* benign race: every thread computes the same value */
        if (have < 0) {
            __builtin_cpu_init();
            have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        }
        return have;
    }
    #  define FE_PICK(f, args) (fe_use_avx2() ? f##_avx2 args : f##_impl args)
    #else
    #  define FE_PICK(f, args) (f##_impl args)
    #endif

    static void fe_sum_min(const double* x, int64_t n, double* sum, double* mn) {
        FE_PICK(fe_sum_min, (x, n, sum, mn));
    }
    static double fe_entropy_row(const double* c, int64_t n, double S) {
        return FE_PICK(fe_entropy_row, (c, n, S));
    }
    static double fe_rel_entr_row(const double* a, double Sa, const double* b, double Sb,
                                  int64_t n) {
        return FE_PICK(fe_rel_entr_row, (a, Sa, b, Sb, n));
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
