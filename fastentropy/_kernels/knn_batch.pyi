# Stub for the compiled kernels in knn_batch.pyx. Arrays: the Cython type is in the comment.
import numpy as np

def ksg_tasks(
    values: np.ndarray,  # const double[:, ::1], (c, n)
    sorted_vals: np.ndarray,  # const double[:, ::1], (c, n)
    order: np.ndarray,  # const Py_ssize_t[:, ::1], (c, n)
    rank: np.ndarray,  # const Py_ssize_t[:, ::1], (c, n)
    tasks: np.ndarray,  # const Py_ssize_t[:, ::1], (T, 3)
    perms: np.ndarray,  # const Py_ssize_t[:, ::1], (P, n)
    k: int,
    ksg2: bool,
    nx: np.ndarray,  # Py_ssize_t[:, ::1], (T, n)
    ny: np.ndarray,  # Py_ssize_t[:, ::1], (T, n)
    n_threads: int,
) -> None: ...
def restricted_permutation(
    neighbours: np.ndarray,  # const Py_ssize_t[:, ::1], (n, m)
    order: np.ndarray,  # const Py_ssize_t[::1], (n,)
    used: np.ndarray,  # unsigned char[::1], (n,), zeroed
    out: np.ndarray,  # Py_ssize_t[::1], (n,)
) -> None: ...
