# Discrete entropy estimators on integer count rows: the per-row kernel other families cimport
# (entropy_samples, mutual_info). Method codes match fastentropy.estimators.METHODS.
from libc.stdint cimport int64_t

cdef enum:
    M_PLUGIN = 0
    M_MILLER_MADOW = 1
    M_JACKKNIFE = 2
    M_GRASSBERGER = 3
    M_ZHANG = 4
    M_CHAO_SHEN = 5
    M_HORVITZ_THOMPSON = 6
    M_CHAO_WANG_JOST = 7
    M_BONACHELA = 8
    M_JEFFREYS = 9
    M_LAPLACE = 10
    M_PERKS = 11
    M_MINIMAX = 12
    M_SHRINK = 13
    M_NSB = 14
    M_WOLPERT_WOLF = 15
    M_ANSB = 16
    M_GOOD_TURING = 17

# Entropy in nats of one row of counts (n entries, contiguous), alphabet size k (k >= n entries
# is allowed: the extra k - n symbols are unseen). Writes the posterior std to *std_out when
# std_out != NULL (NaN where the method defines none). Thread-safe, nogil, allocates any scratch
# it needs itself. Caller guarantees the row total > 0. Never returns -0.0.
# M_ANSB returns +inf (std +inf) for a row without coincidences (every observed count 1).
cdef double estimate_row(const int64_t* counts, Py_ssize_t n, double k, int method,
                         double* std_out) noexcept nogil

# The same with the method's parameter: the Dirichlet concentration a > 0 of M_WOLPERT_WOLF
# (estimate_row passes 1.0); the other methods ignore it.
cdef double estimate_row_param(const int64_t* counts, Py_ssize_t n, double k, int method,
                               double param, double* std_out) noexcept nogil
