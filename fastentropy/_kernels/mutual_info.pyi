"""Stub of the compiled ``mutual_info`` kernels (Cython types in comments).

uint_t below is a fused type: uint8_t | uint16_t | uint32_t | uint64_t (the facade passes
signed integer arrays as the unsigned view of their bytes). ``count_pairs`` takes one for each
label array independently.
"""
import numpy as np

def count_pairs(
    x: np.ndarray,  # const uint_t[:] (any stride)
    y: np.ndarray,  # const uint_t[:] (any stride)
    x0: int,  # int64_t, subtracted modulo 2**width
    y0: int,  # int64_t
    out: np.ndarray,  # int64_t[:, ::1] (R, C), zeroed by the caller
    n_threads: int,
) -> None: ...
def plugin_table_entropies(
    tables: np.ndarray,  # const uint_t[:, :, :] (T, R, C), any strides, counts <= 2**63 - 1
    want: int,  # int: bits 1 H(X,Y), 2 I(X;Y), 4 H(Y|X), 8 H(X|Y), 16 H(X), 32 H(Y)
    out: np.ndarray,  # double[:, ::1] (T, 6); NaN where not wanted
    status: np.ndarray,  # signed char[::1] (T,): 0 ok, 1 zero total, 2 overflow, 3 no memory
    n_threads: int,
) -> None: ...
def plugin_cell_entropies(
    counts: np.ndarray,  # const int64_t[::1] (M,) positive
    rows: np.ndarray,  # const int64_t[::1] (M,) in [0, R)
    cols: np.ndarray,  # const int64_t[::1] (M,) in [0, C), (row, col) pairs distinct
    n_rows: int,  # int64_t R
    n_cols: int,  # int64_t C
    want: int,  # int, as for plugin_table_entropies
    out: np.ndarray,  # double[::1] (6,)
) -> int: ...  # status code, as for plugin_table_entropies
def expected_mutual_info(
    a_vals: np.ndarray,  # const int64_t[::1]
    a_mult: np.ndarray,  # const int64_t[::1]
    b_vals: np.ndarray,  # const int64_t[::1]
    b_mult: np.ndarray,  # const int64_t[::1]
    n: int,  # int64_t
    out: np.ndarray,  # double[::1]
    n_threads: int,
) -> None: ...
