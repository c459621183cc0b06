"""Reports written to disk, for the preview command and the simulated day."""

from __future__ import annotations

from pathlib import Path

from activecare.reporting.models import DepartmentReport
from activecare.reporting.render import render_html, render_text


def write_reports(reports: list[DepartmentReport], out_dir: Path) -> list[Path]:
    """<out_dir>/<department>.html (+ .txt); returns the HTML paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in reports:
        html = out_dir / f"{report.department}.html"
        html.write_text(render_html(report), encoding="utf-8")
        (out_dir / f"{report.department}.txt").write_text(render_text(report), encoding="utf-8")
        paths.append(html)
    return paths
