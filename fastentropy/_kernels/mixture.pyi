# Stub for the compiled kernels in mixture.pyx. Arrays: the Cython type is in the comment.
# A mixture is passed as its positive-weight components: logc (K,), means (K, d), chol (K, d, d).
import numpy as np

TILE: int

def philox_blocks(
    ctr: np.ndarray,  # const uint32_t[:, ::1], (n, 4)
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    out: np.ndarray,  # uint32_t[:, ::1], (n, 4)
) -> None: ...
def normals(
    start: int,  # int64_t
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    out: np.ndarray,  # double[:, ::1], (n, d)
) -> None: ...
def log_density(
    x: np.ndarray,  # const double[:, ::1], (n, d)
    logc: np.ndarray,  # const double[::1]
    means: np.ndarray,  # const double[:, ::1]
    chol: np.ndarray,  # const double[:, :, ::1]
    out: np.ndarray,  # double[::1], (n,)
    n_threads: int,
) -> None: ...
def sample(
    counts: np.ndarray,  # const int64_t[::1], (K,)
    means: np.ndarray,  # const double[:, ::1]
    chol: np.ndarray,  # const double[:, :, ::1]
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    out: np.ndarray,  # double[:, ::1], (sum(counts), d)
    n_threads: int,
) -> None: ...
def kl_mc(
    counts: np.ndarray,  # const int64_t[::1], (K_p,)
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    p_logc: np.ndarray,  # const double[::1]
    p_means: np.ndarray,  # const double[:, ::1]
    p_chol: np.ndarray,  # const double[:, :, ::1]
    q_logc: np.ndarray,  # const double[::1]
    q_means: np.ndarray,  # const double[:, ::1]
    q_chol: np.ndarray,  # const double[:, :, ::1]
    comp_mean: np.ndarray,  # double[::1], (K_p,)
    comp_m2: np.ndarray,  # double[::1], (K_p,)
    n_threads: int,
) -> None: ...
def ndtri(
    u: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1], (n,)
) -> None: ...
def kl_mc_pairs(
    pairs: np.ndarray,  # const int64_t[::1], (K_p,): antithetic pairs per component
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    p_logc: np.ndarray,  # const double[::1]
    p_means: np.ndarray,  # const double[:, ::1]
    p_chol: np.ndarray,  # const double[:, :, ::1]
    q_logc: np.ndarray,  # const double[::1]
    q_means: np.ndarray,  # const double[:, ::1]
    q_chol: np.ndarray,  # const double[:, :, ::1]
    comp_mean: np.ndarray,  # double[::1], (K_p,): mean of the pair means
    comp_m2: np.ndarray,  # double[::1], (K_p,): their sum of squared deviations
    n_threads: int,
) -> None: ...
def kl_qmc(
    u: np.ndarray,  # const double[:, ::1], (sum(counts), d) uniforms
    counts: np.ndarray,  # const int64_t[::1], (S,) rows per stratum, >= 1
    comp: np.ndarray,  # const int64_t[::1], (S,) p's component of each stratum
    p_logc: np.ndarray,  # const double[::1]
    p_means: np.ndarray,  # const double[:, ::1]
    p_chol: np.ndarray,  # const double[:, :, ::1]
    q_logc: np.ndarray,  # const double[::1]
    q_means: np.ndarray,  # const double[:, ::1]
    q_chol: np.ndarray,  # const double[:, :, ::1]
    strat_mean: np.ndarray,  # double[::1], (S,)
    n_threads: int,
) -> None: ...
def kl_mc_batch(
    counts: np.ndarray,  # const int64_t[::1], (C,): samples of every pair's p components
    p_off: np.ndarray,  # const int64_t[::1], (npairs + 1,): pair t owns p rows p_off[t]..
    q_off: np.ndarray,  # const int64_t[::1], (npairs + 1,): and q rows q_off[t]..
    keys: np.ndarray,  # const uint32_t[:, ::1], (npairs, 2): the pairs' Philox keys
    p_logc: np.ndarray,  # const double[::1], (C,)
    p_means: np.ndarray,  # const double[:, ::1], (C, d)
    p_chol: np.ndarray,  # const double[:, :, ::1], (C, d, d)
    q_logc: np.ndarray,  # const double[::1]
    q_means: np.ndarray,  # const double[:, ::1]
    q_chol: np.ndarray,  # const double[:, :, ::1]
    comp_mean: np.ndarray,  # double[::1], (C,)
    comp_m2: np.ndarray,  # double[::1], (C,)
    n_threads: int,
) -> None: ...
