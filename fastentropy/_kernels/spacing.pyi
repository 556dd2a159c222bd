# Stub for the compiled kernels in spacing.pyx. Arrays: the Cython type is in the comment.
# method: 0 vasicek, 1 van es, 2 ebrahimi, 3 correa, 4 auto. Row status codes: 0 ok, 1 NaN in the
# row (propagate), 2 too few values for the window, 9 out of memory.
import numpy as np

def spacing_rows(
    x: np.ndarray,  # const float[:, :] or const double[:, :] (any strides)
    out: np.ndarray,  # double[::1]
    status: np.ndarray,  # signed char[::1]
    method: int,
    window: int,  # Py_ssize_t: the window m, 0 for round(sqrt(n)) per row
    omit: int,  # 1: drop NaNs per row; 0: a row holding a NaN gives NaN (status 1)
    presorted: int,  # 1: rows already ascending with NaNs last (numpy.sort's order)
    n_threads: int,
) -> None: ...
def sort_rows(
    x: np.ndarray,  # double[:, ::1], sorted in place
    n_threads: int,
) -> None: ...
