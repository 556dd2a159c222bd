# Stub for the compiled histogram kernels (Cython types in the comments). Inputs are const
# typed memoryviews; outputs are caller-allocated and filled in place.
import numpy as np

# real_t: fused double | float | int64_t
def min_max(x: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    """x: const real_t[::1]; out: double[::1] (3,) <- min, max, NaN flag (min/max unspecified
    when the flag is 1.0)."""
def hist_1d(
    x: np.ndarray, edges: np.ndarray, first: float, scale: float, tol: float, mode: int,
    partial: np.ndarray, n_threads: int,
) -> None:
    """x: const real_t[::1]; edges: const double[::1]; partial: int64_t[:, ::1] (n_threads, nb)."""
def hist_1d_weighted(
    x: np.ndarray, w: np.ndarray, edges: np.ndarray, first: float, scale: float, tol: float,
    mode: int, out: np.ndarray, n_threads: int,
) -> None:
    """x: const real_t[::1]; w: const double[::1]; edges: const double[::1]; out: double[::1]."""
def hist_dd(
    sample: np.ndarray, edges: np.ndarray, offsets: np.ndarray, firsts: np.ndarray,
    scales: np.ndarray, tols: np.ndarray, modes: np.ndarray, partial: np.ndarray, n_threads: int,
) -> None:
    """sample: const double[:, :] (n, D); edges: const double[::1]; offsets: const int64_t[::1];
    firsts/scales/tols: const double[::1]; modes: const int[::1]; partial: int64_t[:, ::1]."""
def hist_2d(
    x: np.ndarray, y: np.ndarray, ex: np.ndarray, ey: np.ndarray,
    fx: float, sx: float, tx: float, mx: int, fy: float, sy: float, ty: float, my: int,
    partial: np.ndarray, n_threads: int,
) -> None:
    """x, y: const real_t[::1]; ex, ey: const double[::1]; partial: int64_t[:, ::1]."""
def hist_dd_weighted(
    sample: np.ndarray, w: np.ndarray, edges: np.ndarray, offsets: np.ndarray,
    firsts: np.ndarray, scales: np.ndarray, tols: np.ndarray, modes: np.ndarray,
    out: np.ndarray, n_threads: int,
) -> None:
    """As hist_dd with w: const double[::1] and out: double[::1]; sequential (numpy's order)."""
def hist_rows(
    x: np.ndarray, edges: np.ndarray, tol: float, mode: int, counts: np.ndarray, n_threads: int
) -> None:
    """x: const double[:, ::1]; edges: const double[:, ::1] (rows or 1, nb+1);
    counts: int64_t[:, ::1] (rows, nb) zeroed."""
def bincount_rows(x: np.ndarray, counts: np.ndarray, n_threads: int) -> None:
    """x: const label_t[:, ::1] labels in [0, k), label_t any of int8 ... uint64;
    counts: int64_t[:, ::1] (rows, k) zeroed."""
