# Binning shared by histogram.pyx and samples.pyx: numpy's bin assignment, reproduced exactly.
from libc.math cimport NAN
from libc.stdint cimport int32_t, int64_t
from libc.string cimport memset

cdef extern from *:
    """
    #include <stdint.h>
    #include <stddef.h>
    /* numpy.linspace's edge i is `i * step + start` with the product rounded on its own.  A
       compiler allowed to contract it into one fused multiply-add (GCC does on FMA targets)
       would move edges by an ulp, so the product goes through a volatile. */
    static inline double fe_linspace_edge(double i, double step, double start) {
        volatile double prod = i * step;
        return prod + start;
    }
    static inline double fe_linspace_edge_tiny(double i, double div, double delta, double start) {
        /* numpy's branch for a step that underflows to zero: (i / div) * delta + start */
        volatile double q = i / div;
        volatile double prod = q * delta;
        return prod + start;
    }

    /* The guess pass of count_uniform, compiled twice on x86-64 glibc Linux with GCC (AVX2 and
       baseline, picked at load time by the CPU): it is pure arithmetic, which AVX2 does four
       lanes at a time.  No FMA: the guess is only trusted within its error bound `tol`. */
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) \
        && defined(__GLIBC__)
    #define FE_CLONES __attribute__((target_clones("avx2", "default")))  /* needs glibc ifunc */
    #else
    #define FE_CLONES
    #endif
    FE_CLONES static void fe_guess_bins(const double* x, ptrdiff_t m, double first, double scale,
                                        double tol, double dnb, int32_t* idx) {
        for (ptrdiff_t i = 0; i < m; i++) {
            double t = (x[i] - first) * scale;
            double tl = t - tol, th = t + tol;
            /* clamp before converting: an out-of-range double -> int conversion is undefined */
            double tlc = tl > -1.0 ? tl : -1.0;
            double thc = th > -1.0 ? th : -1.0;
            tlc = tlc < dnb ? tlc : dnb;
            thc = thc < dnb ? thc : dnb;
            int32_t a1 = (int32_t)tlc, a2 = (int32_t)thc;
            idx[i] = ((a1 == a2) & (tl >= 0.0) & (th < dnb)) ? a1 : -1;
        }
    }

    /* min and max of x[0..n), n >= 1, and whether any element is NaN (comparisons skip NaN,
       so it is flagged on the side). SSE2 is part of x86-64; elsewhere four scalar chains. */
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #if defined(__x86_64__) && defined(__GNUC__)
    #define FE_HAVE_AVX2_MINMAX 1
    #include <immintrin.h>
    __attribute__((target("avx2")))
    static void fe_min_max_finish(const double* x, ptrdiff_t n, const double* st,
                                  double* mn, double* mx, int* nan);
    __attribute__((target("avx2")))
    static void fe_min_max_avx2(const double* x, ptrdiff_t n, double* mn, double* mx, int* nan) {
        __m256d mn0 = _mm256_set1_pd(x[0]), mn1 = mn0, mx0 = mn0, mx1 = mn0;
        __m256d bad = _mm256_setzero_pd();
        ptrdiff_t i = 0;
        for (; i + 7 < n; i += 8) {
            __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);
            mn0 = _mm256_min_pd(a, mn0); mx0 = _mm256_max_pd(a, mx0);
            mn1 = _mm256_min_pd(b, mn1); mx1 = _mm256_max_pd(b, mx1);
            bad = _mm256_or_pd(bad, _mm256_or_pd(_mm256_cmp_pd(a, a, _CMP_UNORD_Q),
                                                 _mm256_cmp_pd(b, b, _CMP_UNORD_Q)));
        }
        /* the lane combine and the scalar tail (from n & ~7) are fe_min_max_finish's */
        double st[20];
        _mm256_storeu_pd(st, mn0); _mm256_storeu_pd(st + 4, mn1);
        _mm256_storeu_pd(st + 8, mx0); _mm256_storeu_pd(st + 12, mx1);
        _mm256_storeu_pd(st + 16, bad);
        fe_min_max_finish(x, n, st, mn, mx, nan);
    }
    /* set once at module import (fe_cpu_init), read-only afterwards */
    static int fe_cpu_avx2 = 0;
    static void fe_cpu_init(void) { fe_cpu_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0; }
    /* Fused guess-and-count (AVX2).  Each value gets t = (x - first) * scale and one of three
       verdicts, all decided in the vector registers:
         certain bin b  t >= 0, t < nb and, with b = trunc(t), frac = t - b (exact): frac >= tol
                        and fl(frac + tol) < 1, i.e. [t - tol, t + tol] inside [b, b + 1);
         certain out    !(t >= 0) (x < first, or NaN) or t >= nb + 1 (x beyond the last edge:
                        t is within a few ulps of the exact position, so t >= nb + 1 means
                        x > last);
         uncertain      everything else (values within tol of an edge): its position goes to
                        bad[] (returned: how many) for find_bin's exact walk.
       Eight certain values (the common case) are added to c at once; a mixed group of eight,
       with h (nb + 1 int64, h[nb] a spare slot), without a branch per lane: every lane adds 1
       to h[bin] or, when its value is not certain, to h[nb] (the caller adds h to c); without
       h (many bins) lane by lane.  When nx is not NULL it
       also runs fe_min_max_avx2's first-stage (8-wide) reduction over nx[0..m) into st[0..20)
       (mn0, mn1, mx0, mx1, bad), so the next row's loads overlap this row's arithmetic;
       fe_min_max_finish completes it exactly as fe_min_max_avx2 would. */
    __attribute__((target("avx2")))
    static void fe_min_max_start(const double* nx, double* st) {
        __m256d v = _mm256_set1_pd(nx[0]);
        _mm256_storeu_pd(st, v); _mm256_storeu_pd(st + 4, v);
        _mm256_storeu_pd(st + 8, v); _mm256_storeu_pd(st + 12, v);
        _mm256_storeu_pd(st + 16, _mm256_setzero_pd());
    }
    __attribute__((target("avx2")))
    static void fe_min_max_finish(const double* x, ptrdiff_t n, const double* st,
                                  double* mn, double* mx, int* nan) {
        __m256d mn0 = _mm256_loadu_pd(st), mn1 = _mm256_loadu_pd(st + 4);
        __m256d mx0 = _mm256_loadu_pd(st + 8), mx1 = _mm256_loadu_pd(st + 12);
        __m256d bad = _mm256_loadu_pd(st + 16);
        ptrdiff_t i = n & ~(ptrdiff_t)7;
        double lo[4], hi[4];
        _mm256_storeu_pd(lo, _mm256_min_pd(mn1, mn0));
        _mm256_storeu_pd(hi, _mm256_max_pd(mx1, mx0));
        double l = lo[0], h = hi[0];
        for (int j = 1; j < 4; j++) {
            l = lo[j] < l ? lo[j] : l;
            h = hi[j] > h ? hi[j] : h;
        }
        int f = _mm256_movemask_pd(bad) != 0;
        for (; i < n; i++) {
            double v = x[i];
            l = v < l ? v : l;
            h = v > h ? v : h;
            f |= v != v;
        }
        *mn = l; *mx = h; *nan = f | (l != l);
    }
    /* certain-bin mask k of four values, their t and b = trunc(clamped t) */
    __attribute__((target("avx2")))
    static inline __m256d fe_verdict4(__m256d xv, __m256d vf, __m256d vs, __m256d vt,
                                      __m256d vn, __m128i* b, __m256d* t) {
        const __m256d one = _mm256_set1_pd(1.0), mone = _mm256_set1_pd(-1.0);
        const __m256d zero = _mm256_setzero_pd();
        *t = _mm256_mul_pd(_mm256_sub_pd(xv, vf), vs);
        /* max returns its second operand for NaN: -1 */
        __m256d cl = _mm256_min_pd(_mm256_max_pd(*t, mone), vn);
        *b = _mm256_cvttpd_epi32(cl);
        __m256d fr = _mm256_sub_pd(cl, _mm256_cvtepi32_pd(*b));
        return _mm256_and_pd(
            _mm256_and_pd(_mm256_cmp_pd(*t, zero, _CMP_GE_OQ), _mm256_cmp_pd(*t, vn, _CMP_LT_OQ)),
            _mm256_and_pd(_mm256_cmp_pd(fr, vt, _CMP_GE_OQ),
                          _mm256_cmp_pd(_mm256_add_pd(fr, vt), one, _CMP_LT_OQ)));
    }
    /* certain-out bits of four values: !(t >= 0) (below the first edge, or NaN) or t >= nb + 1 */
    __attribute__((target("avx2")))
    static inline int fe_out4(__m256d t, __m256d vn1) {
        return _mm256_movemask_pd(_mm256_or_pd(_mm256_cmp_pd(t, _mm256_setzero_pd(), _CMP_NGE_UQ),
                                               _mm256_cmp_pd(t, vn1, _CMP_GE_OQ)));
    }
    /* bin of four lanes where certain, spare (nb) where not */
    __attribute__((target("avx2")))
    static inline __m128i fe_slot4(__m128i b, __m256d k, __m128i vnb) {
        const __m256i pack = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
        __m128i k32 = _mm256_castsi256_si128(
            _mm256_permutevar8x32_epi32(_mm256_castpd_si256(k), pack));
        return _mm_blendv_epi8(vnb, b, k32);
    }
    __attribute__((target("avx2"), always_inline))
    static inline ptrdiff_t fe_count_loop_avx2(const double* x, ptrdiff_t m, double first,
                                               double scale, double tol, double dnb, int64_t* c,
                                               int64_t* h, int32_t* badpos, const double* nx,
                                               double* st, const int steady) {
        const __m256d vf = _mm256_set1_pd(first), vs = _mm256_set1_pd(scale);
        const __m256d vt = _mm256_set1_pd(tol), vn = _mm256_set1_pd(dnb);
        const __m256d vn1 = _mm256_set1_pd(dnb + 1.0);
        const __m128i vnb = _mm_set1_epi32((int32_t)dnb);
        const __m256d zero = _mm256_setzero_pd();
        __m256d mn0 = zero, mn1 = zero, mx0 = zero, mx1 = zero, nbad = zero;
        ptrdiff_t nb_ = 0, i = 0;
        int32_t q[8];
        if (nx) {
            mn0 = _mm256_loadu_pd(st); mn1 = _mm256_loadu_pd(st + 4);
            mx0 = _mm256_loadu_pd(st + 8); mx1 = _mm256_loadu_pd(st + 12);
            nbad = _mm256_loadu_pd(st + 16);
        }
        for (; i + 7 < m; i += 8) {
            __m128i b0, b1;
            __m256d t0, t1;
            __m256d k0 = fe_verdict4(_mm256_loadu_pd(x + i), vf, vs, vt, vn, &b0, &t0);
            __m256d k1 = fe_verdict4(_mm256_loadu_pd(x + i + 4), vf, vs, vt, vn, &b1, &t1);
            int ok = _mm256_movemask_pd(k0) | (_mm256_movemask_pd(k1) << 4);
            if (nx) {
                __m256d a = _mm256_loadu_pd(nx + i), b = _mm256_loadu_pd(nx + i + 4);
                mn0 = _mm256_min_pd(a, mn0); mx0 = _mm256_max_pd(a, mx0);
                mn1 = _mm256_min_pd(b, mn1); mx1 = _mm256_max_pd(b, mx1);
                nbad = _mm256_or_pd(nbad, _mm256_or_pd(_mm256_cmp_pd(a, a, _CMP_UNORD_Q),
                                                       _mm256_cmp_pd(b, b, _CMP_UNORD_Q)));
            }
            if (ok == 0xFF && !steady) {  /* the common case: eight certain bins */
                _mm_storeu_si128((__m128i*)q, b0);
                _mm_storeu_si128((__m128i*)(q + 4), b1);
                c[q[0]]++; c[q[1]]++; c[q[2]]++; c[q[3]]++;
                c[q[4]]++; c[q[5]]++; c[q[6]]++; c[q[7]]++;
                continue;
            }
            unsigned unc = ~(unsigned)(ok | fe_out4(t0, vn1) | (fe_out4(t1, vn1) << 4)) & 0xFFu;
            if (h) {
                _mm_storeu_si128((__m128i*)q, fe_slot4(b0, k0, vnb));
                _mm_storeu_si128((__m128i*)(q + 4), fe_slot4(b1, k1, vnb));
                h[q[0]]++; h[q[1]]++; h[q[2]]++; h[q[3]]++;
                h[q[4]]++; h[q[5]]++; h[q[6]]++; h[q[7]]++;
            } else {
                _mm_storeu_si128((__m128i*)q, b0);
                _mm_storeu_si128((__m128i*)(q + 4), b1);
                for (int j = 0; j < 8; j++)
                    if ((ok >> j) & 1) c[q[j]]++;
            }
            while (unc) {  /* rare: values within tol of an edge */
                badpos[nb_++] = (int32_t)(i + __builtin_ctz(unc));
                unc &= unc - 1;
            }
        }
        if (h) c = h;
        for (; i < m; i++) {
            double t = (x[i] - first) * scale;
            double tc = t > -1.0 ? t : -1.0;
            tc = tc < dnb ? tc : dnb;
            int32_t b = (int32_t)tc;
            double fr = tc - (double)b;
            if ((t >= 0.0) & (t < dnb) & (fr >= tol) & (fr + tol < 1.0)) c[b]++;
            else if ((t >= 0.0) & (t < dnb + 1.0)) badpos[nb_++] = (int32_t)i;
        }
        if (nx) {
            _mm256_storeu_pd(st, mn0); _mm256_storeu_pd(st + 4, mn1);
            _mm256_storeu_pd(st + 8, mx0); _mm256_storeu_pd(st + 12, mx1);
            _mm256_storeu_pd(st + 16, nbad);
        }
        return nb_;
    }
    /* steady: where values outside the edges are common, mixed groups are too and the
       ok == 0xFF branch would mispredict; then every group takes the branch-free path.
       Decided once per call from the first 64 values (any outside: steady); the loop is
       compiled once for each case. */
    __attribute__((target("avx2")))
    static ptrdiff_t fe_count_guess_avx2(const double* x, ptrdiff_t m, double first,
                                         double scale, double tol, double dnb, int64_t* c,
                                         int64_t* h, int32_t* badpos, const double* nx,
                                         double* st) {
        int steady = 0;
        if (h && m >= 256) {
            const __m256d vf = _mm256_set1_pd(first), vs = _mm256_set1_pd(scale);
            const __m256d vn = _mm256_set1_pd(dnb);
            for (int j = 0; j < 64; j += 4) {
                __m256d t = _mm256_mul_pd(_mm256_sub_pd(_mm256_loadu_pd(x + j), vf), vs);
                steady |= fe_out4(t, vn);
            }
        }
        if (steady)
            return fe_count_loop_avx2(x, m, first, scale, tol, dnb, c, h, badpos, nx, st, 1);
        return fe_count_loop_avx2(x, m, first, scale, tol, dnb, c, h, badpos, nx, st, 0);
    }
    static int fe_has_avx2(void) { return fe_cpu_avx2; }
    #else
    static void fe_cpu_init(void) {}
    #endif
    static void fe_min_max(const double* x, ptrdiff_t n, double* mn, double* mx, int* nan) {
    #if defined(FE_HAVE_AVX2_MINMAX)
        if (fe_cpu_avx2) { fe_min_max_avx2(x, n, mn, mx, nan); return; }
    #endif
        __m128d mn0 = _mm_set1_pd(x[0]), mn1 = mn0, mx0 = mn0, mx1 = mn0;
        __m128d bad = _mm_setzero_pd();
        ptrdiff_t i = 0;
        for (; i + 3 < n; i += 4) {
            __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2);
            /* minpd returns its second operand when either is NaN: the running value */
            mn0 = _mm_min_pd(a, mn0); mx0 = _mm_max_pd(a, mx0);
            mn1 = _mm_min_pd(b, mn1); mx1 = _mm_max_pd(b, mx1);
            bad = _mm_or_pd(bad, _mm_or_pd(_mm_cmpunord_pd(a, a), _mm_cmpunord_pd(b, b)));
        }
        double lo[2], hi[2];
        _mm_storeu_pd(lo, _mm_min_pd(mn1, mn0));
        _mm_storeu_pd(hi, _mm_max_pd(mx1, mx0));
        double l = lo[1] < lo[0] ? lo[1] : lo[0], h = hi[1] > hi[0] ? hi[1] : hi[0];
        int f = _mm_movemask_pd(bad) != 0;
        for (; i < n; i++) {
            double v = x[i];
            l = v < l ? v : l;
            h = v > h ? v : h;
            f |= v != v;
        }
        *mn = l; *mx = h; *nan = f | (l != l);
    }
    #else
    static void fe_cpu_init(void) {}
    static void fe_min_max(const double* x, ptrdiff_t n, double* mn, double* mx, int* nan) {
        double l0 = x[0], l1 = x[0], h0 = x[0], h1 = x[0];
        int f = 0;
        ptrdiff_t i = 0;
        for (; i + 1 < n; i += 2) {
            double a = x[i], b = x[i + 1];
            l0 = a < l0 ? a : l0; h0 = a > h0 ? a : h0;
            l1 = b < l1 ? b : l1; h1 = b > h1 ? b : h1;
            f |= (a != a) | (b != b);
        }
        for (; i < n; i++) {
            double a = x[i];
            l0 = a < l0 ? a : l0; h0 = a > h0 ? a : h0;
            f |= a != a;
        }
        *mn = l1 < l0 ? l1 : l0; *mx = h1 > h0 ? h1 : h0; *nan = f | (l0 != l0);
    }
    #endif
    #if !defined(FE_HAVE_AVX2_MINMAX)
    static int fe_has_avx2(void) { return 0; }
    static void fe_min_max_start(const double* nx, double* st) {}
    static void fe_min_max_finish(const double* x, ptrdiff_t n, const double* st,
                                  double* mn, double* mx, int* nan) {}
    static ptrdiff_t fe_count_guess_avx2(const double* x, ptrdiff_t m, double first,
                                         double scale, double tol, double dnb, int64_t* c,
                                         int64_t* h, int32_t* badpos, const double* nx,
                                         double* st) {
        return 0;
    }
    #endif
    """
    double fe_linspace_edge(double i, double step, double start) noexcept nogil
    double fe_linspace_edge_tiny(double i, double div, double delta, double start) noexcept nogil
    void fe_guess_bins(const double* x, Py_ssize_t m, double first, double scale, double tol,
                       double dnb, int32_t* idx) noexcept nogil
    void fe_min_max(const double* x, Py_ssize_t n, double* mn, double* mx, int* nan) noexcept nogil
    void fe_cpu_init() noexcept nogil
    bint fe_has_avx2() noexcept nogil
    void fe_min_max_start(const double* nx, double* st) noexcept nogil
    void fe_min_max_finish(const double* x, Py_ssize_t n, const double* st, double* mn,
                           double* mx, int* nan) noexcept nogil
    Py_ssize_t fe_count_guess_avx2(const double* x, Py_ssize_t m, double first, double scale,
                                   double tol, double dnb, int64_t* c, int64_t* h,
                                   int32_t* badpos, const double* nx, double* st) noexcept nogil


