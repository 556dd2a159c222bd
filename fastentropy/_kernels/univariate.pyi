# Stub for the compiled kernels in univariate.pyx. Arrays: the Cython type is in the comment.
# A mixture is passed in reduced form (see _twins/univariate.py): family (0 gaussian,
# 1 exponential, 2 rayleigh, 3 gamma, 4 laplace), hc, and per component logc, loc, inv (K,).
import numpy as np

TILE: int

def log_density(
    x: np.ndarray,  # const double[::1], (n,)
    family: int,
    hc: float,
    logc: np.ndarray,  # const double[::1], (K,)
    loc: np.ndarray,  # const double[::1], (K,)
    inv: np.ndarray,  # const double[::1], (K,)
    out: np.ndarray,  # double[::1], (n,)
    n_threads: int,
) -> None: ...
def sample(
    counts: np.ndarray,  # const int64_t[::1], (K,)
    family: int,
    loc: np.ndarray,  # const double[::1], (K,)
    inv: np.ndarray,  # const double[::1], (K,)
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    out: np.ndarray,  # double[::1], (sum(counts),)
    n_threads: int,
) -> None: ...
def kl_mc(
    counts: np.ndarray,  # const int64_t[::1], (K_p,)
    key0: int,  # uint32_t
    key1: int,  # uint32_t
    p_family: int,
    p_hc: float,
    p_logc: np.ndarray,  # const double[::1]
    p_loc: np.ndarray,  # const double[::1]
    p_inv: np.ndarray,  # const double[::1]
    q_family: int,
    q_hc: float,
    q_logc: np.ndarray,  # const double[::1]
    q_loc: np.ndarray,  # const double[::1]
    q_inv: np.ndarray,  # const double[::1]
    comp_mean: np.ndarray,  # double[::1], (K_p,)
    comp_m2: np.ndarray,  # double[::1], (K_p,)
    n_threads: int,
) -> None: ...
def kl_points(
    x: np.ndarray,  # const double[::1], (sum(counts),)
    counts: np.ndarray,  # const int64_t[::1], (K_p,)
    p_family: int,
    p_hc: float,
    p_logc: np.ndarray,  # const double[::1]
    p_loc: np.ndarray,  # const double[::1]
    p_inv: np.ndarray,  # const double[::1]
    q_family: int,
    q_hc: float,
    q_logc: np.ndarray,  # const double[::1]
    q_loc: np.ndarray,  # const double[::1]
    q_inv: np.ndarray,  # const double[::1]
    comp_mean: np.ndarray,  # double[::1], (K_p,)
    comp_m2: np.ndarray,  # double[::1], (K_p,)
    n_threads: int,
) -> None: ...
