# Philox4x32-10 (Salmon et al. 2011), nogil, for counter-based streams inside kernels.
# The constants are those of fastentropy/_philox.py (tests/test_philox.py checks the spelling and
# the published known-answer vectors). Written from the paper's description, no code copied.
# fp_block(c0..c3, k0, k1, out): out[0..3] = Philox4x32-10(counter, key).
# fp_normal_pair(c0..c3, k0, k1, &z0, &z1): two Box-Muller normals from one block, with the
# uniforms ((x0 << 32 | x1) >> 11 + 0.5) 2^-53 (in (0, 1], never 0), as _philox.py states.
from libc.stdint cimport uint32_t

cdef extern from *:
    """
    #include <stdint.h>
    #include <math.h>
    #define FP_M0 0xD2511F53u
    #define FP_M1 0xCD9E8D57u
    #define FP_W0 0x9E3779B9u
    #define FP_W1 0xBB67AE85u
    static inline void fp_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
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
    static inline double fp_unit(uint32_t hi, uint32_t lo) {
        uint64_t bits = (((uint64_t)hi << 32) | (uint64_t)lo) >> 11;
        return ((double)bits + 0.5) * 1.1102230246251565404e-16;  /* 2^-53 */
    }
    static inline void fp_normal_pair(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                      uint32_t k0, uint32_t k1, double *z0, double *z1) {
        uint32_t w[4];
        double u, v, rad, ang;
        fp_block(c0, c1, c2, c3, k0, k1, w);
        u = fp_unit(w[0], w[1]);
        v = fp_unit(w[2], w[3]);
        rad = sqrt(-2.0 * log(u));
        ang = 6.283185307179586232 * v;
        *z0 = rad * cos(ang);
        *z1 = rad * sin(ang);
    }
    """
    void fp_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                  uint32_t k0, uint32_t k1, uint32_t *out) noexcept nogil
    double fp_unit(uint32_t hi, uint32_t lo) noexcept nogil
    void fp_normal_pair(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                        uint32_t k0, uint32_t k1, double *z0, double *z1) noexcept nogil
