"""NumPy twin of ``_kernels/mixture``: same functions, signatures and conventions.

A mixture reaches the kernels as three arrays of its positive-weight components:
``logc[j] = log w_j - d/2 log(2 pi) - sum_r log L_j[r, r]``, ``means`` (K, d) and ``chol``
(K, d, d), the lower Cholesky factors ``L_j`` of the covariances. The random stream is the
Philox4x32-10 one described in ``fastentropy/_philox.py``, computed here in uint64 arithmetic;
the triangular solves, sample transforms and log-sum-exp use the kernel's operation order, so
both backends agree to rounding (the kernel's exp/log are within an ulp of numpy's).
``n_threads`` is ignored.
"""
from __future__ import annotations

import numpy as np

from fastentropy._philox import PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1

TILE = 256  # samples per tile in the kernel (the twin's chunks are whole tiles)
_CHUNK = 1 << 16  # points per twin chunk (bounded temporaries)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO_M53 = 2.0**-53


def _philox(c0: np.ndarray, c1: np.ndarray, c2: np.ndarray, c3: np.ndarray,
            k0: int, k1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Philox4x32-10 on uint64 arrays holding 32-bit words (32 x 32-bit products fit)."""
    m0, m1 = np.uint64(PHILOX_M0), np.uint64(PHILOX_M1)
    s32 = np.uint64(32)
    key0, key1 = k0 & 0xFFFFFFFF, k1 & 0xFFFFFFFF
    for r in range(PHILOX_ROUNDS):
        if r > 0:
            key0 = (key0 + PHILOX_W0) & 0xFFFFFFFF
            key1 = (key1 + PHILOX_W1) & 0xFFFFFFFF
        p0 = m0 * c0
        p1 = m1 * c2
        c0, c1, c2, c3 = (
            (p1 >> s32) ^ c1 ^ np.uint64(key0),
            p1 & _MASK32,
            (p0 >> s32) ^ c3 ^ np.uint64(key1),
            p0 & _MASK32,
        )
    return c0, c1, c2, c3


def philox_blocks(ctr: np.ndarray, key0: int, key1: int, out: np.ndarray) -> None:
    """out[i] = Philox4x32-10(ctr[i], (key0, key1)); (n, 4) uint32 arrays."""
    c = ctr.astype(np.uint64)
    w = _philox(c[:, 0], c[:, 1], c[:, 2], c[:, 3], key0, key1)
    for j in range(4):
        out[:, j] = w[j].astype(np.uint32)


def _unit(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    bits = ((hi << np.uint64(32)) | lo) >> np.uint64(11)
    u: np.ndarray = (bits.astype(np.float64) + 0.5) * _TWO_M53
    return u


def _normals(start: int, n: int, d: int, key0: int, key1: int) -> np.ndarray:
    """(n, d) standard normals of samples start .. start + n - 1 (see _philox.py)."""
    g = np.arange(start, start + n, dtype=np.uint64)
    lo, hi = g & _MASK32, g >> np.uint64(32)
    zero = np.zeros(n, dtype=np.uint64)
    z = np.empty((n, 2 * ((d + 1) // 2)))
    for b in range((d + 1) // 2):
        w = _philox(lo, hi, np.full(n, b, dtype=np.uint64), zero, key0, key1)
        u, v = _unit(w[0], w[1]), _unit(w[2], w[3])
        rad = np.sqrt(-2.0 * np.log(u))
        cs, sn = _sincos_2pi(v)
        z[:, 2 * b] = rad * cs
        z[:, 2 * b + 1] = rad * sn
    return z[:, :d]


def _sincos_2pi(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos(2 pi v), sin(2 pi v) with the kernel's operations (``fp_sincos_2pi``)."""
    w = 4.0 * v
    n = (w + 6755399441055744.0) - 6755399441055744.0
    th = (w - n) * 1.5707963267948966192
    t2 = th * th
    ps = -2.5052108385441720e-08 + t2 * (1.6059043836821613e-10
                                         + t2 * (-7.6471637318198164e-13
                                                 + t2 * 2.8114572543455206e-15))
    sn = th + th * t2 * (-0.16666666666666666 + t2 * (8.3333333333333332e-03
                         + t2 * (-1.9841269841269841e-04 + t2 * (2.7557319223985893e-06
                                                                 + t2 * ps))))
    pc = 2.0876756987868100e-09 + t2 * (-1.1470745597729725e-11
                                        + t2 * (4.7794773323873853e-14
                                                + t2 * -1.5619206968586225e-16))
    cs = 1.0 + t2 * (-0.5 + t2 * (4.1666666666666664e-02
                     + t2 * (-1.3888888888888889e-03 + t2 * (2.4801587301587302e-05
                                                             + t2 * (-2.7557319223985888e-07
                                                                     + t2 * pc)))))
    q = n.astype(np.int64) & 3
    odd = (q & 1) == 1
    a = np.where(odd, sn, cs)
    b = np.where(odd, cs, sn)
    c_out = np.where((q == 1) | (q == 2), -a, a)
    s_out = np.where(q >= 2, -b, b)
    return c_out, s_out


def normals(start: int, key0: int, key1: int, out: np.ndarray) -> None:
    """out (n, d) = the standard normals of samples start .. start + n - 1."""
    out[...] = _normals(start, out.shape[0], out.shape[1], key0, key1)


def _transform(z: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """mean + L z per row, accumulated in the kernel's order (mean, then c = 0 .. r)."""
    d = z.shape[1]
    x = np.empty_like(z)
    with np.errstate(over="ignore", invalid="ignore"):
        _transform_into(x, z, mean, chol, d)
    return x


def _transform_into(x: np.ndarray, z: np.ndarray, mean: np.ndarray, chol: np.ndarray,
                    d: int) -> None:
    for r in range(d):
        acc = np.full(z.shape[0], mean[r])
        for c in range(r + 1):
            acc = acc + chol[r, c] * z[:, c]
        x[:, r] = acc


def _logpdf(x: np.ndarray, logc: np.ndarray, means: np.ndarray, chol: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return _logpdf_impl(x, logc, means, chol)


def _logpdf_impl(x: np.ndarray, logc: np.ndarray, means: np.ndarray,
                 chol: np.ndarray) -> np.ndarray:
    n, d = x.shape
    k = logc.shape[0]
    v = np.empty((k, n))
    for j in range(k):
        L = chol[j]
        y = np.empty((d, n))
        q = np.zeros(n)
        for r in range(d):
            t = x[:, r] - means[j, r]
            for c in range(r):
                t = t - L[r, c] * y[c]
            y[r] = t * (1.0 / L[r, r])
            q = q + y[r] * y[r]
        # a distance that overflowed (inf, or NaN from inf - inf) is a density of 0
        v[j] = np.where(q == q, logc[j] - 0.5 * q, -np.inf)
    m = v.max(axis=0)
    s = np.zeros(n)
    with np.errstate(invalid="ignore"):
        for j in range(k):
            s = s + np.exp(v[j] - m)
        out: np.ndarray = np.where(m == -np.inf, -np.inf, m + np.log(s))
    return out


def log_density(x: np.ndarray, logc: np.ndarray, means: np.ndarray, chol: np.ndarray,
                out: np.ndarray, n_threads: int) -> None:
    """out[i] = log sum_j exp(logc[j] + log N(x[i]; 0-normalised component j))."""
    for s in range(0, x.shape[0], _CHUNK):
        e = min(s + _CHUNK, x.shape[0])
        out[s:e] = _logpdf(np.asarray(x[s:e]), logc, means, chol)


def sample(counts: np.ndarray, means: np.ndarray, chol: np.ndarray, key0: int, key1: int,
           out: np.ndarray, n_threads: int) -> None:
    """out rows offset_k .. offset_k + counts[k] - 1 hold component k's samples."""
    d = means.shape[1]
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            z = _normals(off + s, e - s, d, key0, key1)
            out[off + s : off + e] = _transform(z, means[k], chol[k])
        off += nk


def kl_mc(counts: np.ndarray, key0: int, key1: int,
          p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
          q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
          comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """Per component k of p: mean and sum of squared deviations of log p(x) - log q(x) over
    its counts[k] samples (drawn as :func:`sample` draws them)."""
    d = p_means.shape[1]
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        f = np.empty(nk)
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            x = _transform(_normals(off + s, e - s, d, key0, key1), p_means[k], p_chol[k])
            with np.errstate(invalid="ignore"):
                f[s:e] = _logpdf(x, p_logc, p_means, p_chol) - _logpdf(x, q_logc, q_means,
                                                                     q_chol)
        with np.errstate(invalid="ignore", over="ignore"):
            mu = float(f.mean()) if nk else 0.0
            comp_mean[k] = mu
            comp_m2[k] = float(np.sum((f - mu) ** 2)) if nk else 0.0
        off += nk


_NDTRI_LO = 2.0**-53
#: Phi^-1: Chebyshev series (degree 13) of z = Phi^-1(p) in t = sqrt(-2 log p) on the pieces
#: [_ND_EDGES[j], _ND_EDGES[j + 1]] of t (the kernel's ``mx_nd_edge`` / ``mx_nd_coef``)
_ND_EDGES = np.array([1.1774100225154747, 1.45, 1.8, 2.3, 3.0, 4.0, 5.2, 6.7, 8.6])
_ND_COEF = np.array([
    [-0.195146059965201, -0.19327030751832908, 0.0018090553486967802,
     -6.413910434616458e-05, 2.4542159140708976e-06, -9.938759674253067e-08,
     4.198702361149489e-09, -1.830538568853998e-10, 8.172529278719379e-12,
     -3.7159475942219954e-13, 1.7112759285961868e-14, -8.681011936917532e-16,
     -8.429757128131468e-18, 3.254476643966028e-17],
    [-0.6198348541560769, -0.23116832365759632, 0.0019220021174054143,
     -7.239604910075397e-05, 2.9112196123548096e-06, -1.2306035565375367e-07,
     5.4078081896103224e-09, -2.4488900790873113e-10, 1.1350343858120682e-11,
     -5.357169372353484e-13, 2.5649327043433256e-14, -1.2674895047333839e-15,
     6.242299700442545e-17, 5.859935466652586e-17],
    [-1.1611530701336035, -0.30949123453933014, 0.002400609027055783,
     -0.00010531883420068116, 4.880943695571651e-06, -2.359378681396977e-07,
     1.1798941369303653e-08, -6.064858169416338e-10, 3.187032902516845e-11,
     -1.7046124850068772e-12, 9.250989428825643e-14, -5.128011020196e-15,
     3.0012553773455026e-16, 1.680058456569807e-16],
    [-1.8801787235325835, -0.4090056801073629, 0.0026895807589411872,
     -0.00013194883121066665, 6.774832992984842e-06, -3.599215976144989e-07,
     1.9662625553698597e-08, -1.0997103720877742e-09, 6.273485841418241e-11,
     -3.6382420768709586e-12, 2.14079363971345e-13, -1.2614816350699819e-14,
     9.051102181090817e-16, 2.0591451619001435e-16],
    [-2.846851191435338, -0.5571244887869982, 0.00293547001778706,
     -0.00016112932076607002, 9.191840998032601e-06, -5.388961914567734e-07,
     3.2292110843491355e-08, -1.971342724900342e-09, 1.2231328153425842e-10,
     -7.697308791056432e-12, 4.905886699947037e-13, -3.157986613497587e-14,
     2.062429918955903e-15, 2.9094460383366433e-16],
    [-4.0495114239069325, -0.6459649144734266, 0.0022321687976845257,
     -0.00011517910821438136, 6.149625893358981e-06, -3.35963266078152e-07,
     1.8676649660978272e-08, -1.0532949388689205e-09, 6.014986717987547e-11,
     -3.473583186276601e-12, 2.0263888151816042e-13, -1.1911187869825053e-14,
     6.179105602120883e-16, 1.0673111034867685e-16],
    [-5.484330677382371, -0.7889929913543872, 0.0018826072187497788,
     -9.619983492706635e-05, 5.072802586717398e-06, -2.7303490759772385e-07,
     1.4915600747154443e-08, -8.244095116640951e-10, 4.60160364097482e-11,
     -2.5903716444436717e-12, 1.4725573575173207e-13, -8.22417279024107e-15,
     6.122724131825142e-16, 4.730535927535688e-16],
    [-7.25674696524279, -0.9834939246573036, 0.001632019628698438,
     -8.388010406125301e-05, 4.440020307158602e-06, -2.395203515345433e-07,
     1.3095574398744618e-08, -7.233171879155704e-10, 4.0280302042941196e-11,
     -2.2584893540815778e-12, 1.276436321177484e-13, -6.995481231661698e-15,
     4.4454990384270675e-16, 4.532521842410556e-16],
])


def _ndtri(u: np.ndarray) -> np.ndarray:
    """Phi^-1(u) with u clipped to [2^-53, 1 - 2^-53], the kernel's ``mx_ndtri_impl``
    operations: p = min(u, 1 - u), t = sqrt(-2 log p), the piece of t, Clenshaw."""
    u = np.where(u >= _NDTRI_LO, u, _NDTRI_LO)  # NaN too, as the kernel
    u = np.where(u > 1.0 - _NDTRI_LO, 1.0 - _NDTRI_LO, u)
    upper = u > 0.5
    p = np.where(upper, 1.0 - u, u)
    t = np.sqrt(-2.0 * np.log(p))
    j = np.zeros(t.shape, dtype=np.intp)
    for k in range(1, _ND_EDGES.size - 1):
        j += t >= _ND_EDGES[k]
    a, b = _ND_EDGES[j], _ND_EDGES[j + 1]
    x = (t - 0.5 * (a + b)) * (2.0 / (b - a))
    c = _ND_COEF[j]
    b1 = np.zeros_like(x)
    b2 = np.zeros_like(x)
    for k in range(_ND_COEF.shape[1] - 1, 0, -1):
        b0 = 2.0 * x * b1 - b2 + c[..., k]
        b2 = b1
        b1 = b0
    z = x * b1 - b2 + c[..., 0]
    out: np.ndarray = np.where(upper, -z, z)
    return out


def ndtri(u: np.ndarray, out: np.ndarray) -> None:
    """out[i] = Phi^-1(u[i]) with u clipped to [2^-53, 1 - 2^-53]."""
    out[...] = _ndtri(np.asarray(u, dtype=np.float64))


def kl_mc_pairs(pairs: np.ndarray, key0: int, key1: int,
                p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
                q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
                comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """Antithetic pairs: pair g of component k is mu + L z and mu - L z (z the normals of
    sample index g, as :func:`sample` draws them); per component, the mean and sum of squared
    deviations of the pair means of log p - log q."""
    d = p_means.shape[1]
    off = 0
    for k in range(pairs.shape[0]):
        nk = int(pairs[k])
        f = np.empty(nk)
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            z = _normals(off + s, e - s, d, key0, key1)
            x = np.concatenate([_transform(z, p_means[k], p_chol[k]),
                                _transform(-z, p_means[k], p_chol[k])])
            with np.errstate(invalid="ignore"):
                g = _logpdf(x, p_logc, p_means, p_chol) - _logpdf(x, q_logc, q_means, q_chol)
            f[s:e] = 0.5 * (g[: e - s] + g[e - s :])
        with np.errstate(invalid="ignore", over="ignore"):
            mu = float(f.mean()) if nk else 0.0
            comp_mean[k] = mu
            comp_m2[k] = float(np.sum((f - mu) ** 2)) if nk else 0.0
        off += nk


def kl_qmc(u: np.ndarray, counts: np.ndarray, comp: np.ndarray,
           p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
           q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
           strat_mean: np.ndarray, n_threads: int) -> None:
    """Stratum s: the next counts[s] rows of u mapped to mu_c + L_c Phi^-1(u), c = comp[s];
    strat_mean[s] = mean of log p - log q over them."""
    K = p_logc.shape[0]
    if ((comp < 0) | (comp >= K)).any() or (counts < 1).any():
        raise ValueError("kl_qmc: comp must index p's components, counts must be >= 1")
    if int(counts.sum()) != u.shape[0] or (counts.size and u.shape[1] != p_means.shape[1]):
        raise ValueError("kl_qmc: u must have sum(counts) rows of dimension d")
    off = 0
    for s in range(counts.shape[0]):
        c, n = int(comp[s]), int(counts[s])
        total = 0.0
        for a in range(off, off + n, _CHUNK):
            b = min(a + _CHUNK, off + n)
            x = _transform(_ndtri(np.asarray(u[a:b])), p_means[c], p_chol[c])
            with np.errstate(invalid="ignore"):
                total += float(np.sum(_logpdf(x, p_logc, p_means, p_chol)
                                      - _logpdf(x, q_logc, q_means, q_chol)))
        strat_mean[s] = total / n
        off += n


def kl_mc_batch(counts: np.ndarray, p_off: np.ndarray, q_off: np.ndarray, keys: np.ndarray,
                p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
                q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
                comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """:func:`kl_mc` of each pair t: p's components p_off[t] .. p_off[t + 1] - 1, q's
    q_off[t] .. q_off[t + 1] - 1, the key keys[t]."""
    npairs = keys.shape[0]
    if p_off.shape[0] != npairs + 1 or q_off.shape[0] != npairs + 1 or (
            int(p_off[npairs]) != counts.shape[0]):
        raise ValueError("kl_mc_batch: p_off, q_off must hold npairs + 1 offsets")
    for t in range(npairs):
        a, b = int(p_off[t]), int(p_off[t + 1])
        c, e = int(q_off[t]), int(q_off[t + 1])
        if b <= a or e <= c or e > q_logc.shape[0]:
            raise ValueError("kl_mc_batch: every pair needs components of p and q")
        kl_mc(counts[a:b], int(keys[t, 0]), int(keys[t, 1]), p_logc[a:b], p_means[a:b],
              p_chol[a:b], q_logc[c:e], q_means[c:e], q_chol[c:e], comp_mean[a:b],
              comp_m2[a:b], n_threads)
