# OpenMP shim: one .pyx compiles with or without OpenMP. Without it, the stand-ins make every
# prange a serial loop and report one thread.
cdef extern from *:
    """
    #ifdef _OPENMP
        #include <omp.h>
        #define FE_OPENMP_ENABLED 1
    #else
        #define FE_OPENMP_ENABLED 0
        #define omp_get_max_threads() 1
        #define omp_get_num_procs() 1
        #define omp_get_thread_num() 0
    #endif
    """
    bint FE_OPENMP_ENABLED
    int omp_get_max_threads() noexcept nogil
    int omp_get_num_procs() noexcept nogil
    int omp_get_thread_num() noexcept nogil
