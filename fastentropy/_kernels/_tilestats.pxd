# The Monte Carlo kernels' statistics: the mean and M2 of one tile of values (summed in index
# order), and the merge of a component's tile partials in tile order (Chan, Golub and LeVeque's
# pairwise update), so a result does not depend on which thread computed which tile.
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc


cdef inline int stratum_tiles(const int64_t *counts, int64_t K, int64_t T0, int64_t **item_k,
                              int64_t **item_g, int64_t **item_s,
                              int64_t *nitems) noexcept nogil:
    """Tiles of at most T0 units of each stratum k = 0..K-1 in order: stratum, first unit (a
    global index over all strata), size. Returns -1 when out of memory (nothing left
    allocated); the caller frees the three arrays."""
    cdef int64_t k, t, it = 0, n = 0, off = 0
    for k in range(K):
        n += (counts[k] + T0 - 1) // T0
    item_k[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    item_g[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    item_s[0] = <int64_t*>malloc((n + 1) * sizeof(int64_t))
    if item_k[0] == NULL or item_g[0] == NULL or item_s[0] == NULL:
        free(item_k[0])
        free(item_g[0])
        free(item_s[0])
        return -1
    for k in range(K):
        t = 0
        while t < counts[k]:
            item_k[0][it] = k
            item_g[0][it] = off + t
            item_s[0][it] = counts[k] - t if counts[k] - t < T0 else T0
            it += 1
            t += T0
        off += counts[k]
    nitems[0] = n
    return 0


cdef inline void tile_moments(const double *v, int64_t T, double *out) noexcept nogil:
    """out[0] = mean of v[0..T-1], out[1] = the sum of squared deviations from it."""
    cdef int64_t i
    cdef double sm = 0.0, mu, m2 = 0.0, dlt
    for i in range(T):
        sm = sm + v[i]
    mu = sm / T
    for i in range(T):
        dlt = v[i] - mu
        m2 = m2 + dlt * dlt
    out[0] = mu
    out[1] = m2


cdef inline void merge_tiles(const int64_t *item_k, const int64_t *item_s, const double *part,
                             int64_t nitems, int64_t K, double *comp_mean,
                             double *comp_m2) noexcept nogil:
    """Tiles 0..nitems-1, in order, belong to components item_k[it] (non-decreasing) with
    item_s[it] values and partials (mean, M2) at part[2 it]: each component's mean and M2."""
    cdef int64_t it = 0, k
    cdef double na, mu, m2, nb, nn, dlt
    for k in range(K):
        na = 0.0
        mu = 0.0
        m2 = 0.0
        while it < nitems and item_k[it] == k:
            nb = <double>item_s[it]
            nn = na + nb
            dlt = part[2 * it] - mu
            mu = mu + dlt * (nb / nn)
            m2 = m2 + part[2 * it + 1] + dlt * dlt * (na * nb / nn)
            na = nn
            it += 1
        comp_mean[k] = mu
        comp_m2[k] = m2
