"""The errors and warnings colorlab raises.

Every error colorlab raises on purpose is a :class:`ColorlabError`. Its message
is one sentence a student can act on: it names the input that is wrong and says
what to do about it. The subclasses also derive from the built-in exception a
Python programmer would expect (``OSError`` for files, ``ValueError`` for
values), so ``except ValueError`` keeps working.

Examples
--------
>>> import colorlab
>>> try:
...     colorlab.load_image("no/such/photo.png")
... except colorlab.ColorlabError as err:
...     print(type(err).__name__)
ImageFileError
"""

__all__ = [
    "ColorlabError",
    "ImageFileError",
    "ImageTooLargeError",
    "InvalidImageError",
    "InvalidParameterError",
    "ColorlabWarning",
]


class ColorlabError(Exception):
    """Base class of every error colorlab raises on purpose."""


class ImageFileError(ColorlabError, OSError):
    """A file could not be read or written as an image.

    Missing files, directories, unreadable files, files that are not images,
    truncated files, and outputs that cannot be written.
    """


class ImageTooLargeError(ColorlabError, ValueError):
    """An image has more pixels than the configured limit allows."""


class InvalidImageError(ColorlabError, ValueError):
    """An array passed as an image or as pixels has the wrong shape, dtype or values."""


class InvalidParameterError(ColorlabError, ValueError):
    """A parameter such as ``k``, ``method`` or ``space`` has an invalid value."""


class ColorlabWarning(UserWarning):
    """Something was done that the caller may not expect (e.g. fewer colors than k)."""
