"""Stub of the compiled ``mutual_info`` kernels (Cython types in comments)."""
import numpy as np

def count_pairs(
    x: np.ndarray,  # const int64_t[::1]
    y: np.ndarray,  # const int64_t[::1]
    x0: int,  # int64_t
    y0: int,  # int64_t
    out: np.ndarray,  # int64_t[:, ::1]
    n_threads: int,
) -> None: ...
def plugin_table_entropies(
    tables: np.ndarray,  # const int64_t[:, :, ::1]
    out: np.ndarray,  # double[:, ::1], shape (T, 6)
    n_threads: int,
) -> None: ...
def expected_mutual_info(
    a_vals: np.ndarray,  # const int64_t[::1]
    a_mult: np.ndarray,  # const int64_t[::1]
    b_vals: np.ndarray,  # const int64_t[::1]
    b_mult: np.ndarray,  # const int64_t[::1]
    n: int,  # int64_t
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
