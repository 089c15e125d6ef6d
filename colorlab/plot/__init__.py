"""Matplotlib figures: images side by side, 3D RGB scatters, elbow and error plots (:mod:`.figures`), the
palette as a bar (:mod:`.palette_bar`), the lessons' figures of clusters and Lloyd's iterations (:mod:`.lessons`;
in a plane of two channels: :mod:`.plane`) with the clusters' colors and shapes (:mod:`.clusters`), a
collection's figures (:mod:`.collection`) and the blog post's figures (:mod:`.blog`).

``colorlab.plot.NAME`` is any name of :mod:`.figures`, :mod:`.palette_bar`, :mod:`.lessons`, :mod:`.plane`
and :mod:`.clusters`.

May import: everything in colorlab below :mod:`colorlab.collection`, and matplotlib. Never ipywidgets.
"""

from ..util.extras import need

need("matplotlib", "plot", "colorlab.plot")

from . import clusters as _clusters  # noqa: E402
from . import figures as _figures  # noqa: E402
from . import lessons as _lessons  # noqa: E402
from . import palette_bar as _palette_bar  # noqa: E402
from . import plane as _plane  # noqa: E402
from .clusters import *  # noqa: E402, F403
from .figures import *  # noqa: E402, F403
from .lessons import *  # noqa: E402, F403
from .palette_bar import *  # noqa: E402, F403
from .plane import *  # noqa: E402, F403

__all__ = _figures.__all__ + _palette_bar.__all__ + _lessons.__all__ + _plane.__all__ + _clusters.__all__
