# Stub for the compiled fused binned-sample entropy kernels (Cython types in the comments).
import numpy as np

def entropy_rows_uniform(
    x: np.ndarray, nb: int, lo: float, hi: float, auto: bool, k: np.ndarray, method: int,
    out: np.ndarray, status: np.ndarray, n_threads: int,
) -> None:
    """x: const double[:, ::1] (rows, n); k: const double[::1] (rows,);
    out: double[::1] (rows,); status: signed char[::1] (rows,)."""
def entropy_rows_rule(
    x: np.ndarray, rule: int, cst: np.ndarray, k: np.ndarray, method: int, out: np.ndarray,
    status: np.ndarray, nbins: np.ndarray, n_threads: int,
) -> None:
    """x: const double[:, ::1] (rows, n >= 1); rule: R_* code (0 sqrt, 1 sturges, 2 rice,
    3 scott, 4 fd, 5 auto, 6 doane); cst: const double[::1] (6,) numpy's constants for n;
    k: const double[::1] (rows,), NaN for the row's number of bins; out: double[::1] (rows,);
    status: signed char[::1] (rows,), 6 = left to numpy; nbins: int64_t[::1] (rows,)."""
def entropy_rows_edges(
    x: np.ndarray, edges: np.ndarray, offsets: np.ndarray, firsts: np.ndarray,
    scales: np.ndarray, tols: np.ndarray, modes: np.ndarray, k: np.ndarray, method: int,
    out: np.ndarray, status: np.ndarray, n_threads: int,
) -> None:
    """x: const double[:, ::1]; edges: const double[::1]; offsets: const int64_t[::1]
    (rows + 1 or 2 when shared); firsts/scales/tols: const double[::1]; modes: const int[::1];
    k: const double[::1]; out: double[::1]; status: signed char[::1]."""
def entropy_rows_labels(
    x: np.ndarray, nlab: int, k: np.ndarray, method: int, out: np.ndarray, status: np.ndarray,
    n_threads: int,
) -> None:
    """x: const label_t[:, ::1] labels in [0, nlab), label_t any of int8 ... uint64;
    k: const double[::1] (NaN: nlab); out: double[::1]; status: signed char[::1]."""
