# Stub for the compiled kernels in knn.pyx. Arrays: the Cython type is in the comment.
import numpy as np

def knn_query(
    data: np.ndarray,  # const double[:, ::1]
    queries: np.ndarray,  # const double[:, ::1]
    k: int,
    metric: int,
    exclude_self: bool,
    kth: np.ndarray,  # double[::1]
    idx: np.ndarray,  # Py_ssize_t[:, ::1], (m, k) or (m, 0)
    n_threads: int,
    theiler: int = 0,
) -> None: ...
def count_inside(
    pts: np.ndarray,  # const double[:, ::1]
    radii: np.ndarray,  # const double[::1]
    strict: bool,
    counts: np.ndarray,  # Py_ssize_t[::1]
    n_threads: int,
    theiler: int = 0,
) -> None: ...
def count_inside_sorted(
    sorted_values: np.ndarray,  # const double[::1]
    order: np.ndarray,  # const Py_ssize_t[::1]
    radii: np.ndarray,  # const double[::1]
    strict: bool,
    counts: np.ndarray,  # Py_ssize_t[::1]
    n_threads: int,
    theiler: int = 0,
) -> None: ...