# How find_bin turns a value into a bin.
cdef enum:
    BIN_UNIFORM = 0   # equal-width edges: multiply by nbins/width, then walk to the true bin
    BIN_NUMPY = 1     # numpy's own formula ((v - first) / denom) * nbins and one-step correction
    BIN_SEARCH = 2    # arbitrary non-decreasing edges: binary search


cdef inline Py_ssize_t find_bin(double v, const double* e, Py_ssize_t nb, double first,
                                double scale, double tol, int mode) noexcept nogil:
    """Bin of ``v`` for edges ``e[0..nb]``, or -1 when ``v`` is outside ``[e[0], e[nb]]`` or NaN.

    The bin is the largest ``b < nb`` with ``e[b] <= v`` (numpy: searchsorted side='right', the
    last edge closed).  BIN_UNIFORM guesses it arithmetically, ``t = (v - first) * scale`` with
    ``scale`` = nb / width; ``tol`` bounds the error of ``t`` against the rounded edges (in bins),
    so when ``[t - tol, t + tol]`` lies inside one bin that bin is certain.  Otherwise (values near
    an edge or outside) it walks from the guess to the bin the edges define, so the answer never
    depends on the rounding of the guess.  BIN_NUMPY (``scale`` = numpy's denominator) repeats
    numpy.histogram's float64 arithmetic bit for bit, including its single correction step, for
    ranges so narrow that a guess could be off by more than one bin.
    """
    cdef Py_ssize_t b, lo, hi, mid
    cdef double t, t_lo, t_hi
    if mode == BIN_UNIFORM:
        t = (v - first) * scale
        t_lo = t - tol
        t_hi = t + tol
        if t_lo >= 0.0 and t_hi < <double>nb:
            b = <Py_ssize_t>t_lo
            if b == <Py_ssize_t>t_hi:
                return b
        if not (v >= e[0] and v <= e[nb]):
            return -1
        b = <Py_ssize_t>t
        if b > nb - 1:
            b = nb - 1
        while b > 0 and v < e[b]:
            b -= 1
        while b < nb - 1 and v >= e[b + 1]:
            b += 1
        return b
    if not (v >= e[0] and v <= e[nb]):
        return -1
    if mode == BIN_NUMPY:
        b = <Py_ssize_t>(((v - first) / scale) * <double>nb)
        if b == nb:
            b -= 1
        if v < e[b]:
            b -= 1
        if b != nb - 1 and v >= e[b + 1]:
            b += 1
        return b
    # branchless bisection for the largest b with e[b] <= v (e[0] <= v holds here): the
    # number of steps depends only on nb, and the data-dependent choice is a conditional move
    lo = 0
    hi = nb + 1
    while hi > 1:
        mid = hi >> 1
        lo = lo + mid if e[lo + mid] <= v else lo
        hi -= mid
    if lo > nb - 1:
        lo = nb - 1
    return lo


