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
# A label this close to a line reads as printed on it (at 70 dpi, about a pixel apart);
# a label set along a line keeps `LABEL_GAP_PT` from it, clearly apart on a printout.
LINE_CLEARANCE_PT = 2.0
LABEL_GAP_PT = 6.0
# A label this close to another point's marker reads as that point's name.
MARKER_CLEARANCE_PT = 2.0
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


def save_png_and_pdf(fig, path) -> None:
    """`fig` as a PNG at 150 dpi at `path` and a PDF beside it, then closed."""
    fig.savefig(path, dpi=150)
    fig.savefig(path.with_suffix(".pdf"))
    pyplot().close(fig)


def drawn_paths(ax) -> list[tuple]:
    """Every drawn line of `ax` (plotted lines and line collections, such as a graph's
    edges) as (display Path, half its width in pixels, name, zorder)."""
    import numpy as np
    from matplotlib.collections import LineCollection
    from matplotlib.path import Path

    pixels = ax.figure.dpi / 72
    found = []
    for line in ax.lines:
        if not line.get_visible() or line.get_linestyle() in ("None", "", " "):
            continue
        data = np.asarray(line.get_xydata(), float)
        if len(data) < 2:
            continue
        label = line.get_label()
        name = "an edge" if line.get_gid() == "edge" else f"a {line.get_linestyle()} line"
        name = repr(label) if not label.startswith("_") else name
        found.append((Path(line.get_transform().transform(data)), line.get_linewidth() * pixels / 2,
                      name, line.get_zorder()))  # fmt: skip
    for collection in ax.collections:
        if isinstance(collection, LineCollection) and collection.get_visible():
            widths = collection.get_linewidths()
            to_display = collection.get_transform().transform
            for i, segment in enumerate(collection.get_segments()):
                if len(segment) >= 2:
                    width = widths[i % len(widths)] if len(widths) else 1.0
                    found.append((Path(to_display(segment)), width * pixels / 2, "an edge",
                                  collection.get_zorder()))  # fmt: skip
    return found


def place_labels(ax, points, texts, fontsize: float = MIN_FONT_PT, near: bool = True,
                 **style) -> None:  # fmt: skip
    """Write `texts` next to `points` (data coordinates), each at the first offset whose box
    overlaps no label placed before it, hides no point, no line crosses and stays inside
    the axes; nearest first (eight directions; not with `near=False`), then further out
    with a thin leader line to its point, where a cluster leaves no room beside it (the
    fewest collisions where every offset collides)."""

    import numpy as np
    from matplotlib.text import Text

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_display = ax.transData.transform
    centres = to_display(np.asarray(points, dtype=float))
    # every marker of the axes (scatter points), named or not: none may be hidden or
    # touched, each kept `MARKER_CLEARANCE_PT` beyond its disc
    discs = marker_discs(ax)  # the markers as drawn: what a leader line must not run over
    markers, radii = discs
    markers = np.concatenate([centres, markers])
    radii = np.concatenate([np.full(len(centres), fontsize * fig.dpi / 72), radii])
    radii = radii + MARKER_CLEARANCE_PT * fig.dpi / 72
    lines = [path for path, *_ in drawn_paths(ax)]
    frame = ax.bbox
    # beside the point; without `near`, only further out (a point with a wide ring)
    near = [(6, 4), (6, -10), (-6, 4), (-6, -10), (0, 8), (0, -14), (10, -3), (-10, -3)]
    near = near if near else []
    directions = [(np.cos(a), np.sin(a)) for a in np.radians(range(0, 360, 20))]
    far = [(r * dx, r * dy - 3) for r in (18, 26, 36, 48, 62, 78) for dx, dy in directions]
    placed: list = []
    for index, (point, text) in enumerate(zip(points, texts, strict=True)):
        best, best_score, best_box = None, None, None
        for dx, dy in near + far:
            leader = (
                {
                    "arrowprops": {
                        "arrowstyle": "-",
                        "lw": 0.5,
                        "color": "0.35",
                        "shrinkA": 1,
                        "shrinkB": 3,
                    }
                }
                if (dx, dy) in far
                else {}
            )
            label = ax.annotate(
                text, point, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                ha="left" if dx > 0.5 else "right" if dx < -0.5 else "center", **leader, **style,
            )  # fmt: skip
            label.update_positions(renderer)  # where the offset puts it, before any draw
            # a word space between two labels: "8" and "28" side by side read as "828"
            box = Text.get_window_extent(label, renderer).padded(fontsize * fig.dpi / 72 / 3)
            clashes = sum(box.overlaps(other) for other in placed)
            own = np.hypot(*(markers - centres[index]).T) < 0.5
            hidden = [i for i in np.flatnonzero(~own) if box_distance(box, markers[i]) < radii[i]]
            outside = not_inside(box, frame)
            crossed = sum(path.intersects_bbox(box, filled=False) for path in lines)
            if (dx, dy) in far:  # its leader line over other markers
                middle = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
                crossed += leader_crossings(middle, centres[index], *discs)
            score = 2 * clashes + len(hidden) + 2 * outside + crossed
            if best_score is None or score < best_score:
                if best is not None:
                    best.remove()
                best, best_score, best_box = label, score, box
            else:
                label.remove()
            if score == 0:
                break
        placed.append(best_box)


