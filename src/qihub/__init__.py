"""qihub: one platform for standards, metrology and conformity assessment."""

import os

__version__ = "0.1.0"

# numpy (imported by the measurement-uncertainty library) starts OpenBLAS
# worker threads when it loads. qihub does no large linear algebra, and a
# process with threads should not fork: a large catalogue import forks its
# checking processes. One BLAS thread, unless the operator says otherwise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
