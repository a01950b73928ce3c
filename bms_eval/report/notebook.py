"""Showing results in a notebook: tagged figures and Markdown.

A figure shown with :func:`show_png` carries its tag in the output's metadata
(:data:`FIGURE_KEY`), so an executed notebook says which of the report's
figures each picture is.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Output metadata key under which figures carry their tag.
FIGURE_KEY = "bms_eval_figure"


#: zlib level of the figures' PNGs: 3 writes them 30 % faster than the default 6, for
#: files 9 % larger (the example's 200-dpi figures: 2.0 s → 1.5 s, 2.5 → 2.7 MB).
PNG_COMPRESSION = 3


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG (Agg, the figure's own size and resolution)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:image/png;base64,…`` URI, as the report embeds it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def show_png(png: bytes, tag: str) -> None:
    """Display a PNG in the notebook, tagged for the report."""
    from IPython.display import Image, display

    display(Image(data=png, format="png"), metadata={FIGURE_KEY: tag})


def show_markdown(text: str) -> None:
    """Display Markdown text (a notebook's prose made from results)."""
    from IPython.display import Markdown, display

    display(Markdown(text))
