"""Showing results in a notebook: tagged figures and Markdown.

A figure shown with :func:`show_figure` carries a tag in its output's metadata,
so the report of ``bms-eval run`` embeds exactly the pictures the executed
notebooks show (:func:`bms_eval.report.html.notebook_figures`).
"""

from __future__ import annotations

import base64
import io

from matplotlib.figure import Figure

#: Output metadata key under which figures carry their tag.
FIGURE_KEY = "bms_eval_figure"


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG (Agg, the figure's own size and resolution)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def data_uri(fig: Figure) -> str:
    """The figure as a ``data:image/png;base64,…`` URI, as the report embeds it."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(fig)).decode("ascii")


def show_figure(fig: Figure, tag: str) -> None:
    """Display a figure in the notebook as a PNG tagged for the report.

    The PNG is rendered here, so the picture does not depend on the kernel's
    matplotlib backend: ``MPLBACKEND=Agg`` in the environment, which silently
    drops figures shown through the inline backend, cannot remove it.
    """
    from IPython.display import Image, display

    display(Image(data=png_bytes(fig), format="png"), metadata={FIGURE_KEY: tag})


def show_markdown(text: str) -> None:
    """Display Markdown text (a notebook's prose made from results)."""
    from IPython.display import Markdown, display

    display(Markdown(text))
