# SPDX-License-Identifier: Apache-2.0
"""Plots a soak result (Tests/Interop/soak.py JSON) as an SVG: server RSS (MiB) and open file descriptors over time.

    python Benchmarks/soak_plot.py Benchmarks/results/soak-2026-12-06.json Docs/images/soak.svg

Plain SVG written by hand (no plotting library needed): two stacked panels sharing the time axis, the run's phases
(connect, run, clients gone) as they appear in the samples.
"""
import json
import sys
from html import escape
from pathlib import Path

WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, GAP, BOTTOM = 860, 220, 70, 20, 50, 60, 50


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def panel(samples, key, scale, label, colour, top, t_max, y_max) -> list[str]:
    height = PANEL_HEIGHT
    inner = WIDTH - LEFT - RIGHT
    x = lambda t: LEFT + inner * t / t_max  # noqa: E731
    y = lambda v: top + height - height * v / y_max  # noqa: E731
    parts = [f'<rect x="{LEFT}" y="{top}" width="{inner}" height="{height}" fill="none" stroke="#999"/>']
    for i in range(6):
        value = y_max * i / 5
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + inner}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11">{value:g}</text>')
    points = " ".join(f"{x(s['t']):.1f},{y(s[key] * scale):.1f}" for s in samples)
    parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
    parts.append(f'<text x="{LEFT}" y="{top - 8}" font-size="13" font-weight="bold">{escape(label)}</text>')
    return parts


def svg(result: dict) -> str:
    samples = result["samples"]
    summary = result["summary"]
    config = result["config"]
    t_max = max(s["t"] for s in samples) or 1
    rss_max = nice_ceiling(max(s["rss_kb"] for s in samples) / 1024 * 1.15)
    fd_max = nice_ceiling(max(s["fds"] for s in samples) * 1.15)
    height = TOP + 2 * PANEL_HEIGHT + GAP + BOTTOM
    inner = WIDTH - LEFT - RIGHT
    title = (f"authd soak: {config['sockets']} sockets, {config['minutes']:g} min, {summary['events']} get_secret calls, "
             f"{summary['auth_refreshes']} renewals, {summary['logouts']} logouts, {summary['errors']} errors")  # fmt: skip
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        'font-family="sans-serif">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14">{escape(title)}</text>',
    ]
    second = TOP + PANEL_HEIGHT + GAP
    # The phase boundaries: all sockets connected, clients gone.
    for phase, text, anchor, shift in (("run", "run", "start", 3), ("after", "clients left", "end", -3)):
        first = next((s for s in samples if s["phase"] == phase), None)
        if first is not None:
            px = LEFT + inner * first["t"] / t_max
            parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{TOP}" y2="{second + PANEL_HEIGHT}" stroke="#bbb" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{px + shift:.1f}" y="{second + PANEL_HEIGHT - 6}" text-anchor="{anchor}" font-size="10" fill="#777">{text}</text>')
    rss_label = (f"Server RSS (MiB): {summary['rss_kb_start'] / 1024:.1f} at start of run, {summary['rss_kb_end'] / 1024:.1f} at end; "
                 f"second-half slope {summary['rss_kb_per_minute_second_half']:+.0f} kB/min")  # fmt: skip
    fd_label = (f"Open file descriptors: baseline {summary['fds_baseline']}, {summary['fds_start']} → {summary['fds_end']} "
                f"during the run, {summary['fds_after_leave']} after the clients left")  # fmt: skip
    parts += panel(samples, "rss_kb", 1 / 1024, rss_label, "#c0392b", TOP, t_max, rss_max)
    parts += panel(samples, "fds", 1, fd_label, "#2471a3", second, t_max, fd_max)
    for i in range(11):
        t = t_max * i / 10
        px = LEFT + inner * t / t_max
        parts.append(f'<text x="{px:.1f}" y="{second + PANEL_HEIGHT + 16}" text-anchor="middle" font-size="11">{t / 60:.1f}</text>')
    parts.append(f'<text x="{LEFT + inner / 2}" y="{height - 12}" text-anchor="middle" font-size="12">minutes</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} SOAK.json OUT.svg")
    result = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[2]).write_text(svg(result))


if __name__ == "__main__":
    main()
