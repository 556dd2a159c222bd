# Philox4x32-10 (Salmon et al. 2011), nogil, for counter-based streams inside kernels.
# The constants are those of fastentropy/_philox.py (tests/test_philox.py checks the spelling and
# the published known-answer vectors). Written from the paper's description, no code copied.
# fp_block(c0..c3, k0, k1, out): out[0..3] = Philox4x32-10(counter, key).
# fp_normal_pair(c0..c3, k0, k1, &z0, &z1): two Box-Muller normals from one block, with the
# uniforms ((x0 << 32 | x1) >> 11 + 0.5) 2^-53 (in (0, 1], never 0), as _philox.py states;
# cos/sin(2 pi v) by fp_sincos_2pi (quarter-turn reduction and Taylor polynomials, which the
# twin evaluates with the same operations).
from libc.stdint cimport uint32_t

cdef extern from *:
    """
    #include <stdint.h>
    #include <math.h>
    #define FP_M0 0xD2511F53u
    #define FP_M1 0xCD9E8D57u
    #define FP_W0 0x9E3779B9u
    #define FP_W1 0xBB67AE85u
    static inline __attribute__((always_inline)) void fp_block(
            uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
            uint32_t k0, uint32_t k1, uint32_t *out) {
        int r;
        for (r = 0; r < 10; ++r) {
            uint64_t p0, p1;
            uint32_t n0, n1, n2, n3;
            if (r > 0) { k0 += FP_W0; k1 += FP_W1; }
            p0 = (uint64_t)FP_M0 * (uint64_t)c0;
            p1 = (uint64_t)FP_M1 * (uint64_t)c2;
            n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
            n1 = (uint32_t)p1;
            n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
            n3 = (uint32_t)p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }
    static inline __attribute__((always_inline)) double fp_unit(uint32_t hi, uint32_t lo) {
        uint64_t bits = (((uint64_t)hi << 32) | (uint64_t)lo) >> 11;
        return ((double)bits + 0.5) * 1.1102230246251565404e-16;  /* 2^-53 */
    }
    /* cos(2 pi v), sin(2 pi v) for v in (0, 1], branch-free (vectorisable): 4 v = n + f with
       n = rint(4 v) (the 1.5 * 2^52 shift; f = 4 v - n exact, |f| <= 1/2), th = f pi / 2,
       Taylor polynomials of sin and cos on |th| <= pi / 4 (first omitted terms < 1e-19), then
       the quarter turns n mod 4 by swaps and sign flips. */
    static inline __attribute__((always_inline)) void fp_sincos_2pi(double v, double *c,
                                                                     double *s) {
        double w = 4.0 * v;
        double n = (w + 6755399441055744.0) - 6755399441055744.0;
        double th = (w - n) * 1.5707963267948966192;
        double t2 = th * th;
        double ps = -2.5052108385441720e-08 + t2 * (1.6059043836821613e-10
                    + t2 * (-7.6471637318198164e-13 + t2 * 2.8114572543455206e-15));
        double sn = th + th * t2 * (-0.16666666666666666 + t2 * (8.3333333333333332e-03
                    + t2 * (-1.9841269841269841e-04 + t2 * (2.7557319223985893e-06
                    + t2 * ps))));
        double pc = 2.0876756987868100e-09 + t2 * (-1.1470745597729725e-11
                    + t2 * (4.7794773323873853e-14 + t2 * -1.5619206968586225e-16));
        double cs = 1.0 + t2 * (-0.5 + t2 * (4.1666666666666664e-02
                    + t2 * (-1.3888888888888889e-03 + t2 * (2.4801587301587302e-05
                    + t2 * (-2.7557319223985888e-07 + t2 * pc)))));
        int q = ((int)n) & 3;
        double a = (q & 1) ? sn : cs, b = (q & 1) ? cs : sn;
        *c = (q == 1 || q == 2) ? -a : a;
        *s = (q >= 2) ? -b : b;
    }
    static inline void fp_normal_pair(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                      uint32_t k0, uint32_t k1, double *z0, double *z1) {
        uint32_t w[4];
        double u, v, rad, cs, sn;
        fp_block(c0, c1, c2, c3, k0, k1, w);
        u = fp_unit(w[0], w[1]);
        v = fp_unit(w[2], w[3]);
        rad = sqrt(-2.0 * log(u));
        fp_sincos_2pi(v, &cs, &sn);
        *z0 = rad * cs;
        *z1 = rad * sn;
    }
    """
    void fp_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                  uint32_t k0, uint32_t k1, uint32_t *out) noexcept nogil
    double fp_unit(uint32_t hi, uint32_t lo) noexcept nogil
    void fp_sincos_2pi(double v, double *c, double *s) noexcept nogil
    void fp_normal_pair(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                        uint32_t k0, uint32_t k1, double *z0, double *z1) noexcept nogil
