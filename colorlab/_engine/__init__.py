"""Private: the k-means engine. The compiled C kernels (``engine.c``, loaded by :mod:`.binding` with ctypes and
wrapped for numpy arrays by :mod:`.kernels`),
pixel codes (:mod:`.codes`), the thread pool (:mod:`.threads`), the k-means driver (:mod:`.kmeans`), and numpy's
PCG64 numbers without ``numpy.random`` (:mod:`.random`).

May import: :mod:`colorlab.errors`, :mod:`colorlab.util` and numpy. Nothing above it.
"""