def place_on_segment(ax, text, start, end, side, segments, placed, fontsize=MIN_FONT_PT,
                     gap_pt=LABEL_GAP_PT, **style):  # fmt: skip
    """Write `text` beside the segment `start`–`end` (data coordinates), on `side` (+1: the
    side above it, −1: below; the other side if that fails), at the first point along it
    where its box crosses none of `segments` (each a (start, end, width in points): the
    box keeps clear of a line's width) and overlaps none of the boxes `placed` (display
    coordinates) and stays inside the axes, `gap_pt` clear of the segment's line; the box
    is appended to `placed`. Returns the Text."""
    import numpy as np
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    label = ax.text(0, 0, text, ha="center", va="center", fontsize=fontsize, **style)
    extent = label.get_window_extent(renderer)
    width, height = extent.width, extent.height
    to_display = ax.transData.transform
    pixels = ax.figure.dpi / 72
    paths = [(Path(to_display(np.asarray([p, q], dtype=float))), w * pixels / 2)
             for p, q, w in segments]  # fmt: skip
    a, b = to_display(np.asarray([start, end], dtype=float))
    along = (b - a) / np.linalg.norm(b - a)
    gap = max(w for _, w in paths) + gap_pt * pixels
    best = None
    for sign in (side, -side):
        normal = np.array([-along[1], along[0]])
        normal *= sign * (1 if normal[1] >= 0 else -1)
        distance = abs(normal[0]) * width / 2 + abs(normal[1]) * height / 2 + gap
        # beside the segment first, then further out (a crowded panel)
        for t, away in [(t, away) for away in (0, 0.5, 1.5) for t in
                        (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9)]:  # fmt: skip
            centre = a + t * (b - a) + (distance + away * (width + height)) * normal
            box = Bbox.from_bounds(centre[0] - width / 2, centre[1] - height / 2, width, height)
            clear = LINE_CLEARANCE_PT * pixels  # as `overlaps` checks it
            clashes = sum(p.intersects_bbox(box.padded(w + clear), filled=False) for p, w in paths)
            clashes += sum(box.overlaps(other) for other in placed)
            clashes += 2 * not_inside(box, ax.bbox)  # a label reaching out of its panel
            if best is None or clashes < best[0]:
                best = (clashes, centre, box)
            if clashes == 0:
                break
        if best[0] == 0:
            break
    _, centre, box = best
    label.set_position(ax.transData.inverted().transform(centre))
    placed.append(box)
    return label


def marker_discs(ax):
    """Every visible scatter marker of `ax` as (display centres (n, 2), radii (n,)), in
    pixels: a marker of size s (points²) is about √s points across."""
    import numpy as np
    from matplotlib.collections import PathCollection

    centres, radii = [], []
    for c in ax.collections:
        if isinstance(c, PathCollection) and c.get_visible() and len(c.get_offsets()):
            points = c.get_offset_transform().transform(c.get_offsets())
            sizes = np.resize(np.asarray(c.get_sizes(), float), len(points)) if len(
                c.get_sizes()) else np.full(len(points), 36.0)  # fmt: skip
            centres.append(points)
            radii.append(np.sqrt(sizes) / 2 * ax.figure.dpi / 72)
    if not centres:
        return np.zeros((0, 2)), np.zeros(0)
    return np.concatenate(centres), np.concatenate(radii)