cdef inline bint linspace_edges(double start, double stop, Py_ssize_t nb, double* e) noexcept nogil:
    """``numpy.linspace(start, stop, nb + 1)`` in float64, bit for bit, into ``e[0..nb]``.

    Returns False when the edges are not strictly increasing (numpy.histogram then raises "Too
    many bins for data range").
    """
    cdef double delta = stop - start
    cdef double div = <double>nb
    cdef double step = delta / div
    cdef Py_ssize_t i
    if step == 0:
        for i in range(nb):
            e[i] = fe_linspace_edge_tiny(<double>i, div, delta, start)
    else:
        for i in range(nb):
            e[i] = fe_linspace_edge(<double>i, step, start)
    e[nb] = stop
    for i in range(nb):
        if not (e[i] < e[i + 1]):
            return False
    return True


cdef inline void row_min_max(const double* x, Py_ssize_t n, double* mn_out,
                             double* mx_out) noexcept nogil:
    """Min and max of ``x[0..n)``, n >= 1; both NaN if any element is NaN (as ndarray.min/max)."""
    cdef int nan = 0
    fe_min_max(x, n, mn_out, mx_out, &nan)
    if nan:
        mn_out[0] = NAN
        mx_out[0] = NAN


cdef enum:
    COUNT_CHUNK = 2048
    LOCAL_BINS = 512  # up to this many bins count_uniform_next counts into a stack histogram


