# A branch-free exp and expm1 that compilers can vectorise (the companion of _fastlog.pxd).
#
# Written from the textbook Cody-Waite reduction (no code copied): x = k ln2 + r with
# k = round(x / ln2) and |r| <= ln2 / 2, so exp(x) = 2^k exp(r). k is rounded by the
# 1.5 * 2^52 shift trick; r = (x - k ln2_hi) - k ln2_lo, where ln2_hi has 32 significant bits
# (k ln2_hi is exact for |k| < 2^21) and ln2_lo = ln2 - ln2_hi. Then
#     expm1(r) = r + r^2 q2(r),   q2(r) = sum_{j=0}^{11} r^j / (j + 2)!,
# a degree-13 Taylor polynomial: the first omitted term, r^14 / 14!, is below 5e-18 of the
# result for |r| <= ln2 / 2; the leading r is exact, so the rounding touches only r^2 q2.
# (Estrin's scheme evaluates q2.) 2^k is built from exponent bits in two factors,
# 2^k1 * 2^k2 with k1 = clamp(k, -1022, 1023), so results that overflow give inf and results
# in the subnormal range round once (measured against mpmath in tests/test_fastexp.py: exp
# <= 1 ulp, expm1 <= 2 ulp and <= 1 ulp for |x| < 0.3).
# expm1(x) = 2^k expm1(r) + (2^k - 1): for |x| <= ln2 / 2, k = 0 and it is expm1(r) with full
# relative accuracy near 0; elsewhere the two terms do not cancel badly.
# Special values by selects, not branches: exp(-inf) = 0, exp(inf) = inf, exp(nan) = nan;
# expm1(-inf) = -1. No fast-math flags: the selects need -fno-trapping-math to be if-converted,
# set for this block only (it changes no values). With FMA available (an AVX2+FMA clone of a
# caller), the compiler may contract the reduction and polynomial steps into FMAs: the results can
# then differ by an ulp from the baseline build, and stay within the tested accuracy.


cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #include <math.h>

    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC push_options
    #pragma GCC optimize("no-trapping-math")
    #endif
    #if defined(__GNUC__)
    #  define FX_INLINE static inline __attribute__((always_inline))
    #else
    #  define FX_INLINE static inline
    #endif

    FX_INLINE uint64_t fx_as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
    FX_INLINE double fx_as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

    /* 2^k for a whole number k in [-1022, 1023] given as a double: its exponent bits. */
    FX_INLINE double fx_pow2(double k) {
        /* k + 2^52 + 1023 holds k + 1023 in its low mantissa bits (exactly) */
        return fx_as_f64(fx_as_u64(k + 4503599627371519.0) << 52);
    }

    /* The shared reduction: k (a whole double) and em = expm1(r) = r + r^2 q2(r), where
       q2(r) = sum_{j=0}^{11} r^j / (j + 2)!; exp(x) = 2^k (1 + em). The leading r is exact,
       so em keeps full relative accuracy near 0. */
    FX_INLINE double fx_reduce(double x, double* k_out) {
        const double shift = 6755399441055744.0;             /* 1.5 * 2^52 */
        double xc = x < -746.0 ? -746.0 : x;                 /* NaN passes through */
        xc = xc > 710.0 ? 710.0 : xc;
        double t = xc * 1.4426950408889634 + shift;
        double k = t - shift;
        double r = (xc - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
        /* Estrin's scheme: a short dependency chain, so vector iterations overlap */
        double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        double a0 = 0.5 + r * 0.16666666666666666;
        double a1 = 0.041666666666666664 + r * 0.008333333333333333;
        double a2 = 0.001388888888888889 + r * 0.0001984126984126984;
        double a3 = 2.48015873015873e-05 + r * 2.7557319223985893e-06;
        double a4 = 2.755731922398589e-07 + r * 2.505210838544172e-08;
        double a5 = 2.08767569878681e-09 + r * 1.6059043836821613e-10;
        double q = ((a0 + r2 * a1) + r4 * (a2 + r2 * a3)) + r8 * (a4 + r2 * a5);
        *k_out = k;
        return r + r2 * q;
    }

    FX_INLINE double fe_exp(double x) {
        double k;
        double em = fx_reduce(x, &k);
        double p = 1.0 + em;
        double k1 = k < -1022.0 ? -1022.0 : (k > 1023.0 ? 1023.0 : k);
        double k2 = k - k1;                                  /* in [-54, 1]; 0 nearly always */
        double res = (p * fx_pow2(k1)) * fx_pow2(k2);
        return (x != x) ? x : res;
    }

    FX_INLINE double fe_expm1(double x) {
        double k;
        double em = fx_reduce(x, &k);
        double kc = k > 1023.0 ? 1023.0 : k;                 /* expm1 >= -1: no underflow */
        double kk = kc < -1022.0 ? -1022.0 : kc;
        double s = fx_pow2(kk);
        double res = s * em + (s - 1.0);
        /* overflow (x > ~709.78): 2^1023 * exp(r) * 2 is inf; below -746 the result is -1 */
        double big = ((1.0 + em) * s) * fx_pow2(k - kk);
        res = (k > 1023.0) ? big : res;
        res = (x < -746.0) ? -1.0 : res;
        return (x != x) ? x : res;
    }

    /* ---- the same exp on whole vectors (GCC/clang vector extensions), for row loops.
       Type-generic macros (VD a vector of doubles, VI the int64 vector of the same width),
       so one text serves every vector width; no vector crosses a function boundary.
       The reduction is the one above; exp(r) - 1 = r + r^2 q(r) with q a degree-9
       near-minimax polynomial on |r| <= ln2/2 (relative error of 1 + em below 1.1e-17,
       against 4e-18 for the degree-13 Taylor form above: two terms fewer). Measured against
       mpmath in tests/test_fastexp.py (<= 1 ulp). Two ranges, chosen per row by its
       minimum, so the loops need neither selects for special values nor a second scale:
         FXV_EXP_CLEAN: -707 <= z <= 0 (no NaN): k >= -1021, so 2^k (1 + em) is normal
             and k is added to the exponent bits of 1 + em directly;
         FXV_EXP_NEG:   -746 <= z <= 0 (the caller clamps -inf and below to -746, where
             the result is 0): 2^k1 2^k2 with k1 >= -1020, so subnormal results round once.
       FXV_SHIFT and the t register: t = z / ln2 + 1.5 * 2^52 holds k in its low bits. */
    #if defined(__GNUC__) && !defined(FE_NO_VECTOR)
    #  define FXV 1
    #else
    #  define FXV 0
    #endif
    #define FXV_SHIFT 6755399441055744.0
    /* lane-wise m ? a : b, with m a comparison result (all-ones / zero lanes of type VI) */
    #define FXV_SEL(VI, m, a, b) ((__typeof__(a))(((m) & (VI)(a)) | (~(m) & (VI)(b))))
    #define FXV_EM(VD, z, t, k) ({                                                      \\
        VD z_ = (z);                                                                    \\
        t = z_ * 1.4426950408889634 + FXV_SHIFT;                                        \\
        k = t - FXV_SHIFT;                                                              \\
        VD r_ = (z_ - k * 0.6931471803691238) - k * 1.9082149292705877e-10;             \\
        VD q_ = r_ * 2.5000073927962752e-08 + 2.763023488497622e-07;                    \\
        q_ = q_ * r_ + 2.755758626601082e-06;                                           \\
        q_ = q_ * r_ + 2.480149313347643e-05;                                           \\
        q_ = q_ * r_ + 0.00019841269506773603;                                          \\
        q_ = q_ * r_ + 0.0013888888943600314;                                           \\
        q_ = q_ * r_ + 0.00833333333349434;                                             \\
        q_ = q_ * r_ + 0.04166666666653025;                                             \\
        q_ = q_ * r_ + 0.16666666666666413;                                             \\
        q_ = q_ * r_ + 0.5000000000000011;                                              \\
        r_ + (r_ * r_) * q_; })
    #define FXV_EXP_CLEAN(VD, VI, z) ({                                                 \\
        VD t_, k_;                                                                      \\
        VD p_ = 1.0 + FXV_EM(VD, z, t_, k_);                                            \\
        (VD)((VI)p_ + ((VI)t_ << 52)); })
    #define FXV_EXP_NEG(VD, VI, z) ({                                                   \\
        VD t_, k_;                                                                      \\
        VD p_ = 1.0 + FXV_EM(VD, z, t_, k_);                                            \\
        VD k1_ = FXV_SEL(VI, k_ < -1020.0, (VD){0} + -1020.0, k_);                      \\
        VD s1_ = (VD)((VI)(k1_ + 4503599627371519.0) << 52);                            \\
        VD s2_ = (VD)((VI)((k_ - k1_) + 4503599627371519.0) << 52);                     \\
        (p_ * s1_) * s2_; })

    /* FXV_EXPT_CLEAN: the same range as FXV_EXP_CLEAN, two terms shorter, by a 16-entry table
       (for loops that can fetch from it cheaply: AVX-512's two-register permute). The
       reduction is z = (16 K + j) ln2/16 + r, |r| <= ln2/32 (ln2/16 split so k ln2_hi is
       exact for |k| < 2^15), and exp(z) = 2^K 2^(j/16) (1 + em(r)) with em(r) = r + r^2 q(r),
       q a degree-4 near-minimax polynomial (relative error of 1 + em below 1.2e-17 on
       |r| <= ln2/32). 2^(j/16) is held as its double T_j and rho_j = (2^(j/16) - T_j) / T_j,
       so exp(z) = S + S (em + rho_j), S = T_j 2^K; T_j is stored with j << 48 taken off its
       bits, so S is formed by adding t << 48 (= K << 52 + j << 48) to the table entry.
       FETCH(VI idx, const void* table) returns the entries idx & 15 of a 16-entry table of
       doubles as type VI. Measured <= 0.65 ulp (tests/test_fastexp.py). */
    static inline const uint64_t* fxt_table(void) {
        static const uint64_t t[16] __attribute__((aligned(64))) = {
            0x3ff0000000000000ULL, 0x3fefb5586cf9890fULL, 0x3fef72b83c7d517bULL,
            0x3fef387a6e756238ULL, 0x3fef06fe0a31b715ULL, 0x3feedea64c123422ULL,
            0x3feebfdad5362a27ULL, 0x3feeab07dd485429ULL, 0x3feea09e667f3bcdULL,
            0x3feea11473eb0187ULL, 0x3feeace5422aa0dbULL, 0x3feec49182a3f090ULL,
            0x3feee89f995ad3adULL, 0x3fef199bdd85529cULL, 0x3fef5818dcfba487ULL,
            0x3fefa4afa2a490daULL};
        return t;
    }
    static inline const double* fxt_rho(void) {
        static const double t[16] __attribute__((aligned(64))) = {
            0.0, 8.189317638195515e-17, -2.7939114859515733e-17, 7.826573258636076e-17,
            3.3484623336251524e-17, 3.750854201303127e-17, 1.9572585293112036e-17,
            5.68648095791174e-17, -6.835808657661922e-17, -2.3591094770850053e-17,
            5.1548301170786783e-17, 1.5341410053603723e-17, 4.875160526227062e-17,
            1.685487290628973e-17, 1.790126907604513e-17, -5.545065618639427e-17};
        return t;
    }
    #define FXV_EXPT_CLEAN(VD, VI, z, FETCH) ({                                          \\
        VD zt_ = (z);                                                                    \\
        VD tt_ = zt_ * 23.083120654223414 + FXV_SHIFT;                                   \\
        VD kt_ = tt_ - FXV_SHIFT;                                                        \\
        VD rt_ = (zt_ - kt_ * 0.04332169878489367) - kt_ * 1.0291218489310676e-13;       \\
        VD qt_ = rt_ * 0.0013888594036462253 + 0.008333471923483502;                     \\
        qt_ = qt_ * rt_ + 0.041666666693252294;                                          \\
        qt_ = qt_ * rt_ + 0.16666666664417876;                                           \\
        qt_ = qt_ * rt_ + 0.49999999999999606;                                           \\
        VD emt_ = rt_ + (rt_ * rt_) * qt_;                                               \\
        VD st_ = (VD)(FETCH((VI)tt_, fxt_table()) + ((VI)tt_ << 48));                    \\
        emt_ = emt_ + (VD)FETCH((VI)tt_, fxt_rho());                                     \\
        st_ + st_ * emt_; })

    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    double fe_exp(double x) noexcept nogil
    double fe_expm1(double x) noexcept nogil