def leader_crossings(start, point, centres, radii) -> int:
    """How many markers (display `centres`, `radii`) a leader line from `start` to `point`
    passes over: none for a marker stacked over `point` (whose disc covers it), one for a
    marker that touches it, two for one further away (display pixels)."""
    import numpy as np

    count = 0
    for centre, radius in zip(centres, radii, strict=True):
        away = np.hypot(*(np.asarray(centre) - point))
        if away >= radius and segment_distance(start, point, centre) < radius:
            count += 1 if away < 2 * radius else 2
    return count


def segment_distance(a, b, point) -> float:
    """Distance from `point` to the segment `a`–`b` (display pixels)."""
    import numpy as np

    a, b, p = (np.asarray(v, float) for v in (a, b, point))
    t = np.clip(np.dot(p - a, b - a) / max(np.dot(b - a, b - a), 1e-12), 0.0, 1.0)
    return float(np.hypot(*(a + t * (b - a) - p)))


def box_distance(box, point) -> float:
    """Distance from `point` to the display box `box`, 0 inside it (pixels)."""
    import numpy as np

    x, y = point
    return float(np.hypot(max(box.x0 - x, 0, x - box.x1), max(box.y0 - y, 0, y - box.y1)))


def not_inside(box, frame) -> bool:
    """Whether the display box `box` reaches out of the display box `frame`."""
    return not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1))


