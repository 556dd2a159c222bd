# cython: language_level=3
"""Row kernels for information quantities of softmax(logits / T).

Inputs are (rows, n) logit arrays whose class axis is contiguous (any row stride; the facade
ensures it, the strided memoryviews only carry it), passed as byte
views with a storage ``kind``: 0 float64, 1 float32, 2 float16 bits, 3 bfloat16 bits. All
arithmetic is in float64: float64 and float32 rows are read in place, float16/bfloat16 rows are
converted (bit-exactly) to a row of doubles first.

Two routes, to the same values (~1e-14): rows that need no full-size output (entropy,
logsumexp, KL without gradients, cross-entropy against labels, predictive uncertainty) take a
one-pass vector route (exact row statistics, then one fused exp + sums pass; see the comment
above ``FLV_WIDTH``); everything else, and rows with ``|x| >= 2^1023`` or ``T < 2^-960``, takes
the general route (``fl_*_impl``).
Full-size outputs (log-probabilities, probabilities, gradients) are byte views too, of kind
``out_kind`` 0 float64 or 1 float32; a (0, 0) view means "not wanted".

Every row is shifted by its maximum before the temperature is applied:
``z = ((x h - m h) a) b`` with ``a b h = 1 / T`` (``h = 1/2`` only for rows holding
``|x| >= 2^1023``, so ``x - m`` cannot overflow; ``a = 2^64`` only for ``T < 2^-960``, so
``1/T`` cannot). The twin computes ``z`` with the same operations, so both see the same ``z``.
Row status codes: 0 ok, 1 every entry -inf, 2 a NaN, 3 a +inf, 9 out of memory. One thread
owns each row, so results are bitwise identical for any thread count.
"""
from cython.parallel cimport parallel, prange
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc

