"""Twin of ``_kernels/_openmp``: a build without OpenMP runs on one thread."""


def openmp_enabled() -> bool:
    return False


def max_threads() -> int:
    return 1


def num_procs() -> int:
    return 1