cdef inline void count_uniform(const double* x, Py_ssize_t n, const double* e, Py_ssize_t nb,
                               double first, double scale, double tol, int64_t* c) noexcept nogil:
    """Add the BIN_UNIFORM bins of ``x[0..n)`` to ``c`` (nb < 2**31); see count_uniform_next."""
    count_uniform_next(x, n, e, nb, first, scale, tol, c, NULL, NULL)


cdef inline void count_uniform_next(const double* x, Py_ssize_t n, const double* e, Py_ssize_t nb,
                                    double first, double scale, double tol, int64_t* c,
                                    const double* nx, double* st) noexcept nogil:
    """Add the BIN_UNIFORM bins of ``x[0..n)`` to ``c`` (nb < 2**31), chunk by chunk.

    A vectorised guess keeps the bins that cannot be wrong (``[t - tol, t + tol]`` inside one
    bin), drops the values that cannot be inside the edges, and leaves the rest (values within
    ``tol`` of an edge) to ``find_bin``'s exact walk.  With AVX2 the guess counts at once (into
    a stack histogram with a spare slot when ``nb <= LOCAL_BINS``, added to ``c`` at the end) and,
    when ``nx`` is not NULL (only then: the caller checked fe_has_avx2), also reduces
    ``nx[0..n)`` into the min/max state ``st`` (fe_min_max_start / fe_min_max_finish).
    Without AVX2 the guess pass (fe_guess_bins) fills an index buffer and a scalar pass counts.
    """
    cdef int32_t idx[COUNT_CHUNK]
    cdef int64_t hloc[LOCAL_BINS + 1]
    cdef int64_t* h = NULL
    cdef Py_ssize_t start = 0, m, i, b, nbad
    cdef double dnb = <double>nb
    cdef bint avx2 = fe_has_avx2()
    if nb >= 2147483647:  # guesses must fit an int32
        for i in range(n):
            b = find_bin(x[i], e, nb, first, scale, tol, BIN_UNIFORM)
            if b >= 0:
                c[b] += 1
        return
    if avx2 and nb <= LOCAL_BINS:
        h = hloc
        memset(h, 0, (nb + 1) * sizeof(int64_t))
    while start < n:
        m = n - start if n - start < COUNT_CHUNK else COUNT_CHUNK
        if avx2:
            nbad = fe_count_guess_avx2(x + start, m, first, scale, tol, dnb, c, h, idx,
                                       nx + start if nx != NULL else NULL, st)
            for i in range(nbad):
                b = find_bin(x[start + idx[i]], e, nb, first, scale, tol, BIN_UNIFORM)
                if b >= 0:
                    c[b] += 1
        else:
            fe_guess_bins(x + start, m, first, scale, tol, dnb, idx)
            for i in range(m):
                b = idx[i]
                if b < 0:
                    b = find_bin(x[start + i], e, nb, first, scale, tol, BIN_UNIFORM)
                    if b < 0:
                        continue
                c[b] += 1
        start += m
    if h != NULL:
        for b in range(nb):
            c[b] += h[b]
