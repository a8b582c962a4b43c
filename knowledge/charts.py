"""Pictures people would rather look at than read: the prioritisation grid (impact against risk)
and the health pulse trend, as PNGs, with alt text that says in words what each shows. Drawn
headless (matplotlib's Figure, never pyplot); no data draws no axis, and says so."""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.scoring import Placed
    from knowledge.scoring_rules import Rules

SHADES = ("#cfe8cf", "#fde2b8", "#dbe7f5", "#eeeeee")  # one per range, in the ranges' order


@dataclass(frozen=True)
class Point:
    label: str
    impact: float  # 1-5
    risk: float  # 1-5
    major: bool
    range_index: int


def placed_grid(placed: "Iterable[Placed]", rules: "Rules") -> tuple[bytes | None, str]:
    """A scoring result's grid: the PNG (None when nothing was scored) and its alt text."""
    points = [
        Point(p.project.name, p.impact, p.risk, p.project.size == "major", p.range_index)
        for p in placed
    ]
    png = grid_png(
        points,
        ranges=rules.ranges,
        impact_threshold=rules.impact_threshold,
        risk_threshold=rules.risk_threshold,
        title="Projects by impact and risk",
    )
    return png, grid_alt_text(points, rules.ranges)


def grid_png(
    points: list[Point],
    *,
    ranges: tuple[str, str, str, str],
    impact_threshold: float,
    risk_threshold: float,
    title: str,
) -> bytes | None:
    """The grid as PNG bytes, or None when there is nothing to draw."""
    if not points:
        return None
    # imported here, not at start-up: matplotlib costs every web worker ~0.7 s to import, and
    # only a closing scoring round draws. A Figure made directly never picks a GUI backend.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 6), dpi=100)
    axes = figure.subplots()
    low, high = 0.5, 5.5
    corners = {  # range → (x from, x to, y from, y to): risk on x, impact on y
        0: (low, risk_threshold, impact_threshold, high),
        1: (risk_threshold, high, impact_threshold, high),
        2: (low, risk_threshold, low, impact_threshold),
        3: (risk_threshold, high, low, impact_threshold),
    }
    for index, (x0, x1, y0, y1) in corners.items():
        axes.fill_between([x0, x1], y0, y1, color=SHADES[index], zorder=0)
        axes.text(
            (x0 + x1) / 2,
            y1 - 0.12,
            ranges[index],
            ha="center",
            va="top",
            fontsize=11,
            fontweight="bold",
            color="#333333",
        )
    for point in points:
        axes.scatter(
            point.risk,
            point.impact,
            s=260 if point.major else 90,
            color="#1f4e79",
            edgecolors="white",
            linewidths=1.5,
            zorder=3,
        )
        axes.annotate(
            point.label[:30],
            (point.risk, point.impact),
            xytext=(8, 6),
            textcoords="offset points",
            fontsize=9,
            zorder=4,
        )
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    axes.set_xlabel("Risk (1 low – 5 high)")
    axes.set_ylabel("Impact (1 low – 5 high)")
    axes.set_title(title[:80])
    axes.axvline(risk_threshold, color="#777777", linewidth=1)
    axes.axhline(impact_threshold, color="#777777", linewidth=1)
    axes.scatter([], [], s=260, color="#1f4e79", label="major project")
    axes.scatter([], [], s=90, color="#1f4e79", label="smaller project")
    axes.legend(loc="lower right", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


ALT_MAX = 1000  # Slack refuses a longer image description (alt_txt_too_large)


def grid_alt_text(points: list[Point], ranges: tuple[str, str, str, str]) -> str:
    """What the grid shows, in words: each range and the projects in it, with their scores
    while that fits Slack's 1000 characters, else the names alone."""
    if not points:
        return "No projects have been scored yet, so there is no grid to show."

    def said(detailed: bool) -> str:
        parts = []
        for index, name in enumerate(ranges):
            listed = ", ".join(
                f"{p.label} (impact {p.impact:.1f}, risk {p.risk:.1f}"
                f"{', major' if p.major else ''})"
                if detailed
                else p.label
                for p in points
                if p.range_index == index
            )
            parts.append(f"{name}: {listed or 'none'}.")
        return "Prioritisation grid of impact against risk. " + " ".join(parts)

    text = said(detailed=True)
    if len(text) > ALT_MAX:
        text = said(detailed=False)
    return text if len(text) <= ALT_MAX else text[: ALT_MAX - 1] + "…"


@dataclass(frozen=True)
class TrendPoint:
    label: str  # when the pulse closed, e.g. "Nov 2026"
    averages: dict[str, float]  # dimension → 1-5 average (only pulses that may be shown)


def trend_figure(points: list[TrendPoint], *, names: dict[str, str], title: str) -> Any:
    """The health trend as a matplotlib Figure. One pulse: a bar for each part, best at the
    top, each with its value. Several: the overall average as a strong line, each part as a
    light one, the legend outside the plot so no line hides behind it."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5), dpi=100)
    axes = figure.subplots()
    axes.set_title(title[:80])
    if len(points) == 1:
        [only] = points
        ordered = sorted(names, key=lambda k: (only.averages[k], names[k]))
        values = [only.averages[k] for k in ordered]
        bars = axes.barh([names[k] for k in ordered], values, color="#4c78a8")
        axes.bar_label(bars, labels=[f"{v:.1f}" for v in values], padding=3)
        axes.set_xlim(0, 5.4)
        axes.set_xlabel(f"Average rating at the pulse of {only.label} (1 poor – 5 strong)")
        axes.grid(axis="x", color="#dddddd")
        axes.set_axisbelow(True)
        figure.tight_layout()
        return figure
    xs = list(range(len(points)))
    for index, (key, name) in enumerate(names.items()):
        axes.plot(
            xs,
            [p.averages[key] for p in points],
            marker="o",
            markersize=4,
            linewidth=1.2,
            alpha=0.5,
            label=name,
            color=f"C{index}",
        )
    overall = [sum(p.averages.values()) / len(p.averages) for p in points]
    axes.plot(xs, overall, marker="o", linewidth=3.5, color="black", label="Overall", zorder=5)
    axes.set_xticks(xs, [p.label for p in points])
    axes.set_xlim(-0.3, len(points) - 0.7)
    axes.set_ylim(0.8, 5.2)
    axes.set_ylabel("Average rating (1 poor – 5 strong)")
    axes.grid(axis="y", color="#dddddd")
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def trend_png(points: list[TrendPoint], *, names: dict[str, str], title: str) -> bytes | None:
    """The health trend as PNG bytes (trend_figure), or None when no pulse can be shown yet."""
    if not points:
        return None
    out = io.BytesIO()
    trend_figure(points, names=names, title=title).savefig(out, format="png")
    return out.getvalue()


def trend_alt_text(points: list[TrendPoint], *, names: dict[str, str], title: str) -> str:
    """What the trend shows, in words: the overall average at each pulse, and the latest
    pulse's strongest and weakest parts (with the change since the one before)."""
    if not points:
        return f"{title}: no pulse has had three or more answers yet, so there is no trend to show."

    def mean(p: TrendPoint) -> float:
        return sum(p.averages.values()) / len(p.averages)

    overall = ", ".join(f"{p.label} {mean(p):.1f}" for p in points)
    last = points[-1]
    ranked = sorted(names, key=lambda k: (last.averages[k], names[k]))

    def said(key: str) -> str:
        change = ""
        if len(points) > 1:
            delta = last.averages[key] - points[-2].averages[key]
            change = f", {'up' if delta > 0 else 'down'} {abs(delta):.1f}" if delta else ", same"
        return f"{names[key]} {last.averages[key]:.1f}{change}"

    text = (
        f"{title}: average rating out of 5 over {len(points)} pulse"
        f"{'s' if len(points) != 1 else ''}: {overall}. In the latest, strongest: "
        f"{said(ranked[-1])}; weakest: {said(ranked[0])}. Every part: "
        + "; ".join(said(k) for k in names)
        + "."
    )
    return text if len(text) <= ALT_MAX else text[: ALT_MAX - 1] + "…"
