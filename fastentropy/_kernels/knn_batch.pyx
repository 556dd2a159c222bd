# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Batch kernel of the k-NN family: whole KSG tasks (a 1-D x column, a 1-D y column, and
optionally a permutation of y's samples) in one nogil call, OpenMP over tasks when there are
many and over strips of one task when there are few.

Per task, the 2-D max-norm k nearest neighbours come from rank-space strips: the samples are cut
into strips of ``w`` consecutive x ranks, each strip listed in increasing y. A query walks its
own strip outward from its y position, nearest y first, until both sides are beyond the k-th
distance found, then the neighbouring strips (left, right, alternating) while their x-bound
does not exceed it, from its y position there (a pointer that only moves forward, since the
queries of a strip come in increasing y). Until k points are known the walk merges the two
sides of the y list (nearest y first); then it walks each side on its own (fewer unpredictable
branches: 10% faster). The stopping tests are differences of the query's
coordinates and a strip's smallest or largest x, or a listed y, computed with the same
floating-point subtraction as the point distance ``max(fabs(x_j - x_i), fabs(y_j - y_i))``:
rounding is monotone, so a bound never exceeds the computed distance of a point beyond it, and
the k-th distance is exact (no epsilons). Rank strips adapt to any marginal and any dependence
(a strip's y list is searched only near the query's y). Neighbours are ranked by (distance,
sample index), the order of ``knn.knn_query``, so the neighbour set is the same as there even
when points tie at the k-th distance.

