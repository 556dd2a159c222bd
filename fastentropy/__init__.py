"""fastentropy: fast, batch-first, honest information-theory estimators.

Compiled Cython/OpenMP kernels with a pure NumPy twin for each; ``show_config()`` says which is
live, and ``FASTENTROPY_BACKEND=numpy`` forces the twins.
"""
from __future__ import annotations

__version__ = "0.1.0"

from ._backend import backend
from ._config import config, show_config
from .divergence import *  # noqa: F403
from .divergence import __all__ as _divergence_all
from .estimators import *  # noqa: F403
from .estimators import __all__ as _estimators_all
from .histogram import *  # noqa: F403
from .histogram import __all__ as _histogram_all
from .knn import *  # noqa: F403
from .knn import __all__ as _knn_all
from .knn_batch import *  # noqa: F403
from .knn_batch import __all__ as _knn_batch_all
from .knn_multi import *  # noqa: F403
from .knn_multi import __all__ as _knn_multi_all
from .logits import *  # noqa: F403
from .logits import __all__ as _logits_all
from .mixture import *  # noqa: F403
from .mixture import __all__ as _mixture_all
from .mixture_measures import *  # noqa: F403
from .mixture_measures import __all__ as _mixture_measures_all
from .mutual_info import *  # noqa: F403
from .mutual_info import __all__ as _mutual_info_all
from .samples import *  # noqa: F403
from .samples import __all__ as _samples_all
from .spacing import *  # noqa: F403
from .spacing import __all__ as _spacing_all
from .univariate import *  # noqa: F403
from .univariate import __all__ as _univariate_all

__all__ = [
    "__version__",
    "backend",
    "config",
    "show_config",
    *_divergence_all,
    *_estimators_all,
    *_histogram_all,
    *_knn_all,
    *_knn_batch_all,
    *_knn_multi_all,
    *_logits_all,
    *_mixture_all,
    *_mixture_measures_all,
    *_mutual_info_all,
    *_samples_all,
    *_spacing_all,
    *_univariate_all,
]

# Resolve the backend now, so a missing extension warns once at import rather than mid-call.
backend()