def overlaps(fig, tolerance: float = 1.0, clearance_pt: float = LINE_CLEARANCE_PT) -> list[str]:
    """Every pair of visible texts whose boxes (their frames, for framed texts) overlap;
    every text in an axes that a drawn line of that axes crosses or touches with its
    width, unless the line ends there (a tree's edge meets its node's frame), or that
    straddles the axes' frame; every text that reaches past the figure's edge; a legend on
    the data or on another legend; a label on another point's marker or a leader line
    along other markers. In display pixels, boxes shrunk by `tolerance` so that touching
    is not overlapping; a label closer than `clearance_pt` to a line counts as on it. []
    for a clean figure."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # Tick labels of ticks outside an axis's view are kept by matplotlib but never drawn.
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(low), abs(high), 1.0)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    boxes = []
    for text in fig.findobj(Text):
        if id(text) in undrawn or not text.get_visible() or not text.get_text().strip():
            continue
        patch = text.get_bbox_patch()
        # Text's own extent: an annotation's includes its leader line
        box = patch.get_window_extent(renderer) if patch else Text.get_window_extent(text, renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((text.get_text(), box.padded(-tolerance)))
    found = _legends_on_data(fig, renderer, tolerance) + _labels_on_markers(fig, renderer)
    page = fig.bbox.padded(tolerance)
    found += [f"{name!r} is cut off" for name, box in boxes if not page.contains(box.x0, box.y0)
              or not page.contains(box.x1, box.y1)]  # fmt: skip
    for i, (name, box) in enumerate(boxes):
        found += [f"{name!r} overlaps {other!r}" for other, o in boxes[i + 1 :] if box.overlaps(o)]
    found += _labels_on_lines(fig, renderer, tolerance, clearance_pt)
    # legends beside each other (one per panel, below it): a long entry ran into the next
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + fig.legends
    extents = [legend.get_window_extent(renderer).padded(-tolerance) for legend in legends]
    found += [f"two legends overlap ({i} and {j})" for i, a in enumerate(extents)
              for j, b in enumerate(extents) if i < j and a.overlaps(b)]  # fmt: skip
    return found


def _labels_on_lines(fig, renderer, tolerance: float, clearance_pt: float) -> list[str]:
    """A text inside an axes (a label, an annotation) that a drawn line of the same axes
    crosses or touches with its width, unless the line ends there (a tree's edge meets its
    node's frame), or that straddles the axes' frame (half in, half out)."""
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.text import Annotation, Text

    found = []
    clearance = clearance_pt * fig.dpi / 72
    for ax in fig.axes:
        lines = drawn_paths(ax)
        # a label on its own marker (a node's number): lines drawn below the marker are hidden
        markers = [(centre, c.get_zorder()) for c in ax.collections
                   if isinstance(c, PathCollection) and c.get_visible()
                   for centre in c.get_offset_transform().transform(c.get_offsets())]  # fmt: skip
        for text in ax.texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            pointed = isinstance(text, Annotation) and text.xycoords == "data"
            anchor = (ax.transData.transform(text.xy) if pointed
                      else text.get_transform().transform(text.get_position()))  # fmt: skip
            under = max((z for c, z in markers if np.hypot(*(c - anchor)) < 0.5), default=None)
            patch = text.get_bbox_patch()
            box = (patch.get_window_extent(renderer) if patch
                   else Text.get_window_extent(text, renderer)).padded(-tolerance)  # fmt: skip
            frame = ax.bbox
            if ax.axison and box.overlaps(frame) and not_inside(box, frame.padded(tolerance)):
                found.append(f"{text.get_text()!r} sits on the axes' frame")
            for path, half_width, name, zorder in lines:
                if under is not None and zorder < under:
                    continue
                reach = box.padded(half_width + tolerance + 1)
                attached = any(reach.contains(x, y) for x, y in path.vertices[[0, -1]])
                near = box.padded(half_width + clearance)
                if not attached and path.intersects_bbox(near, filled=False):
                    found.append(f"{text.get_text()!r} is crossed by {name}")
    return found


def _legends_on_data(fig, renderer, tolerance: float) -> list[str]:
    """A legend inside an axes that covers one of its plotted lines or shaded spans."""
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox

    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        inside = Bbox.intersection(legend.get_window_extent(renderer), ax.bbox)
        if inside is None or inside.width <= 2 * tolerance or inside.height <= 2 * tolerance:
            continue
        inside = inside.padded(-tolerance)
        for line in ax.lines:
            if not line.get_visible() or len(line.get_xydata()) == 0:
                continue
            path = Path(line.get_transform().transform(line.get_xydata()))
            points = path.vertices
            hit = any(inside.contains(x, y) for x, y in points) or (
                line.get_linestyle() not in ("None", "", " ")
                and len(points) > 1
                and path.intersects_bbox(inside, filled=False)
            )
            if hit:
                found.append(f"the legend covers the line {line.get_label()!r}")
        for patch in ax.patches:
            if patch.get_visible() and patch.get_window_extent(renderer).overlaps(inside):
                found.append(f"the legend covers the shaded {patch.get_label() or 'span'!r}")
    return found


def _labels_on_markers(fig, renderer) -> list[str]:
    """A text inside an axes that reaches onto a scatter marker (its disc, of the marker's
    size, and `MARKER_CLEARANCE_PT` around it) other than the point it annotates: a label
    hidden among the points it should name, or pressed against one so that it reads as
    that point's."""
    import numpy as np
    from matplotlib.text import Annotation, Text

    found = []
    clearance = MARKER_CLEARANCE_PT * fig.dpi / 72
    for ax in fig.axes:
        centres, radii = marker_discs(ax)
        if not len(centres):
            continue
        for text in ax.texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            box = Text.get_window_extent(text, renderer)
            # the point it names: an annotation's, or where a plain text is anchored (a
            # node's number written on its node)
            if isinstance(text, Annotation):
                own = ax.transData.transform(text.xy) if text.xycoords == "data" else None
            else:
                own = text.get_transform().transform(text.get_position())
            for (x, y), radius in zip(centres, radii, strict=True):
                if own is not None and np.hypot(x - own[0], y - own[1]) < 0.5:
                    continue
                if box_distance(box, (x, y)) < radius + clearance:
                    found.append(f"{text.get_text()!r} covers a marker")
                    break
            leader = getattr(text, "arrow_patch", None)
            if own is None or leader is None or not leader.get_visible():
                continue
            # its leader line, from the label to its point: over a marker that does not
            # touch its own point's, or along a row of two or more, it reads as pointing
            # elsewhere
            start = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            if leader_crossings(start, own, centres, radii) >= 2:
                found.append(f"the leader line of {text.get_text()!r} crosses markers")
    return found