# used inside the C block below
from fastentropy._kernels._fastexp cimport fe_exp, fe_expm1  # no-cython-lint
from fastentropy._kernels._fastlog cimport fe_log  # no-cython-lint


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
    #  define FL_INLINE static inline __attribute__((always_inline))
    #  define FL_NOINLINE __attribute__((noinline))
    #else
    #  define FL_INLINE static inline
    #  define FL_NOINLINE
    #endif
    #if defined(__GNUC__) && defined(__x86_64__) && !defined(FE_NO_DISPATCH)
    #  define FL_DISPATCH 1
    #else
    #  define FL_DISPATCH 0
    #endif

    #define FL_BLK 256
    enum { FL_OK = 0, FL_MASKED = 1, FL_NAN = 2, FL_POSINF = 3, FL_NOMEM = 9 };

    /* ---------------------------------------------------------------- conversions */
    /* IEEE half -> double, bit exact: significand times a power of two (subnormals too). */
    FL_INLINE double fl_f16(uint16_t hb) {
        uint32_t e = ((uint32_t)hb >> 10) & 0x1fu;
        uint32_t mant = (uint32_t)hb & 0x3ffu;
        int32_t sig = (int32_t)(e ? (mant | 0x400u) : mant);
        int64_t ee = e ? (int64_t)e : 1;
        double scale = fx_as_f64((uint64_t)(ee - 25 + 1023) << 52);
        double v = (double)sig * scale;
        double special = mant ? NAN : HUGE_VAL;
        v = (e == 31u) ? special : v;
        return (hb & 0x8000u) ? -v : v;
    }
    /* bfloat16 -> double: the upper half of a float32. */
    FL_INLINE double fl_bf16(uint16_t hb) {
        uint32_t u = (uint32_t)hb << 16;
        float f;
        memcpy(&f, &u, 4);
        return (double)f;
    }
    FL_INLINE const double* fl_load(const void* x, int kind, int64_t n, double* buf) {
        int64_t j;
        if (kind == 0) return (const double*)x;
        if (kind == 1) {
            const float* f = (const float*)x;
            for (j = 0; j < n; j++) buf[j] = (double)f[j];
        } else if (kind == 2) {
            const uint16_t* u = (const uint16_t*)x;
            for (j = 0; j < n; j++) buf[j] = fl_f16(u[j]);
        } else {
            const uint16_t* u = (const uint16_t*)x;
            for (j = 0; j < n; j++) buf[j] = fl_bf16(u[j]);
        }
        return buf;
    }
    FL_INLINE void fl_store(void* dst, int okind, int64_t off, const double* src, int64_t n) {
        int64_t j;
        if (okind == 0) {
            double* d = (double*)dst + off;
            for (j = 0; j < n; j++) d[j] = src[j];
        } else {
            float* d = (float*)dst + off;
            for (j = 0; j < n; j++) d[j] = (float)src[j];
        }
    }
    FL_INLINE void fl_fill(void* dst, int okind, int64_t n, double v) {
        int64_t j;
        if (!dst) return;
        if (okind == 0) { double* d = (double*)dst; for (j = 0; j < n; j++) d[j] = v; }
        else { float* d = (float*)dst; for (j = 0; j < n; j++) d[j] = (float)v; }
    }

    /* ---------------------------------------------------------------- sums and row stats */
    /* Eight interleaved accumulators joined by a fixed tree, remainder in sequence. */
    FL_INLINE double fl_sum(const double* b, int64_t n) {
        double r[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        int64_t i = 0, j;
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) r[j] += b[i + j];
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += b[i];
        return s;
    }
    FL_INLINE double fl_min(const double* x, int64_t n) {
        double lo[8];
        int64_t i = 0, j;
        for (j = 0; j < 8; j++) lo[j] = HUGE_VAL;
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) { double v = x[i + j]; lo[j] = v < lo[j] ? v : lo[j]; }
        for (j = 0; i + j < n; j++) { double v = x[i + j]; lo[j] = v < lo[j] ? v : lo[j]; }
        double m = lo[0];
        for (j = 1; j < 8; j++) m = lo[j] < m ? lo[j] : m;
        return m;
    }

    typedef struct {
        double m, h, mh, a, b;
        int status;
    } fl_row;

    FL_INLINE void fl_set_h(fl_row* r, double h, double T) {
        r->h = h;
        r->a = T < 0x1p-960 ? 0x1p64 : 1.0;
        r->b = 1.0 / ((T * r->a) * h);
        r->mh = r->m * h;
    }
    /* max, NaN flag and "huge" flag (a finite |x| >= 2^1023) of a row; its status. */
    FL_INLINE void fl_setup(const double* x, int64_t n, double T, fl_row* r) {
        double mx[8], nf[8], bg[8];
        int64_t i = 0, j;
        for (j = 0; j < 8; j++) { mx[j] = -HUGE_VAL; nf[j] = 0.0; bg[j] = 0.0; }
        for (; i + 8 <= n; i += 8)
            for (j = 0; j < 8; j++) {
                double v = x[i + j];
                mx[j] = v > mx[j] ? v : mx[j];
                nf[j] = (v != v) ? 1.0 : nf[j];
                bg[j] = ((fabs(v) >= 0x1p1023) & (v > -HUGE_VAL)) ? 1.0 : bg[j];
            }
        for (j = 0; i + j < n; j++) {
            double v = x[i + j];
            mx[j] = v > mx[j] ? v : mx[j];
            nf[j] = (v != v) ? 1.0 : nf[j];
            bg[j] = ((fabs(v) >= 0x1p1023) & (v > -HUGE_VAL)) ? 1.0 : bg[j];
        }
        double m = mx[0], fn = nf[0], fb = bg[0];
        for (j = 1; j < 8; j++) { m = mx[j] > m ? mx[j] : m; fn += nf[j]; fb += bg[j]; }
        r->m = m;
        r->status = fn > 0.0 ? FL_NAN : (m == HUGE_VAL ? FL_POSINF
                                         : (m == -HUGE_VAL ? FL_MASKED : FL_OK));
        fl_set_h(r, fb > 0.0 ? 0.5 : 1.0, T);
    }

    /* ---------------------------------------------------------------- series */
    /* Q phi(d), phi(d) = 1 + (d - 1) e^d, where P = Q e^d: the non-negative KL term
       p log(p/q) - p + q. A Taylor series for |d| < 1/4 (no cancellation), else direct. */
    FL_INLINE double fl_kl_term(double P, double Q, double d) {
        double s = 1.4911969277048643e-10;
        s = s * d + 1.9270852604185937e-09;
        s = s * d + 2.296443268665491e-08;
        s = s * d + 2.505210838544172e-07;
        s = s * d + 2.48015873015873e-06;
        s = s * d + 2.2045855379188714e-05;
        s = s * d + 0.00017361111111111112;
        s = s * d + 0.0011904761904761906;
        s = s * d + 0.006944444444444444;
        s = s * d + 0.03333333333333333;
        s = s * d + 0.125;
        s = s * d + 0.3333333333333333;
        s = s * d + 0.5;
        double ser = (Q * (d * d)) * s;
        double dir = (Q - P) + ((P > 0.0) ? P * d : 0.0);
        return (fabs(d) < 0.25) ? ser : dir;
    }
    /* P log(P/M) + Q log(Q/M), M = (P + Q)/2, P = Q e^d: M f(eps) with eps = tanh(d/2) and
       f(eps) = (1+eps) log1p(eps) + (1-eps) log1p(-eps) = sum eps^(2k) / (k (2k-1)). */
    FL_INLINE double fl_js_term(double P, double Q, double d) {
        double g = fe_expm1(d);
        double ep = g / (g + 2.0);
        double e2 = ep * ep;
        double f = 0.008333333333333333;
        f = f * e2 + 0.01098901098901099;
        f = f * e2 + 0.015151515151515152;
        f = f * e2 + 0.022222222222222223;
        f = f * e2 + 0.03571428571428571;
        f = f * e2 + 0.06666666666666667;
        f = f * e2 + 0.16666666666666666;
        f = f * e2 + 1.0;
        double M = 0.5 * (P + Q);
        double tp = (P > 0.0) ? P * fe_log(P / M) : 0.0;
        double tq = (Q > 0.0) ? Q * fe_log(Q / M) : 0.0;
        return (fabs(ep) < 0.1) ? M * (e2 * f) : (tp + tq);
    }

    /* ---------------------------------------------------------------- leaves */
    /* exp pass: S_less = sum of e over z < 0, W = sum e z, ties = #(z == 0); e to e_out. */
    FL_INLINE void fl_sm_leaf(const double* x, int64_t n, const fl_row* r, double* e_out,
                              double* acc) {
        double bs[FL_BLK], bw[FL_BLK], bc[FL_BLK];
        double h = r->h, mh = r->mh, a = r->a, b = r->b;
        for (int64_t j = 0; j < n; j++) {
            double z = ((x[j] * h - mh) * a) * b;
            double e = fe_exp(z);
            int tie = (z == 0.0);
            bs[j] = tie ? 0.0 : e;
            bc[j] = tie ? 1.0 : 0.0;
            bw[j] = (e > 0.0) ? e * z : 0.0;
            e_out[j] = e;
        }
        acc[0] += fl_sum(bs, n);
        acc[1] += fl_sum(bw, n);
        acc[2] += fl_sum(bc, n);
    }
    /* S - 1 (exactly the mass off one maximum) and W = sum e z over a row. */
    FL_INLINE void fl_sm_pass(const double* x, int64_t n, const fl_row* r, double* ebuf,
                              double* s1, double* w) {
        double acc[3] = {0.0, 0.0, 0.0};
        double loc[FL_BLK];
        for (int64_t i = 0; i < n; i += FL_BLK) {
            int64_t k = n - i < FL_BLK ? n - i : FL_BLK;
            fl_sm_leaf(x + i, k, r, ebuf ? ebuf + i : loc, acc);
        }
        *s1 = (acc[2] - 1.0) + acc[0];
        *w = acc[1];
    }
    /* sum of z over finite z, and their count (label smoothing) */
    FL_INLINE void fl_zsum_pass(const double* x, int64_t n, const fl_row* r, double* zs,
                                double* cnt) {
        double bz[FL_BLK], bc[FL_BLK], sz = 0.0, sc = 0.0;
        double h = r->h, mh = r->mh, a = r->a, b = r->b;
        for (int64_t i = 0; i < n; i += FL_BLK) {
            int64_t k = n - i < FL_BLK ? n - i : FL_BLK;
            for (int64_t j = 0; j < k; j++) {
                double z = ((x[i + j] * h - mh) * a) * b;
                int fin = z > -HUGE_VAL;
                bz[j] = fin ? z : 0.0;
                bc[j] = fin ? 1.0 : 0.0;
            }
            sz += fl_sum(bz, k);
            sc += fl_sum(bc, k);
        }
        *zs = sz;
        *cnt = sc;
    }

    /* ---------------------------------------------------------------- softmax rows */
    FL_INLINE int fl_softmax_row_impl(const void* xr, int kind, int64_t n, double T,
                                      double gscale, double* xbuf, double* ebuf, double* lse,
                                      double* ent, void* logp, void* probs, void* grad,
                                      int okind) {
        fl_row r;
        const double* x = fl_load(xr, kind, n, xbuf);
        fl_setup(x, n, T, &r);
        if (r.status != FL_OK) {
            *lse = r.status == FL_MASKED ? -HUGE_VAL : NAN;
            *ent = NAN;
            fl_fill(logp, okind, n, NAN);
            fl_fill(probs, okind, n, NAN);
            fl_fill(grad, okind, n, NAN);
            return r.status;
        }
        double s1, w;
        fl_sm_pass(x, n, &r, (probs || grad) ? ebuf : (double*)0, &s1, &w);
        double logS = log1p(s1);
        double S = 1.0 + s1;
        double H = logS - w / S;
        *lse = r.m / T + logS;
        *ent = H;
        if (!(logp || probs || grad)) return FL_OK;
        double invS = 1.0 / S;
        double h = r.h, mh = r.mh, a = r.a, b = r.b;
        double bl[FL_BLK], bp[FL_BLK], bg[FL_BLK];
        for (int64_t i = 0; i < n; i += FL_BLK) {
            int64_t k = n - i < FL_BLK ? n - i : FL_BLK;
            if (logp) {
                for (int64_t j = 0; j < k; j++) bl[j] = ((x[i + j] * h - mh) * a) * b - logS;
                fl_store(logp, okind, i, bl, k);
            }
            if (probs || grad) {
                for (int64_t j = 0; j < k; j++) {
                    double z = ((x[i + j] * h - mh) * a) * b;
                    double e = ebuf[i + j];
                    double p = e * invS;
                    double t = (e > 0.0) ? p * ((z - logS) + H) : 0.0;
                    bp[j] = p;
                    bg[j] = -((((t * h) * a) * b) * gscale);
                }
                if (probs) fl_store(probs, okind, i, bp, k);
                if (grad) fl_store(grad, okind, i, bg, k);
            }
        }
        return FL_OK;
    }

    /* ---------------------------------------------------------------- KL / JS rows */
    FL_INLINE void fl_kl_fast_leaf(const double* pa, const double* qb, int64_t n,
                                   const fl_row* rp, const fl_row* rq, double* acc) {
        double b0[FL_BLK], b1[FL_BLK], b2[FL_BLK], b3[FL_BLK], b4[FL_BLK], b5[FL_BLK];
        double h = rp->h, mhp = rp->mh, mhq = rq->mh, a = rp->a, b = rp->b;
        for (int64_t j = 0; j < n; j++) {
            double za = ((pa[j] * h - mhp) * a) * b;
            double zb = ((qb[j] * h - mhq) * a) * b;
            double ea = fe_exp(za), eb = fe_exp(zb);
            int ta = (za == 0.0), tb = (zb == 0.0);
            double dz = za - zb;
            b0[j] = ta ? 0.0 : ea;
            b1[j] = ta ? 1.0 : 0.0;
            b2[j] = tb ? 0.0 : eb;
            b3[j] = tb ? 1.0 : 0.0;
            b4[j] = (ea > 0.0) ? ea * dz : 0.0;
            b5[j] = (ea > 0.0) ? ea * fabs(dz) : 0.0;
        }
        acc[0] += fl_sum(b0, n); acc[1] += fl_sum(b1, n); acc[2] += fl_sum(b2, n);
        acc[3] += fl_sum(b3, n); acc[4] += fl_sum(b4, n); acc[5] += fl_sum(b5, n);
    }
    /* u = log(P/Q) + log(Sa/Sb) = za - zb, formed from (a - b) - (ma - mb) (accurate when
       a ~ b) or as za - zb, whichever rounds less: |a - b| + |dm| against |za| + |zb| before
       scaling ((a - b) - dm loses u when both differences are huge, a 1e17 logit gap) */
    FL_INLINE double fl_u(double pv, double qv, double za, double zb, double h, double mhp,
                          double mhq, double dm, double a, double b) {
        double ph = pv * h, qh = qv * h;
        double ez = fabs(ph - mhp) + fabs(qh - mhq);
        double eu = fabs(ph - qh) + fabs(dm);
        return ez < eu ? za - zb : (((ph - qh) - dm) * a) * b;
    }
    #define FL_U(pv, qv) fl_u((pv), (qv), za, zb, h, mhp, mhq, dm, a, b)
    FL_INLINE void fl_kl_acc_leaf_a(const double* pa, const double* qb, int64_t n,
                                    const fl_row* rp, const fl_row* rq, double* acc) {
        double b0[FL_BLK], b1[FL_BLK], b2[FL_BLK];
        double h = rp->h, mhp = rp->mh, mhq = rq->mh, a = rp->a, b = rp->b, dm = mhp - mhq;
        for (int64_t j = 0; j < n; j++) {
            double za = ((pa[j] * h - mhp) * a) * b;
            double zb = ((qb[j] * h - mhq) * a) * b;
            double ea = fe_exp(za), eb = fe_exp(zb);
            double u = FL_U(pa[j], qb[j]);
            double uc = u > 0.5 ? 0.5 : (u < -0.5 ? -0.5 : u);
            double g = fe_expm1(uc);
            int tb = (zb == 0.0);
            b0[j] = tb ? 0.0 : eb;
            b1[j] = tb ? 1.0 : 0.0;
            b2[j] = (fabs(u) <= 0.5) ? eb * g : (ea - eb);   /* ea - eb, without cancellation */
        }
        acc[0] += fl_sum(b0, n); acc[1] += fl_sum(b1, n); acc[2] += fl_sum(b2, n);
    }
    FL_INLINE double fl_kl_acc_leaf_b(const double* pa, const double* qb, int64_t n,
                                      const fl_row* rp, const fl_row* rq, double c,
                                      double invSa, double invSb, int js) {
        double bt[FL_BLK];
        double h = rp->h, mhp = rp->mh, mhq = rq->mh, a = rp->a, b = rp->b, dm = mhp - mhq;
        if (js) {
            for (int64_t j = 0; j < n; j++) {
                double za = ((pa[j] * h - mhp) * a) * b;
                double zb = ((qb[j] * h - mhq) * a) * b;
                double P = fe_exp(za) * invSa, Q = fe_exp(zb) * invSb;
                double d = FL_U(pa[j], qb[j]) - c;
                bt[j] = fl_js_term(P, Q, d);
            }
        } else {
            for (int64_t j = 0; j < n; j++) {
                double za = ((pa[j] * h - mhp) * a) * b;
                double zb = ((qb[j] * h - mhq) * a) * b;
                double P = fe_exp(za) * invSa, Q = fe_exp(zb) * invSb;
                double d = FL_U(pa[j], qb[j]) - c;
                bt[j] = fl_kl_term(P, Q, d);
            }
        }
        return fl_sum(bt, n);
    }
    #undef FL_U

    FL_INLINE int fl_kl_row_impl(const void* pr, const void* qr, int kind, int64_t n, double T,
                                 int mode, double gscale, double* pbuf, double* qbuf,
                                 double* val, int* qstatus, void* gp, void* gq, int okind) {
        fl_row rp, rq;
        const double* pa = fl_load(pr, kind, n, pbuf);
        const double* qb = fl_load(qr, kind, n, qbuf);
        fl_setup(pa, n, T, &rp);
        fl_setup(qb, n, T, &rq);
        *qstatus = rq.status;
        if (rp.status != FL_OK || rq.status != FL_OK) {
            *val = NAN;
            fl_fill(gp, okind, n, NAN);
            fl_fill(gq, okind, n, NAN);
            return rp.status;
        }
        if (rp.h != rq.h) { fl_set_h(&rp, 0.5, T); fl_set_h(&rq, 0.5, T); }
        int64_t i, k;
        double acc[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        double kl = 0.0, logSa = 0.0, logSb = 0.0, Sa = 1.0, Sb = 1.0;
        int accurate = mode == 1;
        if (mode == 0) {
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                fl_kl_fast_leaf(pa + i, qb + i, k, &rp, &rq, acc);
            }
            double sa1 = (acc[1] - 1.0) + acc[0], sb1 = (acc[3] - 1.0) + acc[2];
            logSa = log1p(sa1);
            logSb = log1p(sb1);
            Sa = 1.0 + sa1;
            Sb = 1.0 + sb1;
            kl = acc[4] / Sa - (logSa - logSb);
            /* cancellation: the terms are large next to their difference */
            accurate = kl < 1e-2 * (acc[5] / Sa + logSa + logSb);
        }
        if (accurate) {
            double ac[3] = {0.0, 0.0, 0.0};
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                fl_kl_acc_leaf_a(pa + i, qb + i, k, &rp, &rq, ac);
            }
            double sb1 = (ac[1] - 1.0) + ac[0];
            Sb = 1.0 + sb1;
            double c = log1p(ac[2] / Sb);
            Sa = Sb + ac[2];
            logSb = log1p(sb1);
            logSa = logSb + c;
            double invSa = 1.0 / Sa, invSb = 1.0 / Sb;
            double s = 0.0;
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                s += fl_kl_acc_leaf_b(pa + i, qb + i, k, &rp, &rq, c, invSa, invSb, mode == 1);
            }
            kl = mode == 1 ? 0.5 * s : s;
        }
        kl = kl > 0.0 ? kl : 0.0;
        *val = kl;
        if (gp || gq) {
            double h = rp.h, mhp = rp.mh, mhq = rq.mh, a = rp.a, b = rp.b;
            double invSa = 1.0 / Sa, invSb = 1.0 / Sb, c = logSa - logSb;
            double b0[FL_BLK], b1[FL_BLK];
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                for (int64_t j = 0; j < k; j++) {
                    double za = ((pa[i + j] * h - mhp) * a) * b;
                    double zb = ((qb[i + j] * h - mhq) * a) * b;
                    double ea = fe_exp(za), eb = fe_exp(zb);
                    double P = ea * invSa;
                    double t = (ea > 0.0) ? P * (((za - zb) - c) - kl) : 0.0;
                    /* Q - P as (eb - ea) / Sb + ea (1/Sb - 1/Sa): exactly +0 where P == Q
                       even when contracted (a fused eb * invSb - P left P's rounding error,
                       1e-17 or -0.0, on identical rows) */
                    double dqp = (eb - ea) * invSb + ea * (invSb - invSa);
                    b0[j] = (((t * h) * a) * b) * gscale;
                    b1[j] = (((dqp * h) * a) * b) * gscale;
                }
                if (gp) fl_store(gp, okind, i, b0, k);
                if (gq) fl_store(gq, okind, i, b1, k);
            }
        }
        return FL_OK;
    }

    /* ---------------------------------------------------------------- cross-entropy rows */
    FL_INLINE int fl_ce_row_impl(const void* xr, int kind, int64_t n, double T, int mode,
                                 int64_t label, const void* tr, double eps, double* xbuf,
                                 double* tbuf, double* out, double* tstat, int* tstatus) {
        fl_row r, rt;
        const double* x = fl_load(xr, kind, n, xbuf);
        fl_setup(x, n, T, &r);
        rt = r;
        *tstatus = FL_OK;
        tstat[0] = 1.0;
        tstat[1] = 0.0;
        const double* t = (const double*)0;
        if (mode != 0) {
            t = fl_load(tr, kind, n, tbuf);
            if (mode == 2) {
                fl_setup(t, n, T, &rt);
                *tstatus = rt.status;
            }
        }
        if (r.status != FL_OK || *tstatus != FL_OK) { *out = NAN; return r.status; }
        if (mode == 0 && label < 0) { *out = 0.0; return FL_OK; }   /* ignore_index */
        double s1, w;
        double h = r.h, mh = r.mh, a = r.a, b = r.b;
        int64_t i, k;
        fl_sm_pass(x, n, &r, (double*)0, &s1, &w);
        double logS = log1p(s1);
        double main_term;
        if (mode == 0) {
            double zy = ((x[label] * h - mh) * a) * b;
            main_term = logS - zy;
        } else if (mode == 1) {
            double bz[FL_BLK], sz = 0.0, st = 0.0;
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                for (int64_t j = 0; j < k; j++) {
                    double z = ((x[i + j] * h - mh) * a) * b;
                    double tv = t[i + j];
                    bz[j] = (tv == 0.0) ? 0.0 : tv * z;
                }
                sz += fl_sum(bz, k);
                st += fl_sum(t + i, k);
            }
            tstat[0] = st;
            tstat[1] = fl_min(t, n);
            main_term = st * logS - sz;
        } else {
            double bz[FL_BLK], be[FL_BLK], sz = 0.0, se = 0.0;
            double ht = rt.h, mht = rt.mh, at = rt.a, bt = rt.b;
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                for (int64_t j = 0; j < k; j++) {
                    double z = ((x[i + j] * h - mh) * a) * b;
                    double et = fe_exp(((t[i + j] * ht - mht) * at) * bt);
                    be[j] = et;
                    bz[j] = (et > 0.0) ? et * z : 0.0;
                }
                sz += fl_sum(bz, k);
                se += fl_sum(be, k);
            }
            main_term = logS - sz / se;
        }
        double res = (eps < 1.0) ? (1.0 - eps) * main_term : 0.0;
        if (eps > 0.0) {
            double zs, cnt;
            fl_zsum_pass(x, n, &r, &zs, &cnt);
            res += eps * (logS - zs / cnt);
        }
        *out = res;
        return FL_OK;
    }

    /* ---------------------------------------------------------------- ensembles */
    FL_INLINE double fl_mi_leaf(const double* P, const double* LP, const double* pbar,
                                const double* lpbar, int64_t n) {
        double bt[FL_BLK];
        for (int64_t j = 0; j < n; j++) bt[j] = fl_kl_term(P[j], pbar[j], LP[j] - lpbar[j]);
        return fl_sum(bt, n);
    }
    FL_INLINE int fl_unc_finish(int64_t M, int64_t n, double alea, const double* P,
                                const double* LP, double* pbar, double* lpbar, double* res);
    FL_INLINE int fl_unc_row_impl(const char* xr, int64_t mstride, int64_t M, int kind,
                                  int64_t n, double T, double* xbuf, double* P, double* LP,
                                  double* pbar, double* lpbar, double* res) {
        fl_row r;
        int64_t m, j;
        double alea = 0.0;
        for (m = 0; m < M; m++) {
            const double* x = fl_load(xr + m * mstride, kind, n, xbuf);
            fl_setup(x, n, T, &r);
            if (r.status != FL_OK) {
                for (j = 0; j < 5; j++) res[j] = NAN;
                return r.status;
            }
            double s1, w;
            double* Pm = P + m * n;
            double* Lm = LP + m * n;
            fl_sm_pass(x, n, &r, Pm, &s1, &w);
            double logS = log1p(s1), S = 1.0 + s1, invS = 1.0 / S;
            alea += logS - w / S;
            double h = r.h, mh = r.mh, a = r.a, b = r.b;
            for (j = 0; j < n; j++) {
                Pm[j] = Pm[j] * invS;
                Lm[j] = ((x[j] * h - mh) * a) * b - logS;
            }
        }
        return fl_unc_finish(M, n, alea, P, LP, pbar, lpbar, res);
    }
    /* from the members' probabilities P, log-probabilities LP and the sum of their entropies:
       the mean prediction, its log, the MI as a sum of non-negative terms, the top two */
    FL_INLINE int fl_unc_finish(int64_t M, int64_t n, double alea, const double* P,
                                const double* LP, double* pbar, double* lpbar, double* res) {
        int64_t m, i, j, k;
        for (j = 0; j < n; j++) pbar[j] = P[j];
        for (m = 1; m < M; m++)
            for (j = 0; j < n; j++) pbar[j] += P[m * n + j];
        double invM = 1.0 / (double)M;
        for (j = 0; j < n; j++) { pbar[j] = pbar[j] * invM; lpbar[j] = fe_log(pbar[j]); }
        double mi = 0.0;
        for (m = 0; m < M; m++)
            for (i = 0; i < n; i += FL_BLK) {
                k = n - i < FL_BLK ? n - i : FL_BLK;
                mi += fl_mi_leaf(P + m * n + i, LP + m * n + i, pbar + i, lpbar + i, k);
            }
        mi = mi * invM;
        mi = mi > 0.0 ? mi : 0.0;
        alea = alea * invM;
        double t1 = -HUGE_VAL, t2 = -HUGE_VAL;
        for (j = 0; j < n; j++) {
            double v = pbar[j];
            if (v > t1) { t2 = t1; t1 = v; } else if (v > t2) { t2 = v; }
        }
        res[0] = alea + mi;
        res[1] = alea;
        res[2] = mi;
        res[3] = t1;
        res[4] = n > 1 ? t1 - t2 : t1;
        return FL_OK;
    }

    FL_INLINE void fl_exp_block_impl(const double* x, int64_t n, double* out, int which) {
        int64_t j;
        if (which == 1) for (j = 0; j < n; j++) out[j] = fe_expm1(x[j]);
        else for (j = 0; j < n; j++) out[j] = fe_exp(x[j]);
    }

    /* ---------------------------------------------------------------- one-pass rows */
    /* The common case of softmax_entropy / logsumexp (no full-size outputs), KL (mode 0, no
       gradient), cross-entropy against labels (no smoothing) and the members of
       predictive_uncertainty: rows of float64 or float32 read in place (float16 / bfloat16
       converted to a row of doubles first), |x| < 2^1023, T >= 2^-960 (so h = a = 1 and
       z = (x - m) / T is z = (x - m) b, as in fl_row). Two passes over a row that stays in
       L1: exact statistics (max and its first index, min, NaN), then one fused pass computing
       z, exp(z) and the sums, W doubles a vector (8 AVX-512, 4 AVX2, 2 SSE2 / NEON), with
       the loop flags (storage kind, T == 1, the exp's range) constant in each loop copy.
       S - 1 is summed exactly as the mass off the first maximum (that one lane is masked
       out of S), so no tie count and no per-element select. The sums run over 8 logical
       lanes, lane l of block i holding element 8 i + l, joined by a fixed tree whatever W
       is; one thread owns a row, so the result never depends on the thread count (the
       instruction set can move it by an ulp: FMA contraction, and AVX-512 takes the table
       exp). Rows whose minimum is within 707 of the maximum (after / T) take the
       clean-range exp, others (masked -inf classes, z < -707) the one with subnormal results.
       While a row is summed, the next row (the next member) is prefetched. Anything else
       (|x| >= 2^1023, T < 2^-960, KL rows that may cancel) returns -1 and takes the
       general route above, which stays the reference for those cases. */
    #if FXV
    typedef struct { double m, mn, mnf; int nan; int64_t imax; } flv_stats;
    /* W logits of storage kind 0 (float64) or 1 (float32) as doubles (GCC 12 splits the
       generic 8-wide float -> double conversion in two: AVX-512 converts with one insn) */
    #define FLV_LDG(VD, VH, W, x, kind) ({                                                  \\
        VD v_;                                                                              \\
        if ((kind) == 0) { memcpy(&v_, (x), 8 * (W)); }                                     \\
        else { VH f_; memcpy(&f_, (x), 4 * (W)); v_ = __builtin_convertvector(f_, VD); }    \\
        v_; })
    /* one instantiation of the block loop of flv*_sm_row (constant kind / bone / general) */
    #define FLV_SMB(W, K, B1, G)                                                            \\
        flv##W##_sm_blocks(xc, K, nb, bm, m, b, B1, G, keep, S, Wz, eout, ahead)
    #define FLV_LD2(x, kind) FLV_LDG(flv2_d, flv2_h, 2, x, kind)
    #define FLV_LD4(x, kind) FLV_LDG(flv4_d, flv4_h, 4, x, kind)
    /* the clean-range exp of the row loops: the table form where the table fetch is one
       instruction (AVX-512) or the loop is scalar anyway (W = 2: SSE2, NEON); AVX2's gathers
       cost more than the two polynomial terms they save, so it takes FXV_EXP_CLEAN */
    #define FLV_FETCHG(VI, W, ix, tab) ({                                                   \
        VI ix_ = (ix), o_;                                                                  \
        for (int l_ = 0; l_ < (W); l_++) {                                                  \
            int64_t v_;                                                                     \
            memcpy(&v_, (const char*)(tab) + 8 * (ix_[l_] & 15), 8);                        \
            o_[l_] = v_;                                                                    \
        }                                                                                   \
        o_; })
    #define FLV_FETCH2(ix, tab) FLV_FETCHG(flv2_i, 2, ix, tab)
    #define FLV_FETCH4(ix, tab) FLV_FETCHG(flv4_i, 4, ix, tab)
    #define FLV_EXPC2(z) FXV_EXPT_CLEAN(flv2_d, flv2_i, z, FLV_FETCH2)
    #define FLV_EXPC4(z) FXV_EXP_CLEAN(flv4_d, flv4_i, z)
    #define FLV_EXPC8(z) FXV_EXPT_CLEAN(flv8_d, flv8_i, z, FLV_FETCH8)
    #if FL_DISPATCH
    #  include <immintrin.h>
    #  define FLV_FETCH8(ix, tab) ((flv8_i)_mm512_permutex2var_pd(                          \
        _mm512_load_pd((const double*)(tab)), (__m512i)(ix),                                \
        _mm512_load_pd((const double*)(tab) + 8)))
    #  define FLV_LD8(x, kind) ({                                                           \\
        flv8_d v_;                                                                          \\
        if ((kind) == 0) memcpy(&v_, (x), 64);                                              \\
        else v_ = (flv8_d)_mm512_cvtps_pd(_mm256_loadu_ps((const float*)(x)));              \\
        v_; })
    #endif
    #define FLV_WIDTH(W, ATTR)                                                                   \\
    typedef double flv##W##_d __attribute__((vector_size(8 * W)));                               \\
    typedef int64_t flv##W##_i __attribute__((vector_size(8 * W)));                              \\
    typedef float flv##W##_h __attribute__((vector_size(4 * W)));                                \\
    typedef float flv##W##_g __attribute__((vector_size(8 * W)));                                \\
    typedef int32_t flv##W##_gi __attribute__((vector_size(8 * W)));                             \\
                                                                                                 \\
    /* the fixed tree over the 8 logical lanes held in 8 / W vectors */                          \\
    FL_INLINE ATTR                                                                               \\
    double flv##W##_hsum(const flv##W##_d* v) {                                                  \\
        double l[8];                                                                             \\
        for (int h = 0; h < 8 / W; h++)                                                          \\
            for (int j = 0; j < W; j++) l[h * W + j] = v[h][j];                                  \\
        return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));                \\
    }                                                                                            \\
                                                                                                 \\
    /* Row statistics, exact: the maximum and the first index holding it, the minimum, a NaN     \\
       flag and (float64 rows) the minimum over entries above -inf, for the "huge" test. The     \\
       float32 pass reads 2 W floats a vector (int32 indices: rows below 2^31 entries). */       \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_stats_f32(const float* x, int64_t n, flv_stats* s) {                           \\
        const float inf = HUGE_VALF;                                                             \\
        flv##W##_g mx, mn;                                                                       \\
        flv##W##_gi ix, cur, nn;                                                                 \\
        for (int j = 0; j < 2 * W; j++) {                                                        \\
            mx[j] = -inf; mn[j] = inf; ix[j] = j; cur[j] = j; nn[j] = 0;                         \\
        }                                                                                        \\
        int64_t i = 0;                                                                           \\
        for (; i + 2 * W <= n; i += 2 * W) {                                                     \\
            flv##W##_g v;                                                                        \\
            memcpy(&v, x + i, 8 * W);                                                            \\
            flv##W##_gi g = v > mx, l = v < mn;                                                  \\
            mx = FXV_SEL(flv##W##_gi, g, v, mx);                                                 \\
            ix = (g & cur) | (~g & ix);                                                          \\
            mn = FXV_SEL(flv##W##_gi, l, v, mn);                                                 \\
            nn |= (v != v);                                                                      \\
            cur += 2 * W;                                                                        \\
        }                                                                                        \\
        float m = -inf, lo = inf;                                                                \\
        int64_t im = 0;                                                                          \\
        int nan = 0;                                                                             \\
        for (int j = 0; j < 2 * W; j++) {                                                        \\
            if (mx[j] > m || (mx[j] == m && ix[j] < im)) { m = mx[j]; im = ix[j]; }              \\
            lo = mn[j] < lo ? mn[j] : lo;                                                        \\
            nan |= nn[j] != 0;                                                                   \\
        }                                                                                        \\
        for (; i < n; i++) {                                                                     \\
            float v = x[i];                                                                      \\
            if (v > m) { m = v; im = i; }                                                        \\
            lo = v < lo ? v : lo;                                                                \\
            nan |= v != v;                                                                       \\
        }                                                                                        \\
        s->m = m; s->mn = lo; s->mnf = lo; s->nan = nan; s->imax = im;                           \\
    }                                                                                            \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_stats_f64(const double* x, int64_t n, flv_stats* s) {                          \\
        flv##W##_d mx, mn, mf;                                                                   \\
        flv##W##_i ix, cur, nn;                                                                  \\
        for (int j = 0; j < W; j++) {                                                            \\
            mx[j] = -HUGE_VAL; mn[j] = HUGE_VAL; mf[j] = HUGE_VAL;                               \\
            ix[j] = j; cur[j] = j; nn[j] = 0;                                                    \\
        }                                                                                        \\
        int64_t i = 0;                                                                           \\
        for (; i + W <= n; i += W) {                                                             \\
            flv##W##_d v;                                                                        \\
            memcpy(&v, x + i, 8 * W);                                                            \\
            flv##W##_i g = v > mx, l = v < mn, f = (v < mf) & (v > -HUGE_VAL);                   \\
            mx = FXV_SEL(flv##W##_i, g, v, mx);                                                  \\
            ix = (g & cur) | (~g & ix);                                                          \\
            mn = FXV_SEL(flv##W##_i, l, v, mn);                                                  \\
            mf = FXV_SEL(flv##W##_i, f, v, mf);                                                  \\
            nn |= (v != v);                                                                      \\
            cur += W;                                                                            \\
        }                                                                                        \\
        double m = -HUGE_VAL, lo = HUGE_VAL, lf = HUGE_VAL;                                      \\
        int64_t im = 0;                                                                          \\
        int nan = 0;                                                                             \\
        for (int j = 0; j < W; j++) {                                                            \\
            if (mx[j] > m || (mx[j] == m && ix[j] < im)) { m = mx[j]; im = ix[j]; }              \\
            lo = mn[j] < lo ? mn[j] : lo;                                                        \\
            lf = mf[j] < lf ? mf[j] : lf;                                                        \\
            nan |= nn[j] != 0;                                                                   \\
        }                                                                                        \\
        for (; i < n; i++) {                                                                     \\
            double v = x[i];                                                                     \\
            if (v > m) { m = v; im = i; }                                                        \\
            lo = v < lo ? v : lo;                                                                \\
            lf = (v < lf && v > -HUGE_VAL) ? v : lf;                                             \\
            nan |= v != v;                                                                       \\
        }                                                                                        \\
        s->m = m; s->mn = lo; s->mnf = lf; s->nan = nan; s->imax = im;                           \\
    }                                                                                            \\
    /* status of a row from its statistics (as fl_setup); 0 when the one-pass route applies,     \\
       -1 when the row needs the general route (|x| >= 2^1023, or T < 2^-960) */                 \\
    FL_INLINE ATTR                                                                               \\
    int flv##W##_status(const flv_stats* s, double T, int* route) {                              \\
        int st = s->nan ? FL_NAN : (s->m == HUGE_VAL ? FL_POSINF                                 \\
                                    : (s->m == -HUGE_VAL ? FL_MASKED : FL_OK));                  \\
        *route = (s->m < 0x1p1023) & (s->mnf > -0x1p1023) & (T >= 0x1p-960);                     \\
        return st;                                                                               \\
    }                                                                                            \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_stats(const void* x, int kind, int64_t n, flv_stats* s) {                      \\
        if (kind == 0) flv##W##_stats_f64((const double*)x, n, s);                               \\
        else flv##W##_stats_f32((const float*)x, n, s);                                          \\
    }                                                                                            \\
                                                                                                 \\
    /* ---- softmax sums: one block of 8 logits. z = (x - m) b (b = 1/T; bone: b == 1, the       \\
       product skipped: it is exact), e = exp(z); W += e z, S += e over the lanes in keep        \\
       (or all). general: some z < -707 or -inf, clamped at -746 where e is 0 (e z = 0). */      \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_sm_block(const char* xb, int kind, double m, double b, int bone,               \\
                           int general, const flv##W##_i* keep, flv##W##_d* S,                   \\
                           flv##W##_d* Wz, double* eout, int64_t ahead) {                        \\
        int isz = kind == 0 ? 8 : 4;                                                             \\
        if (ahead) __builtin_prefetch(xb + ahead);                                               \\
        for (int h = 0; h < 8 / W; h++) {                                                        \\
            flv##W##_d z = FLV_LD##W(xb + h * W * isz, kind) - m;                                \\
            if (!bone) z = z * b;                                                                \\
            flv##W##_d e;                                                                        \\
            if (general) {                                                                       \\
                z = FXV_SEL(flv##W##_i, z < -746.0, (flv##W##_d){0} + -746.0, z);                \\
                e = FXV_EXP_NEG(flv##W##_d, flv##W##_i, z);                                      \\
            } else {                                                                             \\
                e = FLV_EXPC##W(z);                                                              \\
            }                                                                                    \\
            Wz[h] += e * z;                                                                      \\
            if (eout) memcpy(eout + h * W, &e, 8 * W);                                           \\
            if (keep) e = (flv##W##_d)((flv##W##_i)e & keep[h]);                                 \\
            S[h] += e;                                                                           \\
        }                                                                                        \\
    }                                                                                            \\
    /* blocks [0, nb), the block bm (if < nb) masked by keep; constant flags once inlined;       \\
       e to eout (if not NULL) */                                                                \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_sm_blocks(const char* xc, int kind, int64_t nb, int64_t bm, double m,          \\
                            double b, int bone, int general, const flv##W##_i* keep,             \\
                            flv##W##_d* S, flv##W##_d* Wz, double* eout, int64_t ahead) {        \\
        int isz = kind == 0 ? 8 : 4;                                                             \\
        int64_t i, e1 = bm < nb ? bm : nb;                                                       \\
        for (i = 0; i < e1; i++)                                                                 \\
            flv##W##_sm_block(xc + 8 * i * isz, kind, m, b, bone, general, 0, S, Wz,             \\
                              eout ? eout + 8 * i : eout, ahead);                                \\
        if (bm < nb)                                                                             \\
            flv##W##_sm_block(xc + 8 * bm * isz, kind, m, b, bone, general, keep, S, Wz,         \\
                              eout ? eout + 8 * bm : eout, ahead);                               \\
        for (i = e1 + 1; i < nb; i++)                                                            \\
            flv##W##_sm_block(xc + 8 * i * isz, kind, m, b, bone, general, 0, S, Wz,             \\
                              eout ? eout + 8 * i : eout, ahead);                                \\
    }                                                                                            \\
    /* S - 1 (the sum of e off the first maximum, exactly the mass there) and W = sum e z */     \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_sm_row(const void* x, int kind, int64_t n, double m, double b,                 \\
                         int64_t imax, int general, double* eout, int64_t ahead, double* s1,     \\
                         double* w) {                                                            \\
        const char* xc = (const char*)x;                                                         \\
        int bone = b == 1.0;                                                                     \\
        flv##W##_d S[8 / W], Wz[8 / W], zero;                                                    \\
        flv##W##_i keep[8 / W], lanes;                                                           \\
        for (int j = 0; j < W; j++) { zero[j] = 0.0; lanes[j] = j; }                             \\
        for (int h = 0; h < 8 / W; h++) {                                                        \\
            S[h] = zero; Wz[h] = zero; keep[h] = (lanes + h * W) != (imax % 8);                  \\
        }                                                                                        \\
        int64_t nb = n / 8, bm = imax / 8;                                                       \\
        switch ((kind == 1) * 4 + bone * 2 + (general != 0)) {                                   \\
        case 0: FLV_SMB(W, 0, 0, 0); break;                                                      \\
        case 1: FLV_SMB(W, 0, 0, 1); break;                                                      \\
        case 2: FLV_SMB(W, 0, 1, 0); break;                                                      \\
        case 3: FLV_SMB(W, 0, 1, 1); break;                                                      \\
        case 4: FLV_SMB(W, 1, 0, 0); break;                                                      \\
        case 5: FLV_SMB(W, 1, 0, 1); break;                                                      \\
        case 6: FLV_SMB(W, 1, 1, 0); break;                                                      \\
        default: FLV_SMB(W, 1, 1, 1); break;                                                     \\
        }                                                                                        \\
        int64_t r = n - 8 * nb;                                                                  \\
        if (r) {   /* the last partial block, padded with the maximum (z = 0) and masked */      \\
            double pd[8];                                                                        \\
            float pf[8];                                                                         \\
            for (int j = 0; j < 8; j++) { pd[j] = m; pf[j] = (float)m; }                         \\
            for (int j = 0; j < r; j++) {                                                        \\
                if (kind == 0) pd[j] = ((const double*)x)[8 * nb + j];                           \\
                else pf[j] = ((const float*)x)[8 * nb + j];                                      \\
            }                                                                                    \\
            for (int h = 0; h < 8 / W; h++) {                                                    \\
                flv##W##_i l = lanes + h * W;                                                    \\
                keep[h] = (l < r) & ((bm == nb) ? (l != imax % 8) : (l == l));                   \\
            }                                                                                    \\
            double et[8];                                                                        \\
            flv##W##_sm_block(kind == 0 ? (const char*)pd : (const char*)pf, kind, m, b, bone,   \\
                              general, keep, S, Wz, et, 0);                                      \\
            if (eout) for (int j = 0; j < r; j++) eout[8 * nb + j] = et[j];                      \\
        }                                                                                        \\
        *s1 = flv##W##_hsum(S);                                                                  \\
        *w = flv##W##_hsum(Wz);                                                                  \\
    }                                                                                            \\
                                                                                                 \\
    /* ---- KL sums: one block of 8 logit pairs. Sa, Sb as S above (each off its own first       \\
       maximum), Wd += ea (za - zb), Ad += ea |za - zb| (0 where ea = 0) */                      \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_kl_block(const char* pb, const char* qb, int kind, double mp,                  \\
                           double mq, double b, int bone, int general,                           \\
                           const flv##W##_i* kp, const flv##W##_i* kq,                           \\
                           flv##W##_d* Sa, flv##W##_d* Sb, flv##W##_d* Wd,                       \\
                           flv##W##_d* Ad, int64_t ahead) {                                      \\
        int isz = kind == 0 ? 8 : 4;                                                             \\
        if (ahead) { __builtin_prefetch(pb + ahead); __builtin_prefetch(qb + ahead); }           \\
        flv##W##_i nosign = (flv##W##_i){0} + 0x7fffffffffffffffLL;                              \\
        for (int h = 0; h < 8 / W; h++) {                                                        \\
            flv##W##_d za = FLV_LD##W(pb + h * W * isz, kind) - mp;                              \\
            flv##W##_d zb = FLV_LD##W(qb + h * W * isz, kind) - mq;                              \\
            if (!bone) { za = za * b; zb = zb * b; }                                             \\
            flv##W##_d ea, eb, dz = za - zb, t, at;                                              \\
            if (general) {                                                                       \\
                flv##W##_d lo = (flv##W##_d){0} + -746.0;                                        \\
                ea = FXV_EXP_NEG(flv##W##_d, flv##W##_i, FXV_SEL(flv##W##_i, za < lo, lo, za));  \\
                eb = FXV_EXP_NEG(flv##W##_d, flv##W##_i, FXV_SEL(flv##W##_i, zb < lo, lo, zb));  \\
                flv##W##_i pos = ea > 0.0;                                                       \\
                flv##W##_d adz = (flv##W##_d)((flv##W##_i)dz & nosign);                          \\
                t = (flv##W##_d)((flv##W##_i)(ea * dz) & pos);                                   \\
                at = (flv##W##_d)((flv##W##_i)(ea * adz) & pos);                                 \\
            } else {                                                                             \\
                ea = FLV_EXPC##W(za);                                                            \\
                eb = FLV_EXPC##W(zb);                                                            \\
                t = ea * dz;                                                                     \\
                at = ea * (flv##W##_d)((flv##W##_i)dz & nosign);                                 \\
            }                                                                                    \\
            Wd[h] += t;                                                                          \\
            Ad[h] += at;                                                                         \\
            if (kp) ea = (flv##W##_d)((flv##W##_i)ea & kp[h]);                                   \\
            if (kq) eb = (flv##W##_d)((flv##W##_i)eb & kq[h]);                                   \\
            Sa[h] += ea;                                                                         \\
            Sb[h] += eb;                                                                         \\
        }                                                                                        \\
    }                                                                                            \\
    /* blocks [0, nb), the blocks bp and bq masked by kp / kq; constant flags once inlined */    \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_kl_blocks(const char* pc, const char* qc, int kind, int64_t nb,                \\
                            int64_t bp, int64_t bq, double mp, double mq, double b,              \\
                            int bone, int general, const flv##W##_i* kp,                         \\
                            const flv##W##_i* kq, flv##W##_d* Sa, flv##W##_d* Sb,                \\
                            flv##W##_d* Wd, flv##W##_d* Ad, int64_t ahead) {                     \\
        int isz = kind == 0 ? 8 : 4;                                                             \\
        int64_t i = 0;                                                                           \\
        while (i < nb) {                                                                         \\
            /* the next special block (nb if none is left) */                                    \\
            int64_t sp = bp >= i ? bp : nb, sq = bq >= i ? bq : nb;                              \\
            int64_t e = sp < sq ? sp : sq;                                                       \\
            e = e < nb ? e : nb;                                                                 \\
            for (; i < e; i++)                                                                   \\
                flv##W##_kl_block(pc + 8 * i * isz, qc + 8 * i * isz, kind, mp, mq, b, bone,     \\
                                  general, 0, 0, Sa, Sb, Wd, Ad, ahead);                         \\
            if (i < nb) {                                                                        \\
                flv##W##_kl_block(pc + 8 * i * isz, qc + 8 * i * isz, kind, mp, mq, b, bone,     \\
                                  general, i == bp ? kp : 0, i == bq ? kq : 0, Sa, Sb, Wd,       \\
                                  Ad, ahead);                                                    \\
                i++;                                                                             \\
            }                                                                                    \\
        }                                                                                        \\
    }                                                                                            \\
    /* acc: Sa - 1, Sb - 1, sum ea (za - zb), sum ea |za - zb| */                                \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_kl_row(const void* p, const void* q, int kind, int64_t n,                      \\
                         double mp, double mq, double b, int64_t ip, int64_t iq,                 \\
                         int general, double* acc) {                                             \\
        const char* pc = (const char*)p;                                                         \\
        const char* qc = (const char*)q;                                                         \\
        int bone = b == 1.0, isz = kind == 0 ? 8 : 4;                                            \\
        flv##W##_d Sa[8 / W], Sb[8 / W], Wd[8 / W], Ad[8 / W], zero;                             \\
        flv##W##_i keep_p[8 / W], keep_q[8 / W], lanes;                                          \\
        for (int j = 0; j < W; j++) { zero[j] = 0.0; lanes[j] = j; }                             \\
        for (int h = 0; h < 8 / W; h++) {                                                        \\
            Sa[h] = zero; Sb[h] = zero; Wd[h] = zero; Ad[h] = zero;                              \\
            keep_p[h] = (lanes + h * W) != (ip % 8);                                             \\
            keep_q[h] = (lanes + h * W) != (iq % 8);                                             \\
        }                                                                                        \\
        int64_t nb = n / 8, bp = ip / 8, bq = iq / 8;                                            \\
        switch ((kind == 1) * 4 + bone * 2 + (general != 0)) {                                   \\
        case 0: flv##W##_kl_blocks(pc, qc, 0, nb, bp, bq, mp, mq, b, 0, 0, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 1: flv##W##_kl_blocks(pc, qc, 0, nb, bp, bq, mp, mq, b, 0, 1, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 2: flv##W##_kl_blocks(pc, qc, 0, nb, bp, bq, mp, mq, b, 1, 0, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 3: flv##W##_kl_blocks(pc, qc, 0, nb, bp, bq, mp, mq, b, 1, 1, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 4: flv##W##_kl_blocks(pc, qc, 1, nb, bp, bq, mp, mq, b, 0, 0, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 5: flv##W##_kl_blocks(pc, qc, 1, nb, bp, bq, mp, mq, b, 0, 1, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        case 6: flv##W##_kl_blocks(pc, qc, 1, nb, bp, bq, mp, mq, b, 1, 0, keep_p, keep_q,       \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        default: flv##W##_kl_blocks(pc, qc, 1, nb, bp, bq, mp, mq, b, 1, 1, keep_p, keep_q,      \\
                                    Sa, Sb, Wd, Ad, n * isz); break;                             \\
        }                                                                                        \\
        int64_t r = n - 8 * nb;                                                                  \\
        if (r) {   /* padded with the maxima (za = zb = 0) and masked */                         \\
            double pd[8], qd[8];                                                                 \\
            float pf[8], qf[8];                                                                  \\
            for (int j = 0; j < 8; j++) {                                                        \\
                pd[j] = mp; qd[j] = mq; pf[j] = (float)mp; qf[j] = (float)mq;                    \\
            }                                                                                    \\
            for (int j = 0; j < r; j++) {                                                        \\
                if (kind == 0) {                                                                 \\
                    pd[j] = ((const double*)p)[8 * nb + j];                                      \\
                    qd[j] = ((const double*)q)[8 * nb + j];                                      \\
                } else {                                                                         \\
                    pf[j] = ((const float*)p)[8 * nb + j];                                       \\
                    qf[j] = ((const float*)q)[8 * nb + j];                                       \\
                }                                                                                \\
            }                                                                                    \\
            for (int h = 0; h < 8 / W; h++) {                                                    \\
                flv##W##_i l = lanes + h * W;                                                    \\
                keep_p[h] = (l < r) & ((bp == nb) ? (l != ip % 8) : (l == l));                   \\
                keep_q[h] = (l < r) & ((bq == nb) ? (l != iq % 8) : (l == l));                   \\
            }                                                                                    \\
            flv##W##_kl_block(kind == 0 ? (const char*)pd : (const char*)pf,                     \\
                              kind == 0 ? (const char*)qd : (const char*)qf, kind, mp, mq, b,    \\
                              bone, general, keep_p, keep_q, Sa, Sb, Wd, Ad, 0);                 \\
        }                                                                                        \\
        acc[0] = flv##W##_hsum(Sa);                                                              \\
        acc[1] = flv##W##_hsum(Sb);                                                              \\
        acc[2] = flv##W##_hsum(Wd);                                                              \\
        acc[3] = flv##W##_hsum(Ad);                                                              \\
    }                                                                                            \\
                                                                                                 \\
    /* ---- the one-pass rows. Each returns the row status, or -1: "take the general route"      \\
       (|x| >= 2^1023, T < 2^-960, or, for KL, rows that may cancel). f16/bf16 rows are          \\
       converted to doubles in xbuf first. */                                                    \\
    FL_INLINE ATTR                                                                               \\
    int flv##W##_softmax(const void* xr, int kind, int64_t n, double T, double* xbuf,            \\
                         double* lse, double* ent) {                                             \\
        const void* x = xr;                                                                      \\
        if (kind >= 2) { x = fl_load(xr, kind, n, xbuf); kind = 0; }                             \\
        if (kind == 1 && n >= 0x7fffffffLL) return -1;                                           \\
        flv_stats s;                                                                             \\
        int route;                                                                               \\
        flv##W##_stats(x, kind, n, &s);                                                          \\
        int st = flv##W##_status(&s, T, &route);                                                 \\
        if (st != FL_OK) {                                                                       \\
            *lse = st == FL_MASKED ? -HUGE_VAL : NAN;                                            \\
            *ent = NAN;                                                                          \\
            return st;                                                                           \\
        }                                                                                        \\
        if (!route) return -1;                                                                   \\
        double b = 1.0 / T;                                                                      \\
        double z0 = (s.mn - s.m) * b;                                                            \\
        double s1, w;                                                                            \\
        flv##W##_sm_row(x, kind, n, s.m, b, s.imax, !(z0 >= -707.0), 0,                          \\
                        x == xr ? n * (kind ? 4 : 8) : 0, &s1, &w);                              \\
        double logS = log1p(s1);                                                                 \\
        *lse = s.m / T + logS;                                                                   \\
        *ent = logS - w / (1.0 + s1);                                                            \\
        return FL_OK;                                                                            \\
    }                                                                                            \\
    FL_INLINE ATTR                                                                               \\
    int flv##W##_kl(const void* pr, const void* qr, int kind, int64_t n, double T,               \\
                    double* pbuf, double* qbuf, double* val, int* qstatus) {                     \\
        const void* p = pr;                                                                      \\
        const void* q = qr;                                                                      \\
        if (kind >= 2) {                                                                         \\
            p = fl_load(pr, kind, n, pbuf);                                                      \\
            q = fl_load(qr, kind, n, qbuf);                                                      \\
            kind = 0;                                                                            \\
        }                                                                                        \\
        if (kind == 1 && n >= 0x7fffffffLL) return -1;                                           \\
        flv_stats sp, sq;                                                                        \\
        int rp, rq;                                                                              \\
        flv##W##_stats(p, kind, n, &sp);                                                         \\
        flv##W##_stats(q, kind, n, &sq);                                                         \\
        int stp = flv##W##_status(&sp, T, &rp);                                                  \\
        int stq = flv##W##_status(&sq, T, &rq);                                                  \\
        *qstatus = stq;                                                                          \\
        if (stp != FL_OK || stq != FL_OK) { *val = NAN; return stp; }                            \\
        if (!(rp && rq)) return -1;                                                              \\
        double b = 1.0 / T;                                                                      \\
        double zp = (sp.mn - sp.m) * b, zq = (sq.mn - sq.m) * b;                                 \\
        double acc[4];                                                                           \\
        flv##W##_kl_row(p, q, kind, n, sp.m, sq.m, b, sp.imax, sq.imax,                          \\
                        !(zp >= -707.0 && zq >= -707.0), acc);                                   \\
        double logSa = log1p(acc[0]), logSb = log1p(acc[1]), Sa = 1.0 + acc[0];                  \\
        double kl = acc[2] / Sa - (logSa - logSb);                                               \\
        /* cancellation: the terms are large next to their difference (the general route         \\
           then takes the term-by-term sum) */                                                   \\
        if (kl < 1e-2 * (acc[3] / Sa + logSa + logSb)) return -1;                                \\
        *val = kl > 0.0 ? kl : 0.0;                                                              \\
        return FL_OK;                                                                            \\
    }                                                                                            \\
    /* cross-entropy against a class index, no smoothing: log S - z_label */                     \\
    FL_INLINE ATTR                                                                               \\
    int flv##W##_ce_label(const void* xr, int kind, int64_t n, double T,                         \\
                          int64_t label, double* xbuf, double* out) {                            \\
        const void* x = xr;                                                                      \\
        if (kind >= 2) { x = fl_load(xr, kind, n, xbuf); kind = 0; }                             \\
        if (kind == 1 && n >= 0x7fffffffLL) return -1;                                           \\
        flv_stats s;                                                                             \\
        int route;                                                                               \\
        flv##W##_stats(x, kind, n, &s);                                                          \\
        int st = flv##W##_status(&s, T, &route);                                                 \\
        if (st != FL_OK) { *out = NAN; return st; }                                              \\
        if (label < 0) { *out = 0.0; return FL_OK; }   /* ignore_index */                        \\
        if (!route) return -1;                                                                   \\
        double b = 1.0 / T;                                                                      \\
        double z0 = (s.mn - s.m) * b;                                                            \\
        double s1, w;                                                                            \\
        flv##W##_sm_row(x, kind, n, s.m, b, s.imax, !(z0 >= -707.0), 0,                          \\
                        x == xr ? n * (kind ? 4 : 8) : 0, &s1, &w);                              \\
        double xl = kind == 0 ? ((const double*)x)[label] : (double)((const float*)x)[label];    \\
        double zy = b == 1.0 ? xl - s.m : (xl - s.m) * b;                                        \\
        *out = log1p(s1) - zy;                                                                   \\
        return FL_OK;                                                                            \\
    }                                                                                            \\
                                                                                                 \\
    /* predictive uncertainty of one row of M members: the member pass of fl_unc_row_impl on     \\
       the one-pass route (e stored to P, then normalised; LP = z - log S), then the shared      \\
       fl_unc_finish */                                                                          \\
    FL_INLINE ATTR                                                                               \\
    int flv##W##_unc(const char* xr, int64_t mstride, int64_t M, int kind, int64_t n, double T,  \\
                     double* xbuf, double* P, double* LP, double* pbar, double* lpbar,           \\
                     double* res) {                                                              \\
        if (kind == 1 && n >= 0x7fffffffLL) return -1;                                           \\
        double alea = 0.0, b = 1.0 / T;                                                          \\
        for (int64_t mm = 0; mm < M; mm++) {                                                     \\
            const void* x = xr + mm * mstride;                                                   \\
            int k = kind;                                                                        \\
            if (k >= 2) { x = fl_load(x, k, n, xbuf); k = 0; }                                   \\
            flv_stats s;                                                                         \\
            int route;                                                                           \\
            flv##W##_stats(x, k, n, &s);                                                         \\
            int st = flv##W##_status(&s, T, &route);                                             \\
            if (st != FL_OK) {                                                                   \\
                for (int j = 0; j < 5; j++) res[j] = NAN;                                        \\
                return st;                                                                       \\
            }                                                                                    \\
            if (!route) return -1;                                                               \\
            double z0 = (s.mn - s.m) * b;                                                        \\
            double s1, w;                                                                        \\
            double* Pm = P + mm * n;                                                             \\
            double* Lm = LP + mm * n;                                                            \\
            flv##W##_sm_row(x, k, n, s.m, b, s.imax, !(z0 >= -707.0), Pm,                        \\
                            (mm + 1 < M && k == kind) ? mstride : 0, &s1, &w);                   \\
            double logS = log1p(s1), S = 1.0 + s1, invS = 1.0 / S, m = s.m;                      \\
            alea += logS - w / S;                                                                \\
            if (k == 0) {                                                                        \\
                const double* xd = (const double*)x;                                             \\
                for (int64_t j = 0; j < n; j++) {                                                \\
                    Pm[j] = Pm[j] * invS;                                                        \\
                    Lm[j] = (xd[j] - m) * b - logS;                                              \\
                }                                                                                \\
            } else {                                                                             \\
                const float* xf = (const float*)x;                                               \\
                for (int64_t j = 0; j < n; j++) {                                                \\
                    Pm[j] = Pm[j] * invS;                                                        \\
                    Lm[j] = ((double)xf[j] - m) * b - logS;                                      \\
                }                                                                                \\
            }                                                                                    \\
        }                                                                                        \\
        return fl_unc_finish(M, n, alea, P, LP, pbar, lpbar, res);                               \\
    }                                                                                            \\
                                                                                                 \\
    /* the test hook: which 2: FXV_EXP_CLEAN (-707 <= x <= 0), 3: FXV_EXP_NEG (x <= 0),          \\
       4: FXV_EXPT_CLEAN (-707 <= x <= 0) with this width's table fetch */                       \\
    FL_INLINE ATTR                                                                               \\
    void flv##W##_exp_block(const double* x, int64_t n, double* out, int which) {                \\
        for (int64_t i = 0; i < n; i += W) {                                                     \\
            double buf[W];                                                                       \\
            int64_t k = n - i < W ? n - i : W;                                                   \\
            for (int j = 0; j < W; j++) buf[j] = j < k ? x[i + j] : 0.0;                         \\
            flv##W##_d v;                                                                        \\
            memcpy(&v, buf, 8 * W);                                                              \\
            if (which == 2) {                                                                    \\
                v = FXV_EXP_CLEAN(flv##W##_d, flv##W##_i, v);                                    \\
            } else if (which == 4) {                                                             \\
                v = FXV_EXPT_CLEAN(flv##W##_d, flv##W##_i, v, FLV_FETCH##W);                     \\
            } else {                                                                             \\
                v = FXV_SEL(flv##W##_i, v < -746.0, (flv##W##_d){0} + -746.0, v);                \\
                v = FXV_EXP_NEG(flv##W##_d, flv##W##_i, v);                                      \\
            }                                                                                    \\
            memcpy(buf, &v, 8 * W);                                                              \\
            for (int j = 0; j < k; j++) out[i + j] = buf[j];                                     \\
        }                                                                                        \\
    }
    FLV_WIDTH(2, )
    #if FL_DISPATCH
    FLV_WIDTH(4, __attribute__((target("avx2,fma"))))
    FLV_WIDTH(8, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma,"
                                       "prefer-vector-width=512"))))
    #endif
    #  define FLV_TRY(expr) { int st_ = (expr); if (st_ >= 0) return st_; }
    #else
    #  define FLV_TRY(expr) {}
    #endif

    /* ---------------------------------------------------------------- dispatch */
    #define FL_DEFINE(SUF, ATTR, W)                                                          \
    static ATTR FL_NOINLINE int fl_softmax_row_##SUF(const void* xr, int kind, int64_t n,    \
            double T, double gscale, double* xbuf, double* ebuf, double* lse, double* ent,   \
            void* logp, void* probs, void* grad, int okind) {                                \
        if (!(logp || probs || grad))                                                        \
            FLV_TRY(flv##W##_softmax(xr, kind, n, T, xbuf, lse, ent))                        \
        return fl_softmax_row_impl(xr, kind, n, T, gscale, xbuf, ebuf, lse, ent, logp,      \
                                   probs, grad, okind);                                      \
    }                                                                                        \
    static ATTR FL_NOINLINE int fl_kl_row_##SUF(const void* pr, const void* qr, int kind,    \
            int64_t n, double T, int mode, double gscale, double* pbuf, double* qbuf,        \
            double* val, int* qstatus, void* gp, void* gq, int okind) {                      \
        if (mode == 0 && !(gp || gq))                                                        \
            FLV_TRY(flv##W##_kl(pr, qr, kind, n, T, pbuf, qbuf, val, qstatus))               \
        return fl_kl_row_impl(pr, qr, kind, n, T, mode, gscale, pbuf, qbuf, val, qstatus,   \
                              gp, gq, okind);                                                \
    }                                                                                        \
    static ATTR FL_NOINLINE int fl_ce_row_##SUF(const void* xr, int kind, int64_t n,         \
            double T, int mode, int64_t label, const void* tr, double eps, double* xbuf,     \
            double* tbuf, double* out, double* tstat, int* tstatus) {                        \
        if (mode == 0 && eps == 0.0) {                                                       \
            tstat[0] = 1.0;                                                                  \
            tstat[1] = 0.0;                                                                  \
            *tstatus = FL_OK;                                                                \
            FLV_TRY(flv##W##_ce_label(xr, kind, n, T, label, xbuf, out))                     \
        }                                                                                    \
        return fl_ce_row_impl(xr, kind, n, T, mode, label, tr, eps, xbuf, tbuf, out, tstat, \
                              tstatus);                                                      \
    }                                                                                        \
    static ATTR FL_NOINLINE int fl_unc_row_##SUF(const char* xr, int64_t mstride, int64_t M, \
            int kind, int64_t n, double T, double* xbuf, double* P, double* LP, double* pbar, \
            double* lpbar, double* res) {                                                    \
        FLV_TRY(flv##W##_unc(xr, mstride, M, kind, n, T, xbuf, P, LP, pbar, lpbar, res))     \
        return fl_unc_row_impl(xr, mstride, M, kind, n, T, xbuf, P, LP, pbar, lpbar, res);  \
    }                                                                                        \
    static ATTR FL_NOINLINE void fl_exp_block_##SUF(const double* x, int64_t n, double* out, \
                                                    int which) {                             \
        FLV_EXP_HOOK(W)                                                                      \
        fl_exp_block_impl(x, n, out, which);                                                 \
    }
    #if FXV
    #  define FLV_EXP_HOOK(W) if (which >= 2) { flv##W##_exp_block(x, n, out, which); return; }
    #else
    #  define FLV_EXP_HOOK(W)
    #endif

    FL_DEFINE(base, , 2)
    #if FL_DISPATCH
    FL_DEFINE(avx2, __attribute__((target("avx2,fma"))), 4)
    FL_DEFINE(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma,"
                                            "prefer-vector-width=512"))), 8)
    /* 2: AVX-512F (8 doubles a vector), 1: AVX2+FMA, 0: baseline; same values within the
       tested accuracy (FMA contraction may move a result by an ulp). */
    static int fl_isa(void) {
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
    #  define FL_PICK(f, args) (fl_isa() == 2 ? f##_avx512 args                            \
                                : (fl_isa() == 1 ? f##_avx2 args : f##_base args))
    #else
    #  define FL_PICK(f, args) (f##_base args)
    #endif

    static int fl_softmax_row(const void* xr, int kind, int64_t n, double T, double gscale,
                              double* xbuf, double* ebuf, double* lse, double* ent, void* logp,
                              void* probs, void* grad, int okind) {
        return FL_PICK(fl_softmax_row, (xr, kind, n, T, gscale, xbuf, ebuf, lse, ent, logp,
                                        probs, grad, okind));
    }
    static int fl_kl_row(const void* pr, const void* qr, int kind, int64_t n, double T,
                         int mode, double gscale, double* pbuf, double* qbuf, double* val,
                         int* qstatus, void* gp, void* gq, int okind) {
        return FL_PICK(fl_kl_row, (pr, qr, kind, n, T, mode, gscale, pbuf, qbuf, val, qstatus,
                                   gp, gq, okind));
    }
    static int fl_ce_row(const void* xr, int kind, int64_t n, double T, int mode,
                         int64_t label, const void* tr, double eps, double* xbuf, double* tbuf,
                         double* out, double* tstat, int* tstatus) {
        return FL_PICK(fl_ce_row, (xr, kind, n, T, mode, label, tr, eps, xbuf, tbuf, out,
                                   tstat, tstatus));
    }
    static int fl_unc_row(const char* xr, int64_t mstride, int64_t M, int kind, int64_t n,
                          double T, double* xbuf, double* P, double* LP, double* pbar,
                          double* lpbar, double* res) {
        return FL_PICK(fl_unc_row, (xr, mstride, M, kind, n, T, xbuf, P, LP, pbar, lpbar,
                                    res));
    }
    static void fl_exp_block(const double* x, int64_t n, double* out, int which) {
        FL_PICK(fl_exp_block, (x, n, out, which));
    }

    #if defined(__GNUC__) && !defined(__clang__)
    #pragma GCC pop_options
    #endif
    """
    int fl_softmax_row(const void* xr, int kind, int64_t n, double T, double gscale,
                       double* xbuf, double* ebuf, double* lse, double* ent, void* logp,
                       void* probs, void* grad, int okind) noexcept nogil
    int fl_kl_row(const void* pr, const void* qr, int kind, int64_t n, double T, int mode,
                  double gscale, double* pbuf, double* qbuf, double* val, int* qstatus,
                  void* gp, void* gq, int okind) noexcept nogil
    int fl_ce_row(const void* xr, int kind, int64_t n, double T, int mode, int64_t label,
                  const void* tr, double eps, double* xbuf, double* tbuf, double* out,
                  double* tstat, int* tstatus) noexcept nogil
    int fl_unc_row(const char* xr, int64_t mstride, int64_t M, int kind, int64_t n, double T,
                   double* xbuf, double* P, double* LP, double* pbar, double* lpbar,
                   double* res) noexcept nogil
    void fl_exp_block(const double* x, int64_t n, double* out, int which) noexcept nogil


cdef int _itemsize(int kind) noexcept nogil:
    return 8 if kind == 0 else (4 if kind == 1 else 2)


cdef inline char* _base(unsigned char[:, :] a):
    """Start of a full-size output, or NULL for a (0, 0) "not wanted" placeholder."""
    return <char*>&a[0, 0] if a.shape[0] > 0 else <char*>NULL


cdef inline void* _at(char* base, Py_ssize_t stride, Py_ssize_t i) noexcept nogil:
    return <void*>(base + i * stride) if base != NULL else NULL


def exp_array(const double[::1] x,  # IN
              double[::1] out,      # OUT exp (which=0) or expm1 (which=1) of each entry
              int which,
              int n_threads):
    """The exps of the row kernels (exposed for accuracy tests): which 0 exp, 1 expm1 (the
    general route's fe_exp / fe_expm1); 2 FXV_EXP_CLEAN and 4 FXV_EXPT_CLEAN (-707 <= x <= 0),
    3 FXV_EXP_NEG (x <= 0) of the one-pass route, on this machine's instruction set (fe_exp
    where the build has no vector route)."""
    cdef Py_ssize_t n = x.shape[0]
    cdef Py_ssize_t nb = (n + 4095) // 4096
    cdef Py_ssize_t b, lo, w
    if n == 0:
        return
    for b in prange(nb, nogil=True, schedule='static', num_threads=n_threads):
        lo = b * 4096
        w = n - lo if n - lo < 4096 else 4096
        fl_exp_block(&x[lo], w, &out[lo], which)


def softmax_rows(const unsigned char[:, :] x,  # IN (rows, n * itemsize) logits
                 int kind,                       # IN storage kind of x
                 double temperature,             # IN T > 0
                 double grad_scale,              # IN factor on the entropy gradient
                 double[::1] lse,                # OUT log sum exp(x / T) per row
                 double[::1] ent,                # OUT entropy of softmax(x / T), nats
                 unsigned char[:, :] logp,     # OUT log_softmax (or (0, 0): not wanted)
                 unsigned char[:, :] probs,    # OUT softmax (or (0, 0))
                 unsigned char[:, :] grad,     # OUT d entropy / d x * grad_scale (or (0, 0))
                 int out_kind,                   # IN 0 float64, 1 float32 for the full outputs
                 signed char[::1] status,        # OUT row status
                 int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1] // _itemsize(kind)
    cdef bint want_e = probs.shape[0] > 0 or grad.shape[0] > 0
    cdef double* xbuf
    cdef double* ebuf
    if rows == 0 or n == 0:
        return
    cdef char* lp0 = _base(logp)
    cdef char* pr0 = _base(probs)
    cdef char* gr0 = _base(grad)
    cdef Py_ssize_t lps = logp.strides[0], prs = probs.strides[0], grs = grad.strides[0]
    with nogil, parallel(num_threads=n_threads):
        xbuf = <double*>malloc(n * sizeof(double))
        ebuf = <double*>malloc(n * sizeof(double)) if want_e else <double*>NULL
        for i in prange(rows, schedule='static'):
            if xbuf == NULL or (want_e and ebuf == NULL):
                status[i] = 9
            else:
                status[i] = fl_softmax_row(
                    &x[i, 0], kind, n, temperature, grad_scale, xbuf, ebuf, &lse[i], &ent[i],
                    _at(lp0, lps, i), _at(pr0, prs, i), _at(gr0, grs, i), out_kind)
        free(xbuf)
        free(ebuf)


def pair_rows(const unsigned char[:, :] p,  # IN (rows, n * itemsize) logits
              const unsigned char[:, :] q,  # IN (rows, n * itemsize) logits, same kind
              int kind,                       # IN storage kind of p and q
              double temperature,             # IN T > 0
              int mode,                       # IN 0 KL(P || Q), 1 Jensen-Shannon
              double grad_scale,              # IN factor on the gradients
              double[::1] out,                # OUT value per row, nats (clamped at 0)
              unsigned char[:, :] grad_p,   # OUT d KL / d p * grad_scale (or (0, 0))
              unsigned char[:, :] grad_q,   # OUT d KL / d q * grad_scale (or (0, 0))
              int out_kind,                   # IN 0 float64, 1 float32 for the gradients
              signed char[::1] p_status,      # OUT row status of p
              signed char[::1] q_status,      # OUT row status of q
              int n_threads):
    cdef Py_ssize_t i, rows = p.shape[0]
    cdef int64_t n = p.shape[1] // _itemsize(kind)
    cdef double* pbuf
    cdef double* qbuf
    cdef int qs = 0
    if rows == 0 or n == 0:
        return
    cdef char* gp0 = _base(grad_p)
    cdef char* gq0 = _base(grad_q)
    cdef Py_ssize_t gps = grad_p.strides[0], gqs = grad_q.strides[0]
    with nogil, parallel(num_threads=n_threads):
        pbuf = <double*>malloc(n * sizeof(double))
        qbuf = <double*>malloc(n * sizeof(double))
        for i in prange(rows, schedule='static'):
            if pbuf == NULL or qbuf == NULL:
                p_status[i] = 9
                q_status[i] = 0
            else:
                p_status[i] = fl_kl_row(&p[i, 0], &q[i, 0], kind, n, temperature, mode,
                                        grad_scale, pbuf, qbuf, &out[i], &qs,
                                        _at(gp0, gps, i), _at(gq0, gqs, i), out_kind)
                q_status[i] = qs
        free(pbuf)
        free(qbuf)


def cross_entropy_rows(const unsigned char[:, :] x,  # IN (rows, n * itemsize) logits
                       int kind,                       # IN storage kind of x (and target)
                       double temperature,             # IN T > 0
                       int mode,                       # IN 0 labels, 1 probabilities, 2 logits
                       const int64_t[::1] labels,      # IN (rows,) class, -1 = ignore (mode 0)
                       const unsigned char[:, :] target,  # IN (rows, n * itemsize) (mode 1, 2)
                       double smoothing,               # IN label smoothing in [0, 1]
                       double[::1] out,                # OUT cross-entropy per row, nats
                       double[:, ::1] target_stats,    # OUT (rows, 2) target sum, min (mode 1)
                       signed char[::1] status,        # OUT row status of x
                       signed char[::1] target_status,  # OUT row status of target (mode 2)
                       int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t n = x.shape[1] // _itemsize(kind)
    cdef double* xbuf
    cdef double* tbuf
    cdef int ts = 0
    cdef int64_t lab = 0
    cdef const void* tp
    if rows == 0 or n == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        xbuf = <double*>malloc(n * sizeof(double))
        tbuf = <double*>malloc(n * sizeof(double))
        for i in prange(rows, schedule='static'):
            if xbuf == NULL or tbuf == NULL:
                status[i] = 9
                target_status[i] = 0
            else:
                lab = labels[i] if mode == 0 else 0
                tp = <const void*>&target[i, 0] if mode != 0 else <const void*>NULL
                status[i] = fl_ce_row(&x[i, 0], kind, n, temperature, mode, lab, tp,
                                      smoothing, xbuf, tbuf, &out[i], &target_stats[i, 0], &ts)
                target_status[i] = ts
        free(xbuf)
        free(tbuf)


def uncertainty_rows(const unsigned char[:, :, :] x,  # IN (rows, members, n * itemsize)
                     int kind,                          # IN storage kind of x
                     double temperature,                # IN T > 0
                     double[:, ::1] out,                # OUT (rows, 5): total, aleatoric,
                                                        #     epistemic, max_prob, margin
                     signed char[::1] status,           # OUT row status (worst member)
                     int n_threads):
    cdef Py_ssize_t i, rows = x.shape[0]
    cdef int64_t M = x.shape[1]
    cdef int64_t n = x.shape[2] // _itemsize(kind)
    cdef int64_t mstride = x.strides[1]
    cdef double* xbuf
    cdef double* work
    if rows == 0 or n == 0 or M == 0:
        return
    with nogil, parallel(num_threads=n_threads):
        xbuf = <double*>malloc(n * sizeof(double))
        work = <double*>malloc((2 * M + 2) * n * sizeof(double))
        for i in prange(rows, schedule='static'):
            if xbuf == NULL or work == NULL:
                status[i] = 9
            else:
                status[i] = fl_unc_row(<const char*>&x[i, 0, 0], mstride, M, kind, n,
                                       temperature, xbuf, work, work + M * n,
                                       work + 2 * M * n, work + (2 * M + 1) * n, &out[i, 0])
        free(xbuf)
        free(work)
