# Stub for the compiled kernels in divergence.pyx. Arrays: the Cython type is in the comment.
import numpy as np

def log_array(
    x: np.ndarray,  # const double[::1]
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
def kl_rows(
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
    measure: int,  # int: 0 cross, 1 js, 2 tv, 3 bc, 4 chi2, 5 renyi, 6 renyi a=0, 7 renyi a=inf
    alpha: float,  # double
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
def power_rows(
    x: np.ndarray,  # const double[:, ::1]
    sums: np.ndarray,  # const double[::1]
    mode: int,  # int: 0 sum p^alpha - 1, 1 support size, 2 max p
    alpha: float,  # double
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
