import numpy as np

TABLE_SIZE: int

def entropy_counts_rows(
    counts: np.ndarray,  # const count_t[:, ::1], count_t any of int8 ... uint64
    k: np.ndarray,  # const double[::1]
    method: int,
    out: np.ndarray,  # double[::1]
    out_std: np.ndarray | None,  # double[::1] or None
    n_threads: int,
    a: float = 1.0,
) -> None: ...