Marginal counts are galloping searches on each column's sort (done once by the caller and
shared by every task that uses the column) with the distance expression itself as predicate
(``s_j - x < r`` to the right of the sample's position, ``x - s_j < r`` to the left).

Every task writes only its own rows of the outputs and every query only its own entries, so
results are bitwise identical for any thread count.
"""
from cython.parallel cimport parallel, prange
from libc.math cimport fabs, sqrt, INFINITY
from libc.stdlib cimport malloc, free


ctypedef struct Strips:
    Py_ssize_t n
    Py_ssize_t w         # x ranks per strip
    Py_ssize_t S         # strips
    Py_ssize_t* start    # (S + 1,) first list position of each strip
    Py_ssize_t* cursor   # (S,) scratch of the build
    Py_ssize_t* inv      # (n,) scratch: the inverse permutation
    double* lx           # (n,) x of the listed points (strip by strip, increasing y)
    double* ly           # (n,) y
    Py_ssize_t* lid      # (n,) sample index
    Py_ssize_t* lrx      # (n,) position of the point in x's sort
    Py_ssize_t* lry      # (n,) position in y's sort
    double* xlo          # (S,) smallest x of each strip
    double* xhi          # (S,) largest x


cdef Py_ssize_t strip_width(Py_ssize_t n, int k) noexcept nogil:
    """x ranks per strip: sqrt(k n), about the x-extent (in ranks) of a k-neighbourhood of
    independent data (measured: 0.5 to 1.5 times this differ by 10%)."""
    cdef Py_ssize_t w = <Py_ssize_t>(sqrt(<double>k * <double>n))
    if w < 1:
        w = 1
    if w > n:
        w = n
    return w


cdef int _strips_alloc(Strips* g, Py_ssize_t n, int k) noexcept nogil:
    cdef Py_ssize_t w = strip_width(n, k), S = (n + w - 1) // w
    g.n = n
    g.w = w
    g.S = S
    g.start = <Py_ssize_t*>malloc((S + 1) * sizeof(Py_ssize_t))
    g.cursor = <Py_ssize_t*>malloc(S * sizeof(Py_ssize_t))
    g.inv = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    g.lx = <double*>malloc(n * sizeof(double))
    g.ly = <double*>malloc(n * sizeof(double))
    g.lid = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    g.lrx = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    g.lry = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    g.xlo = <double*>malloc(S * sizeof(double))
    g.xhi = <double*>malloc(S * sizeof(double))
    if (g.start == NULL or g.cursor == NULL or g.inv == NULL or g.lx == NULL or g.ly == NULL
            or g.lid == NULL or g.lrx == NULL or g.lry == NULL or g.xlo == NULL
            or g.xhi == NULL):
        return -1
    return 0


cdef void _strips_null(Strips* g) noexcept nogil:
    g.start = NULL
    g.cursor = NULL
    g.inv = NULL
    g.lx = NULL
    g.ly = NULL
    g.lid = NULL
    g.lrx = NULL
    g.lry = NULL
    g.xlo = NULL
    g.xhi = NULL


cdef void _strips_free(Strips* g) noexcept nogil:
    if g == NULL:
        return
    free(g.start)
    free(g.cursor)
    free(g.inv)
    free(g.lx)
    free(g.ly)
    free(g.lid)
    free(g.lrx)
    free(g.lry)
    free(g.xlo)
    free(g.xhi)
    free(g)


cdef Strips* _strips_new(Py_ssize_t n, int k) noexcept nogil:
    cdef Strips* g = <Strips*>malloc(sizeof(Strips))
    if g == NULL:
        return NULL
    _strips_null(g)
    if _strips_alloc(g, n, k) != 0:
        _strips_free(g)
        return NULL
    return g


cdef void _strips_build(Strips* g, const double* xv, const double* yv, const Py_ssize_t* rx,
                        const Py_ssize_t* ry, const Py_ssize_t* perm, const double* sx,
                        const Py_ssize_t* oy) noexcept nogil:
    """The strips of the points (xv[i], yv[p(i)]), p the permutation perm (NULL: none); oy is
    y's sort order (oy[q]: the sample of y at sort position q)."""
    cdef Py_ssize_t n = g.n, w = g.w, S = g.S, i, j, q, s, pos, total
    if perm != NULL:
        for i in range(n):
            g.inv[perm[i]] = i
    for s in range(S):
        g.cursor[s] = 0
    for i in range(n):
        g.cursor[rx[i] // w] += 1
    total = 0
    for s in range(S):
        g.start[s] = total
        total += g.cursor[s]
        g.cursor[s] = g.start[s]
        g.xlo[s] = sx[s * w]
        g.xhi[s] = sx[(s + 1) * w - 1 if (s + 1) * w <= n else n - 1]
    g.start[S] = total
    for q in range(n):  # increasing y: each strip's list comes out sorted by y
        j = oy[q]
        i = g.inv[j] if perm != NULL else j
        s = rx[i] // w
        pos = g.cursor[s]
        g.cursor[s] = pos + 1
        g.lx[pos] = xv[i]
        g.ly[pos] = yv[j]
        g.lid[pos] = i
        g.lrx[pos] = rx[i]
        g.lry[pos] = q


cdef inline void _offer(double d, Py_ssize_t pid, double px, double py, int k, double* kd,
                        Py_ssize_t* ki, double* kx, double* ky) noexcept nogil:
    """Insert (d, pid) into the top-k lists ordered by (distance, sample index)."""
    cdef Py_ssize_t m
    if d > kd[k - 1] or (d == kd[k - 1] and ki[k - 1] >= 0 and pid > ki[k - 1]):
        return
    m = k - 1
    while m > 0 and (kd[m - 1] > d or (kd[m - 1] == d and ki[m - 1] > pid)):
        kd[m] = kd[m - 1]
        ki[m] = ki[m - 1]
        kx[m] = kx[m - 1]
        ky[m] = ky[m - 1]
        m -= 1
    kd[m] = d
    ki[m] = pid
    kx[m] = px
    ky[m] = py


cdef inline void _walk(const Strips* g, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t up,
                       Py_ssize_t skip, double qx, double qy, int k, double* kd,
                       Py_ssize_t* ki, double* kx, double* ky) noexcept nogil:
    """Walk the y list lo..hi-1 of one strip outward from position up (points up.. have
    y >= qy, points ..up-1 have y <= qy) while the y gap is within the k-th distance; skip is
    the list position of the query itself (or -1). Until k points are known the two sides are
    merged, nearest y first; then each side is walked on its own."""
    cdef Py_ssize_t dn = up - 1
    cdef double gu, gd, d
    while ki[k - 1] < 0 and (up < hi or dn >= lo):
        gu = g.ly[up] - qy if up < hi else INFINITY
        gd = qy - g.ly[dn] if dn >= lo else INFINITY
        if gu <= gd:
            if up != skip:
                d = fabs(g.lx[up] - qx)
                _offer(gu if gu > d else d, g.lid[up], g.lx[up], g.ly[up], k, kd, ki, kx, ky)
            up += 1
        else:
            if dn != skip:
                d = fabs(g.lx[dn] - qx)
                _offer(gd if gd > d else d, g.lid[dn], g.lx[dn], g.ly[dn], k, kd, ki, kx, ky)
            dn -= 1
    while up < hi:
        gu = g.ly[up] - qy
        if gu > kd[k - 1]:
            break
        if up != skip:
            d = fabs(g.lx[up] - qx)
            if d <= kd[k - 1]:
                _offer(gu if gu > d else d, g.lid[up], g.lx[up], g.ly[up], k, kd, ki, kx, ky)
        up += 1
    while dn >= lo:
        gd = qy - g.ly[dn]
        if gd > kd[k - 1]:
            break
        if dn != skip:
            d = fabs(g.lx[dn] - qx)
            if d <= kd[k - 1]:
                _offer(gd if gd > d else d, g.lid[dn], g.lx[dn], g.ly[dn], k, kd, ki, kx, ky)
        dn -= 1


cdef void _run_strip(const Strips* g, Py_ssize_t s, Py_ssize_t* cur, int k, bint ksg2,
                     const double* sx, const double* sy, double* kd, Py_ssize_t* ki,
                     double* kx, double* ky, Py_ssize_t* nx_row,
                     Py_ssize_t* ny_row) noexcept nogil:
    """Every query of strip s (in increasing y); cur (S,) is scratch for the forward-only
    positions in the other strips."""
    cdef Py_ssize_t S = g.S, pos, j, o, side, t2, hi2
    cdef double qx, qy, b
    cdef bint go_left, go_right
    for j in range(S):
        cur[j] = g.start[j]
    for pos in range(g.start[s], g.start[s + 1]):
        qx = g.lx[pos]
        qy = g.ly[pos]
        for j in range(k):
            kd[j] = INFINITY
            ki[j] = -1
        _walk(g, g.start[s], g.start[s + 1], pos, pos, qx, qy, k, kd, ki, kx, ky)
        go_left = s > 0
        go_right = s + 1 < S
        o = 1
        while go_left or go_right:
            for side in range(2):
                if side == 0:
                    if not go_left:
                        continue
                    t2 = s - o
                    b = qx - g.xhi[t2]
                else:
                    if not go_right:
                        continue
                    t2 = s + o
                    b = g.xlo[t2] - qx
                if b > kd[k - 1]:
                    if side == 0:
                        go_left = False
                    else:
                        go_right = False
                    continue
                hi2 = g.start[t2 + 1]
                while cur[t2] < hi2 and g.ly[cur[t2]] < qy:
                    cur[t2] += 1
                _walk(g, g.start[t2], hi2, cur[t2], -1, qx, qy, k, kd, ki, kx, ky)
                if side == 0 and t2 == 0:
                    go_left = False
                if side == 1 and t2 == S - 1:
                    go_right = False
            o += 1
        _finish_query(g, pos, k, ksg2, sx, sy, kd, kx, ky, nx_row, ny_row)


cdef inline bint _inside(double dist, double r, bint strict) noexcept nogil:
    return (dist < r) if strict else (dist <= r)


cdef Py_ssize_t _gallop(const double* s, Py_ssize_t n, Py_ssize_t p, double r,
                        bint strict) noexcept nogil:
    """Entries j != p of the sorted s with |s_j - s_p| < r (strict) or <= r: s_j - s_p to the
    right and s_p - s_j to the left are the distance expression and monotone in j, so each
    side is an exponential search from p, then a branch-free binary search."""
    cdef double x = s[p]
    cdef Py_ssize_t base, ln, half, step, right, left, lim
    if not _inside(0.0, r, strict):
        return 0
    # right: the last j >= p with s_j - x inside
    step = 1
    while p + step < n and _inside(s[p + step] - x, r, strict):
        step *= 2
    base = p + step // 2 if step > 1 else p
    lim = p + step if p + step < n else n
    ln = lim - base
    while ln > 1:
        half = ln >> 1
        base = base + half if _inside(s[base + half] - x, r, strict) else base
        ln -= half
    right = base
    # left: the first j <= p with x - s_j inside
    step = 1
    while p - step >= 0 and _inside(x - s[p - step], r, strict):
        step *= 2
    base = p - step // 2 if step > 1 else p
    lim = p - step if p - step >= 0 else -1
    ln = base - lim
    while ln > 1:
        half = ln >> 1
        base = base - half if _inside(x - s[base - half], r, strict) else base
        ln -= half
    left = base
    return right - left


cdef void _finish_query(const Strips* g, Py_ssize_t pos, int k, bint ksg2, const double* sx,
                        const double* sy, const double* kd, const double* kx,
                        const double* ky, Py_ssize_t* nx_row, Py_ssize_t* ny_row) noexcept nogil:
    cdef Py_ssize_t n = g.n, i = g.lid[pos], j
    cdef double ex, ey, t, qx = g.lx[pos], qy = g.ly[pos]
    if not ksg2:
        nx_row[i] = _gallop(sx, n, g.lrx[pos], kd[k - 1], True)
        ny_row[i] = _gallop(sy, n, g.lry[pos], kd[k - 1], True)
        return
    ex = 0.0
    ey = 0.0
    for j in range(k):
        t = fabs(kx[j] - qx)
        if t > ex:
            ex = t
        t = fabs(ky[j] - qy)
        if t > ey:
            ey = t
    nx_row[i] = _gallop(sx, n, g.lrx[pos], ex, False)
    ny_row[i] = _gallop(sy, n, g.lry[pos], ey, False)


cdef struct Scratch:
    Py_ssize_t* cur  # (S,)
    double* kd       # (k,) top-k lists: distance, sample index, x, y
    Py_ssize_t* ki
    double* kx
    double* ky


cdef void _scratch_free(Scratch* s) noexcept nogil:
    if s == NULL:
        return
    free(s.cur)
    free(s.kd)
    free(s.ki)
    free(s.kx)
    free(s.ky)
    free(s)


cdef Scratch* _scratch_new(Py_ssize_t S, int k) noexcept nogil:
    cdef Scratch* s = <Scratch*>malloc(sizeof(Scratch))
    if s == NULL:
        return NULL
    s.cur = <Py_ssize_t*>malloc(S * sizeof(Py_ssize_t))
    s.kd = <double*>malloc(k * sizeof(double))
    s.ki = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
    s.kx = <double*>malloc(k * sizeof(double))
    s.ky = <double*>malloc(k * sizeof(double))
    if s.cur == NULL or s.kd == NULL or s.ki == NULL or s.kx == NULL or s.ky == NULL:
        _scratch_free(s)
        return NULL
    return s


def ksg_tasks(const double[:, ::1] values,      # IN (c, n) preprocessed 1-D columns
              const double[:, ::1] sorted_vals,  # IN (c, n) each column ascending
              const Py_ssize_t[:, ::1] order,    # IN (c, n) sample at each sort position
              const Py_ssize_t[:, ::1] rank,     # IN (c, n) sort position of each sample
              const Py_ssize_t[:, ::1] tasks,    # IN (T, 3) x column, y column, permutation
                                                 #    row (-1: y's samples as they are)
              const Py_ssize_t[:, ::1] perms,    # IN (P, n) permutations of the samples
              int k,                             # IN neighbours, 1 <= k < n
              bint ksg2,                         # IN KSG algorithm 2 (else 1)
              Py_ssize_t[:, ::1] nx,             # OUT (T, n) marginal counts in x
              Py_ssize_t[:, ::1] ny,             # OUT (T, n) marginal counts in y
              int n_threads):
    """KSG marginal counts of each task: the joint sample i is (x_i, y_p(i)). Algorithm 1:
    the samples strictly within the k-th joint distance in x and in y; algorithm 2: within
    (<=) the largest x (y) distance of the k neighbours. A thread that runs out of memory
    writes -1 counts (the facade checks for them)."""
    cdef Py_ssize_t c = values.shape[0], n = values.shape[1], T = tasks.shape[0]
    cdef Py_ssize_t P = perms.shape[0], t, a, b, p, s, pos, S
    cdef Strips* g
    cdef Scratch* sc
    cdef const Py_ssize_t* pp
    cdef bint ok, by_task
    if (sorted_vals.shape[0] != c or sorted_vals.shape[1] != n or rank.shape[0] != c
            or rank.shape[1] != n or order.shape[0] != c or order.shape[1] != n
            or tasks.shape[1] != 3 or (P and perms.shape[1] != n)
            or nx.shape[0] != T or ny.shape[0] != T or nx.shape[1] != n or ny.shape[1] != n):
        raise ValueError("ksg_tasks: mismatched shapes")
    if k < 1 or k >= n:
        raise ValueError(f"ksg_tasks: k must be in 1..{n - 1}, got {k}")
    for t in range(T):
        if not (0 <= tasks[t, 0] < c and 0 <= tasks[t, 1] < c and -1 <= tasks[t, 2] < P):
            raise ValueError("ksg_tasks: a task refers to a column or permutation that is absent")
    if T == 0:
        return
    g = NULL
    sc = NULL
    ok = True
    S = (n + strip_width(n, k) - 1) // strip_width(n, k)
    by_task = T >= 2 * n_threads or n_threads <= 1
    if by_task:
        with nogil, parallel(num_threads=n_threads):
            g = _strips_new(n, k)
            sc = _scratch_new(S, k)
            ok = g != NULL and sc != NULL
            for t in prange(T, schedule='dynamic', chunksize=1):
                if not ok:
                    nx[t, 0] = -1
                    continue
                a = tasks[t, 0]
                b = tasks[t, 1]
                p = tasks[t, 2]
                pp = &perms[p, 0] if p >= 0 else NULL
                _strips_build(g, &values[a, 0], &values[b, 0], &rank[a, 0], &rank[b, 0], pp,
                              &sorted_vals[a, 0], &order[b, 0])
                for s in range(S):
                    _run_strip(g, s, sc.cur, k, ksg2, &sorted_vals[a, 0], &sorted_vals[b, 0],
                               sc.kd, sc.ki, sc.kx, sc.ky, &nx[t, 0], &ny[t, 0])
            _strips_free(g)
            _scratch_free(sc)
        return
    # few tasks: one task at a time, the team over its strips
    g = _strips_new(n, k)
    if g == NULL:
        raise MemoryError("ksg_tasks: out of memory")
    for t in range(T):
        a = tasks[t, 0]
        b = tasks[t, 1]
        p = tasks[t, 2]
        with nogil:
            pp = &perms[p, 0] if p >= 0 else NULL
            _strips_build(g, &values[a, 0], &values[b, 0], &rank[a, 0], &rank[b, 0], pp,
                          &sorted_vals[a, 0], &order[b, 0])
            with parallel(num_threads=n_threads):
                sc = _scratch_new(S, k)
                for s in prange(S, schedule='dynamic', chunksize=1):
                    if sc == NULL:
                        for pos in range(g.start[s], g.start[s + 1]):
                            nx[t, g.lid[pos]] = -1
                        continue
                    _run_strip(g, s, sc.cur, k, ksg2, &sorted_vals[a, 0], &sorted_vals[b, 0],
                               sc.kd, sc.ki, sc.kx, sc.ky, &nx[t, 0], &ny[t, 0])
                _scratch_free(sc)
    _strips_free(g)


def restricted_permutation(const Py_ssize_t[:, ::1] neighbours,  # IN (n, m) candidate rows
                           const Py_ssize_t[::1] order,          # IN (n,) visiting order
                           unsigned char[::1] used,              # SCRATCH (n,) zeroed
                           Py_ssize_t[::1] out):                 # OUT (n,) chosen sample
    """The local permutation of Runge (2018): samples are visited in ``order``; sample i takes
    the first entry of its row of ``neighbours`` (its nearest neighbours in z, shuffled) that
    no earlier sample took, or the row's last entry when all are taken (so ``out`` may repeat
    a sample). Serial: each choice depends on the earlier ones."""
    cdef Py_ssize_t n = neighbours.shape[0], m = neighbours.shape[1], q, i, j, c
    if order.shape[0] != n or used.shape[0] != n or out.shape[0] != n or m < 1:
        raise ValueError("restricted_permutation: mismatched shapes")
    for q in range(n):
        if not (0 <= order[q] < n):
            raise ValueError("restricted_permutation: order holds an index out of range")
        for j in range(m):
            if not (0 <= neighbours[q, j] < n):
                raise ValueError("restricted_permutation: a neighbour index is out of range")
    with nogil:
        for q in range(n):
            i = order[q]
            c = neighbours[i, m - 1]
            for j in range(m):
                if not used[neighbours[i, j]]:
                    c = neighbours[i, j]
                    break
            out[i] = c
            used[c] = 1
