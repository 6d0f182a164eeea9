"""How the experiments draw figures for the documents: at the width they print at.

The documents print a figure at its natural size (pixels / dpi), at most the text
width, so a figure drawn `TEXT_WIDTH_IN` wide with text of `MIN_FONT_PT` or more
prints its text at that size; drawn wider and shrunk, 8-pt labels became 4 pt.
`tests/test_documents_figures.py` checks both ends: every figure of a build fits the
text width, and no figure module sets a font below `MIN_FONT_PT`.
"""

from __future__ import annotations

TEXT_WIDTH_IN = 6.3  # the documents' text width is 17 cm = 6.69 in; bbox "tight" may add
MIN_FONT_PT = 7
RC = {
    "font.size": 8,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "figure.titlesize": 9,
    "svg.hashsalt": "answerkey",
    "pdf.fonttype": 42,
}


def pyplot():
    """matplotlib.pyplot on the Agg backend with the documents' font sizes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(RC)
    return plt


def place_labels(ax, points, texts, fontsize: float = MIN_FONT_PT, **style) -> None:
    """Write `texts` next to `points` (data coordinates), each at the first of eight
    offsets whose box overlaps no label placed before it and no other point, so that no
    two labels overlap (the fewest overlaps where every offset collides)."""
    import numpy as np

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_display = ax.transData.transform
    centres = to_display(np.asarray(points, dtype=float))
    radius = fontsize * fig.dpi / 72  # a marker of about the font's size, in pixels
    offsets = [(6, 4), (6, -10), (-6, 4), (-6, -10), (0, 8), (0, -14), (10, -3), (-10, -3)]
    placed: list = []
    for index, (point, text) in enumerate(zip(points, texts, strict=True)):
        best, best_score = None, None
        for dx, dy in offsets:
            label = ax.annotate(
                text, point, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                ha="left" if dx > 0 else "right" if dx < 0 else "center", **style,
            )  # fmt: skip
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            clashes = sum(box.overlaps(other) for other in placed)
            near = np.abs(centres - [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            hidden = [
                i
                for i, (cx, cy) in enumerate(near)
                if i != index and cx < box.width / 2 + radius and cy < box.height / 2 + radius
            ]
            score = 2 * clashes + len(hidden)
            if best_score is None or score < best_score:
                if best is not None:
                    best.remove()
                best, best_score, best_box = label, score, box
            else:
                label.remove()
            if score == 0:
                break
        placed.append(best_box)
