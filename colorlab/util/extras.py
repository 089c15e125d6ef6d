"""Optional parts of colorlab and the extra that installs each: ``pip install colorlab`` brings what the
library and the command line need; notebooks, plots, the classroom server, batch tables, Dask and video
come with extras (``pip install 'colorlab[notebooks]'``, ...).

Standard library only.
"""

from __future__ import annotations

import importlib

from ..errors import ColorlabError

__all__ = ["MissingExtraError", "need"]

#: The package a module comes in, where the two names differ.
_PACKAGES = {"PIL": "pillow", "av": "av", "distributed": "distributed"}


class MissingExtraError(ColorlabError, ImportError):
    """A part of colorlab was used whose packages are not installed; the message names the extra."""


def need(module: str, extra: str, what: str):
    """Import ``module`` and return it, or raise :class:`MissingExtraError` naming the extra to install.

    Parameters
    ----------
    module : str
        The module to import, e.g. ``"matplotlib"``.
    extra : str
        The colorlab extra that installs it, e.g. ``"plot"``.
    what : str
        What needs it, as the message should say it, e.g. ``"colorlab.plot"``.

    Examples
    --------
    >>> need("json", "plot", "this example").__name__
    'json'
    >>> need("no_such_module_here", "plot", "colorlab.plot")
    Traceback (most recent call last):
    ...
    colorlab.util.extras.MissingExtraError: colorlab.plot needs no_such_module_here, which is not installed: pip install 'colorlab[plot]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if err.name is not None and err.name.split(".")[0] != module.split(".")[0]:
            raise  # the module is there but something it imports is broken: its own error says more
        package = _PACKAGES.get(module.split(".")[0], module.split(".")[0])
        raise MissingExtraError(f"{what} needs {package}, which is not installed: pip install 'colorlab[{extra}]'") from None
