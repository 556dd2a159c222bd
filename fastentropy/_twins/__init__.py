"""Pure NumPy/SciPy twins of the compiled kernels.

Each module here mirrors ``fastentropy/_kernels/<stem>.pyx`` function for function, with the
same signatures (including the ``n_threads`` argument, which the twins ignore) and the same
in-place output convention. They are the fallback when the extension is missing and the test
oracle for the kernels.
"""
