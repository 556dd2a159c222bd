# Stub for the compiled kernels in divergence.pyx. Arrays: the Cython type is in the comment.
import numpy as np

def log_array(
    x: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def log_ratio_array(
    p: np.ndarray,  # const double[::1]
    q: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def row_stats(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # double[::1]
    mins: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def entropy_rows(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def entropy_stats_rows(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # double[::1]
    mins: np.ndarray,  # double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def entropy_cols(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # double[::1]
    mins: np.ndarray,  # double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def kl_rows(  # sum (p log(p/q) - p + q), accurate for close rows
    p: np.ndarray,  # const double[:, ::1]
    p_sums: np.ndarray,  # const double[::1]
    q: np.ndarray,  # const double[:, ::1]
    q_sums: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def pair_rows(
    p: np.ndarray,  # const double[:, ::1]
    p_sums: np.ndarray,  # const double[::1]
    q: np.ndarray,  # const double[:, ::1]
    q_sums: np.ndarray,  # const double[::1]
    # int: 0 cross entropy, 1 Jensen-Shannon, 2 total variation, 3 sum sqrt(p) sqrt(q),
    # 4 chi^2, 5 Renyi sum p^a q^(1-a) - a p - (1-a) q, 6 mass of q off the support of p,
    # 7 max (p - q)/q over the support of p, 8 Renyi sum p^a q^(1-a), 9 sum (sqrt p - sqrt q)^2,
    # 10 the Renyi divergence of order alpha > 1 in log-sum-exp form; others raise ValueError
    measure: int,
    alpha: float,  # double: the Renyi order (measures 5, 8 and 10)
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def power_rows(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # const double[::1]
    mode: int,  # int: 0 sum p^alpha - 1, 1 support size, 2 max p, 3 sum p^alpha
    alpha: float,  # double
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
