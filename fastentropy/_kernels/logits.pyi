# Stub for the compiled kernels in logits.pyx. Arrays: the Cython type is in the comment.
# Logit inputs and full-size outputs are uint8 byte views of rows with a contiguous class axis;
# kind: 0 float64, 1 float32, 2 float16 bits, 3 bfloat16 bits; out_kind: 0 float64, 1 float32.
import numpy as np

def exp_array(
    x: np.ndarray,  # const double[::1]
    out: np.ndarray,  # double[::1]
    which: int,  # int: 0 exp, 1 expm1; 2, 4 exp on [-707, 0]; 3 exp on x <= 0 (vector forms)
    n_threads: int,
) -> None: ...
def softmax_rows(
    x: np.ndarray,  # const unsigned char[:, :]
    kind: int,
    temperature: float,  # double
    grad_scale: float,  # double
    lse: np.ndarray,  # double[::1]
    ent: np.ndarray,  # double[::1]
    logp: np.ndarray,  # unsigned char[:, :] or (0, 0)
    probs: np.ndarray,  # unsigned char[:, :] or (0, 0)
    grad: np.ndarray,  # unsigned char[:, :] or (0, 0)
    out_kind: int,
    status: np.ndarray,  # signed char[::1]
    n_threads: int,
) -> None: ...
def pair_rows(
    p: np.ndarray,  # const unsigned char[:, :]
    q: np.ndarray,  # const unsigned char[:, :]
    kind: int,
    temperature: float,  # double
    mode: int,  # int: 0 KL, 1 Jensen-Shannon
    grad_scale: float,  # double
    out: np.ndarray,  # double[::1]
    grad_p: np.ndarray,  # unsigned char[:, :] or (0, 0)
    grad_q: np.ndarray,  # unsigned char[:, :] or (0, 0)
    out_kind: int,
    p_status: np.ndarray,  # signed char[::1]
    q_status: np.ndarray,  # signed char[::1]
    n_threads: int,
) -> None: ...
def cross_entropy_rows(
    x: np.ndarray,  # const unsigned char[:, :]
    kind: int,
    temperature: float,  # double
    mode: int,  # int: 0 labels, 1 probabilities, 2 teacher logits
    labels: np.ndarray,  # const int64_t[::1]
    target: np.ndarray,  # const unsigned char[:, :] or (0, 0)
    smoothing: float,  # double
    out: np.ndarray,  # double[::1]
    target_stats: np.ndarray,  # double[:, ::1]
    status: np.ndarray,  # signed char[::1]
    target_status: np.ndarray,  # signed char[::1]
    n_threads: int,
) -> None: ...
def uncertainty_rows(
    x: np.ndarray,  # const unsigned char[:, :, :]
    kind: int,
    temperature: float,  # double
    out: np.ndarray,  # double[:, ::1]
    status: np.ndarray,  # signed char[::1]
    n_threads: int,
) -> None: ...
