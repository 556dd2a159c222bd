# cython: language_level=3
"""Build facts of the compiled extension: whether OpenMP is on and its thread defaults."""
from fastentropy._kernels._openmp_helpers cimport (
    FE_OPENMP_ENABLED, omp_get_max_threads, omp_get_num_procs)


def openmp_enabled():
    return bool(FE_OPENMP_ENABLED)


def max_threads():
    # Read at call time: honours OMP_NUM_THREADS and limits set later by threadpoolctl.
    return int(omp_get_max_threads())


def num_procs():
    return int(omp_get_num_procs())
