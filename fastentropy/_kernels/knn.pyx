# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Nearest-neighbour kernels for the k-NN estimators: a KD-tree (max-norm and Euclidean) and
exact range counts.

The tree is our own: points are copied in tree order, nodes split the widest side of their
bounding box at the median (quickselect), leaves hold at most ``LEAF`` points. Queries of a set
against itself run in tree order (neighbouring queries touch the same leaves).

Exactness: a node is pruned or taken whole only from bounds computed with the same
floating-point expression as the point distance (``fabs(p - q)`` per coordinate, their max; or
``(p - q) * (p - q)`` summed in coordinate order, then ``sqrt``). Rounding is monotone, so the
bound of a box never exceeds the computed distance of a point inside it: no epsilons, exact at
any scale. "Strictly inside the radius" is ``dist < r`` with that same expression, so the k-th
neighbour that sits exactly on the radius in a marginal is never counted.

1-D marginals use no tree: the values are sorted once and each count is two binary searches on
the predicates ``x_i - s_j < r`` (left of ``x_i``) and ``s_j - x_i < r`` (right of it), which are
monotone in ``j`` and are the distance expression itself.

Every query is independent and writes only its own outputs, so results are bitwise identical
for any thread count.
"""
from cython.parallel cimport parallel, prange
from libc.math cimport fabs, sqrt, INFINITY
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free, qsort

cdef enum:
    LEAF = 16

cdef enum:
    METRIC_CHEBYSHEV = 0
    METRIC_EUCLIDEAN = 1


ctypedef struct Tree:
    Py_ssize_t n
    Py_ssize_t d
    Py_ssize_t nnodes
    double* pts           # (n, d) points in tree order
    Py_ssize_t* perm      # tree position -> original index
    Py_ssize_t* start     # node -> first tree position
    Py_ssize_t* end       # node -> one past its last tree position
    Py_ssize_t* left      # node -> left child, -1 for a leaf
    Py_ssize_t* right     # node -> right child
    double* lo            # (nnodes, d) bounding box
    double* hi


cdef inline void _swap(double* pts, Py_ssize_t* perm, Py_ssize_t d, Py_ssize_t i,
                       Py_ssize_t j) noexcept nogil:
    cdef Py_ssize_t dim, ti
    cdef double tv
    for dim in range(d):
        tv = pts[i * d + dim]
        pts[i * d + dim] = pts[j * d + dim]
        pts[j * d + dim] = tv
    ti = perm[i]
    perm[i] = perm[j]
    perm[j] = ti


cdef void _select(double* pts, Py_ssize_t* perm, Py_ssize_t d, Py_ssize_t dim,
                  Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t kth) noexcept nogil:
    """Reorder the points lo..hi (inclusive) of pts (and perm alongside) so that position kth
    holds its order statistic by coordinate dim, smaller-or-equal values before it and
    greater-or-equal after (Hoare partitioning, median-of-three pivot)."""
    cdef Py_ssize_t i, j, mid
    cdef double a, b, c, pivot
    while hi > lo:
        mid = lo + (hi - lo) // 2
        a = pts[lo * d + dim]
        b = pts[mid * d + dim]
        c = pts[hi * d + dim]
        if a < b:
            pivot = b if b < c else (c if a < c else a)
        else:
            pivot = a if a < c else (c if b < c else b)
        i = lo
        j = hi
        while i <= j:
            while pts[i * d + dim] < pivot:
                i += 1
            while pts[j * d + dim] > pivot:
                j -= 1
            if i <= j:
                _swap(pts, perm, d, i, j)
                i += 1
                j -= 1
        if kth <= j:
            hi = j
        elif kth >= i:
            lo = i
        else:
            return


cdef Py_ssize_t _build(Tree* t, Py_ssize_t s, Py_ssize_t e) noexcept nogil:
    cdef Py_ssize_t node = t.nnodes, d = t.d, i, dim, best = 0, mid
    cdef double v, spread, widest = -1.0
    cdef double* lo = t.lo + node * d
    cdef double* hi = t.hi + node * d
    t.nnodes += 1
    for dim in range(d):
        lo[dim] = INFINITY
        hi[dim] = -INFINITY
    for i in range(s, e):
        for dim in range(d):
            v = t.pts[i * d + dim]
            if v < lo[dim]:
                lo[dim] = v
            if v > hi[dim]:
                hi[dim] = v
    t.start[node] = s
    t.end[node] = e
    t.left[node] = -1
    t.right[node] = -1
    if e - s <= LEAF:
        return node
    for dim in range(d):
        spread = hi[dim] - lo[dim]
        if spread > widest:
            widest = spread
            best = dim
    mid = s + (e - s) // 2
    _select(t.pts, t.perm, d, best, s, e - 1, mid)
    t.left[node] = _build(t, s, mid)
    t.right[node] = _build(t, mid, e)
    return node


cdef int _tree_init(Tree* t, const double* data, Py_ssize_t n, Py_ssize_t d) noexcept nogil:
    """Build the tree of data (n, d); 0 on success, -1 when out of memory."""
    cdef Py_ssize_t cap = 2 * (n // (LEAF // 2) + 1) + 1, i, j
    t.n = n
    t.d = d
    t.nnodes = 0
    t.pts = <double*>malloc(max(n * d, 1) * sizeof(double))
    t.perm = <Py_ssize_t*>malloc(max(n, 1) * sizeof(Py_ssize_t))
    t.start = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
    t.end = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
    t.left = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
    t.right = <Py_ssize_t*>malloc(cap * sizeof(Py_ssize_t))
    t.lo = <double*>malloc(cap * max(d, 1) * sizeof(double))
    t.hi = <double*>malloc(cap * max(d, 1) * sizeof(double))
    if (t.pts == NULL or t.perm == NULL or t.start == NULL or t.end == NULL or t.left == NULL
            or t.right == NULL or t.lo == NULL or t.hi == NULL):
        return -1
    for i in range(n):
        t.perm[i] = i
        for j in range(d):
            t.pts[i * d + j] = data[i * d + j]
    if n > 0:
        _build(t, 0, n)  # reorders t.pts and t.perm together
    return 0


cdef void _tree_free(Tree* t) noexcept nogil:
    free(t.pts)
    free(t.perm)
    free(t.start)
    free(t.end)
    free(t.left)
    free(t.right)
    free(t.lo)
    free(t.hi)


cdef inline double _lower(const Tree* t, Py_ssize_t node, const double* q,
                          int metric) noexcept nogil:
    """A bound <= the computed distance (squared for Euclidean) from q to any point of node."""
    cdef Py_ssize_t dim, d = t.d
    cdef const double* lo = t.lo + node * d
    cdef const double* hi = t.hi + node * d
    cdef double g, acc = 0.0
    for dim in range(d):
        if q[dim] < lo[dim]:
            g = lo[dim] - q[dim]
        elif q[dim] > hi[dim]:
            g = q[dim] - hi[dim]
        else:
            g = 0.0
        if metric == METRIC_CHEBYSHEV:
            if g > acc:
                acc = g
        else:
            acc = acc + g * g
    return acc


cdef inline void _offer_leaf(const Tree* t, Py_ssize_t node, const double* q, Py_ssize_t skip,
                             bint cheb, int k, double* bd, Py_ssize_t* bi, Py_ssize_t orig,
                             Py_ssize_t theiler) noexcept nogil:
    cdef Py_ssize_t pos, dim, d = t.d, m, s0 = t.start[node], cnt = t.end[node] - s0, j, gap
    cdef double dist, g
    cdef double buf[LEAF]
    cdef const double* p = t.pts + s0 * d
    # distances first (a loop the compiler can vectorise), then the few insertions
    if cheb and d == 2:
        for j in range(cnt):
            dist = fabs(p[2 * j] - q[0])
            g = fabs(p[2 * j + 1] - q[1])
            buf[j] = g if g > dist else dist
    elif cheb:
        for j in range(cnt):
            dist = 0.0
            for dim in range(d):
                g = fabs(p[j * d + dim] - q[dim])
                if g > dist:
                    dist = g
            buf[j] = dist
    else:
        for j in range(cnt):
            dist = 0.0
            for dim in range(d):
                g = p[j * d + dim] - q[dim]
                dist = dist + g * g
            buf[j] = dist
    for j in range(cnt):
        dist = buf[j]
        pos = s0 + j
        if dist > bd[k - 1] or pos == skip:
            continue
        if theiler > 0:
            # the Theiler window: points whose original index is within theiler of the query's
            gap = t.perm[pos] - orig
            if -theiler <= gap <= theiler:
                continue
        # order by (distance, original index): the neighbour set is then defined even
        # when several points tie at the k-th distance
        if dist < bd[k - 1] or bi[k - 1] < 0 or t.perm[pos] < t.perm[bi[k - 1]]:
            m = k - 1
            while m > 0 and (bd[m - 1] > dist or (bd[m - 1] == dist and (
                    bi[m - 1] < 0 or t.perm[bi[m - 1]] > t.perm[pos]))):
                bd[m] = bd[m - 1]
                bi[m] = bi[m - 1]
                m -= 1
            bd[m] = dist
            bi[m] = pos


cdef void _knn_iter(const Tree* t, const double* q, Py_ssize_t skip, int metric, int k,
                    double* bd, Py_ssize_t* bi, Py_ssize_t orig, Py_ssize_t theiler) noexcept nogil:
    """The k nearest of q among the tree's points (skipping tree position skip and, with
    theiler > 0, the points of original index within theiler of orig) into the
    sorted lists bd (distances; squared sums for Euclidean) and bi (tree positions): depth
    first from a stack of (node, bound), nearer child on top; a node whose bound exceeds the
    current k-th distance is skipped (at equality it may hold a tied point of lower index)."""
    cdef Py_ssize_t stack[256]
    cdef double sb[256]
    cdef Py_ssize_t top = 1, node, a, b
    cdef double ba, bb, tmp
    cdef bint cheb = metric == METRIC_CHEBYSHEV
    stack[0] = 0
    sb[0] = 0.0
    while top > 0:
        top -= 1
        node = stack[top]
        if sb[top] > bd[k - 1]:
            continue
        if t.left[node] < 0:
            _offer_leaf(t, node, q, skip, cheb, k, bd, bi, orig, theiler)
            continue
        a = t.left[node]
        b = t.right[node]
        ba = _lower(t, a, q, metric)
        bb = _lower(t, b, q, metric)
        if ba > bb:
            node = a
            a = b
            b = node
            tmp = ba
            ba = bb
            bb = tmp
        if bb <= bd[k - 1]:
            stack[top] = b
            sb[top] = bb
            top += 1
        if ba <= bd[k - 1]:
            stack[top] = a
            sb[top] = ba
            top += 1


cdef int64_t _count_node(const Tree* t, Py_ssize_t node, const double* q, double r,
                         bint strict) noexcept nogil:
    """Points of node with max-norm distance to q < r (strict) or <= r."""
    cdef Py_ssize_t pos, dim, d = t.d
    cdef const double* lo = t.lo + node * d
    cdef const double* hi = t.hi + node * d
    cdef const double* p
    cdef double lb = 0.0, ub = 0.0, g, dist
    cdef int64_t c = 0
    for dim in range(d):
        if q[dim] < lo[dim]:
            g = lo[dim] - q[dim]
        elif q[dim] > hi[dim]:
            g = q[dim] - hi[dim]
        else:
            g = 0.0
        if g > lb:
            lb = g
        g = hi[dim] - q[dim]
        if g > ub:
            ub = g
        g = q[dim] - lo[dim]
        if g > ub:
            ub = g
    if (lb >= r) if strict else (lb > r):
        return 0
    if (ub < r) if strict else (ub <= r):
        return t.end[node] - t.start[node]
    if t.left[node] < 0:
        for pos in range(t.start[node], t.end[node]):
            p = t.pts + pos * d
            dist = 0.0
            for dim in range(d):
                g = fabs(p[dim] - q[dim])
                if g > dist:
                    dist = g
            if (dist < r) if strict else (dist <= r):
                c += 1
        return c
    return (_count_node(t, t.left[node], q, r, strict)
            + _count_node(t, t.right[node], q, r, strict))


cdef int _cmp_double(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const double*>a)[0], y = (<const double*>b)[0]
    return (x > y) - (x < y)


cdef inline bint _inside(double dist, double r, bint strict) noexcept nogil:
    return (dist < r) if strict else (dist <= r)


cdef int64_t _count_sorted(const double* s, Py_ssize_t n, double x, double r,
                           bint strict) noexcept nogil:
    """Entries s_j of the sorted s (n,) with |s_j - x| < r (strict) or <= r, evaluated as
    x - s_j for s_j < x and s_j - x for s_j >= x (the same values as fabs(s_j - x)). Those
    inside form one run of s, around the values equal to x (when a distance 0 is inside)."""
    cdef Py_ssize_t a, b, m, lo_idx, hi_idx
    if not _inside(0.0, r, strict):
        return 0  # not even the values equal to x are inside
    # lo_idx: first j with s_j >= x or x - s_j inside (false ... true in j)
    a = 0
    b = n
    while a < b:
        m = a + (b - a) // 2
        if s[m] >= x or _inside(x - s[m], r, strict):
            b = m
        else:
            a = m + 1
    lo_idx = a
    # hi_idx: first j with s_j > x and s_j - x outside (false ... true in j)
    b = n
    while a < b:
        m = a + (b - a) // 2
        if s[m] > x and not _inside(s[m] - x, r, strict):
            b = m
        else:
            a = m + 1
    hi_idx = a
    return hi_idx - lo_idx


def knn_query(const double[:, ::1] data,     # IN (n, d) reference points
              const double[:, ::1] queries,  # IN (m, d) query points (data itself if self)
              int k,                         # IN neighbours wanted, 1 <= k <= n - self
              int metric,                    # IN 0 max-norm, 1 Euclidean
              bint exclude_self,             # IN queries is data; query i skips point i
              double[::1] kth,               # OUT (m,) distance to the k-th neighbour
              Py_ssize_t[:, ::1] idx,        # OUT (m, k) neighbour indices into data, by
                                             #     (distance, index): ties go to lower
                                             #     indices; (m, 0): not wanted
              int n_threads,
              Py_ssize_t theiler=0):         # IN self-queries: also skip |i - j| <= theiler
    """k nearest neighbours of each query among data (KD-tree, exact). Neighbours are ranked
    by (distance, index), so the set is unique even when points tie at the k-th distance.
    ``theiler`` > 0 (self-queries only) excludes a window of original indices around each
    query (the Theiler window of time-series estimators)."""
    cdef Tree t
    cdef Py_ssize_t n = data.shape[0], d = data.shape[1], m = queries.shape[0]
    cdef Py_ssize_t i, j, orig, skip, want = idx.shape[1]
    cdef double* bd
    cdef Py_ssize_t* bi
    cdef const double* q
    cdef int status
    cdef Py_ssize_t excluded = (1 if exclude_self else 0)
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
    if theiler > 0:
        if not exclude_self:
            raise ValueError("knn_query: theiler needs exclude_self (queries is data)")
        excluded = min(n, 2 * theiler + 1)  # the most any query loses (an inner one)
    if k < 1 or k > n - excluded:
        raise ValueError(f"k must be in 1..{n - excluded}, got {k}")
    if (queries.shape[1] != d or kth.shape[0] != m or idx.shape[0] != m
            or (idx.shape[1] != k and idx.shape[1] != 0)):
        raise ValueError("knn_query: mismatched shapes")
    if exclude_self and m != n:
        raise ValueError("knn_query: exclude_self needs queries to be data")
    if m == 0:
        return
    bd = NULL
    bi = NULL
    with nogil:
        status = _tree_init(&t, &data[0, 0], n, d)
    if status != 0:
        _tree_free(&t)
        raise MemoryError("knn_query: out of memory building the tree")
    with nogil, parallel(num_threads=n_threads):
        bd = <double*>malloc(k * sizeof(double))
        bi = <Py_ssize_t*>malloc(k * sizeof(Py_ssize_t))
        for i in prange(m, schedule='dynamic', chunksize=64):
            if bd == NULL or bi == NULL:
                kth[i] = -1.0  # the facade checks for this (out of memory)
                continue
            if exclude_self:
                q = t.pts + i * d
                orig = t.perm[i]
                skip = i
            else:
                q = &queries[i, 0]
                orig = i
                skip = -1
            for j in range(k):
                bd[j] = INFINITY
                bi[j] = -1
            _knn_iter(&t, q, skip, metric, k, bd, bi, orig, theiler)
            if metric == METRIC_EUCLIDEAN:
                kth[orig] = sqrt(bd[k - 1])
            else:
                kth[orig] = bd[k - 1]
            for j in range(want):
                # -1 only if a distance was NaN (non-finite input; the facade rejects it)
                idx[orig, j] = t.perm[bi[j]] if bi[j] >= 0 else -1
        free(bd)
        free(bi)
    _tree_free(&t)


cdef int64_t _window_count(const double* v, Py_ssize_t n, Py_ssize_t d, Py_ssize_t i,
                           Py_ssize_t theiler, double r, bint strict) noexcept nogil:
    """Points j != i of v (n, d), original order, with |i - j| <= theiler and max-norm distance
    to point i inside r, by the counters' expression (fabs of the coordinate differences, their
    max): what the Theiler window removes from a count. O(theiler d)."""
    cdef Py_ssize_t j, dim, lo = i - theiler, hi = i + theiler
    cdef double dist, g
    cdef int64_t c = 0
    if lo < 0:
        lo = 0
    if hi > n - 1:
        hi = n - 1
    for j in range(lo, hi + 1):
        if j == i:
            continue
        dist = 0.0
        for dim in range(d):
            g = fabs(v[j * d + dim] - v[i * d + dim])
            if g > dist:
                dist = g
        if _inside(dist, r, strict):
            c += 1
    return c


def count_inside(const double[:, ::1] pts,   # IN (n, d) points
                 const double[::1] radii,    # IN (n,) radius of each point
                 bint strict,                # IN count dist < r (True) or dist <= r
                 Py_ssize_t[::1] counts,     # OUT (n,) other points j != i inside
                 int n_threads,
                 Py_ssize_t theiler=0):      # IN points j with |i - j| <= theiler not counted
    """For each point i, the points j != i whose max-norm distance to point i is strictly
    below (or at most) radii[i]. One column: sort and binary search; more: the tree. With
    ``theiler`` > 0 the points of the window |i - j| <= theiler are left out (counted, then
    those inside subtracted with the same predicate: exact, O(theiler) per point)."""
    cdef Tree t
    cdef Py_ssize_t n = pts.shape[0], d = pts.shape[1], i, orig
    cdef double* s
    cdef int status
    cdef bint selfin
    if radii.shape[0] != n or counts.shape[0] != n:
        raise ValueError("count_inside: mismatched shapes")
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
    if n == 0:
        return
    if d == 1:
        s = <double*>malloc(n * sizeof(double))
        if s == NULL:
            raise MemoryError("count_inside: out of memory")
        with nogil:
            for i in range(n):
                s[i] = pts[i, 0]
            qsort(s, n, sizeof(double), _cmp_double)
            for i in prange(n, schedule='static', num_threads=n_threads):
                selfin = _inside(0.0, radii[i], strict)
                counts[i] = _count_sorted(s, n, pts[i, 0], radii[i], strict) - selfin
                if theiler > 0:
                    counts[i] -= _window_count(&pts[0, 0], n, 1, i, theiler, radii[i], strict)
        free(s)
        return
    with nogil:
        status = _tree_init(&t, &pts[0, 0], n, d)
    if status != 0:
        _tree_free(&t)
        raise MemoryError("count_inside: out of memory building the tree")
    with nogil:
        for i in prange(n, schedule='dynamic', chunksize=64, num_threads=n_threads):
            orig = t.perm[i]
            selfin = _inside(0.0, radii[orig], strict)
            counts[orig] = _count_node(&t, 0, t.pts + i * d, radii[orig], strict) - selfin
            if theiler > 0:
                counts[orig] -= _window_count(&pts[0, 0], n, d, orig, theiler, radii[orig],
                                              strict)
    _tree_free(&t)


cdef inline int64_t _count_gallop(const double* s, Py_ssize_t n, Py_ssize_t p, double r,
                                  bint strict) noexcept nogil:
    """Entries j != p of the sorted s (n,) with |s_j - s_p| < r (strict) or <= r, found by
    galloping out from p: s_j - s_p to the right and s_p - s_j to the left are the distance
    expression itself and monotone in j, so each side is one exponential + binary search
    (O(log count), cache-local)."""
    cdef double x = s[p]
    cdef Py_ssize_t a, b, m, step, right, left
    if not _inside(0.0, r, strict):
        return 0
    a = p
    step = 1
    b = p + 1
    while b < n and _inside(s[b] - x, r, strict):
        a = b
        step *= 2
        b = p + step
    if b > n:
        b = n
    while b - a > 1:
        m = a + (b - a) // 2
        if _inside(s[m] - x, r, strict):
            a = m
        else:
            b = m
    right = a
    a = p
    step = 1
    b = p - 1
    while b >= 0 and _inside(x - s[b], r, strict):
        a = b
        step *= 2
        b = p - step
    if b < -1:
        b = -1
    while a - b > 1:
        m = b + (a - b) // 2
        if _inside(x - s[m], r, strict):
            a = m
        else:
            b = m
    left = a
    return right - left


def count_inside_sorted(const double[::1] sorted_values,  # IN (n,) one column, ascending
                        const Py_ssize_t[::1] order,      # IN (n,) sorted_values[p] is the
                                                          #    value of point order[p]
                        const double[::1] radii,          # IN (n,) radius of each point
                        bint strict,                      # IN dist < r (True) or dist <= r
                        Py_ssize_t[::1] counts,           # OUT (n,) others j != i inside
                        int n_threads,
                        Py_ssize_t theiler=0):            # IN skip |i - j| <= theiler
    """count_inside for one column given its sort (the caller sorts once and may reuse it):
    queries run in sorted order, each galloping out from its own position. With ``theiler``
    > 0 the window's points inside are subtracted (values put back in original order once)."""
    cdef Py_ssize_t n = sorted_values.shape[0], p, i
    cdef double* v = NULL
    if order.shape[0] != n or radii.shape[0] != n or counts.shape[0] != n:
        raise ValueError("count_inside_sorted: mismatched shapes")
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
    if n == 0:
        return
    if theiler > 0:
        v = <double*>malloc(n * sizeof(double))
        if v == NULL:
            raise MemoryError("count_inside_sorted: out of memory")
        for p in range(n):
            i = order[p]
            if i < 0 or i >= n:
                free(v)
                raise ValueError("count_inside_sorted: order must be a permutation of 0..n-1")
            v[i] = sorted_values[p]
    with nogil:
        for p in prange(n, schedule='static', num_threads=n_threads):
            i = order[p]
            counts[i] = _count_gallop(&sorted_values[0], n, p, radii[i], strict)
            if theiler > 0:
                counts[i] -= _window_count(v, n, 1, i, theiler, radii[i], strict)
    free(v)
