"""The report: one self-contained page that links to nothing and inlines every image."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd

from {{ cookiecutter.module_name }}.reporting.page import render_report

PNG = b"\x89PNG\r\n\x1a\n"
# Three bytes, at an offset divisible by three, that base64 spells "http".
SPELLS_HTTP = PNG + b"\x00" + base64.b64decode("httpAAAA")
IMAGE = re.compile(r'<img src="data:image/png;base64,([^"]*)"')


def test_report_is_self_contained(tmp_path: Path) -> None:
    images = []
    for stem, data in [("plain", PNG + b"\x00" * 8), ("tricky", SPELLS_HTTP)]:
        images.append(tmp_path / f"{stem}.png")
        images[-1].write_bytes(data)
    assert "http" in base64.b64encode(SPELLS_HTTP).decode()
    verdict = dict(verdict="done", metric="score", score=0.9, model="rival", target=0.8)
    verdict["actions"] = ["read https://example.com/guide"]
    board = pd.DataFrame({"model": ["dummy", "rival"], "score": [0.1, 0.9], "note": ["", "HTTP"]})
    tuning = pd.DataFrame({"model": ["rival"], "picked": [True]})
    metrics = dict(metric="score", cv_score=0.85, test=dict(score=0.9), test_rows=10)
    metadata = dict(params=dict(url="Http://example.com"), git=dict(commit="abc"), versions=dict())
    page = render_report(
        verdict, dict(total_cpu_seconds=1.5), board, tuning, metrics, metadata, images
    )
    assert "http" not in page.lower()
    assert page.count("<img ") == len(images)
    found = IMAGE.findall(page)
    assert len(found) == len(images)
    for data, image in zip(found, images, strict=True):
        assert base64.b64decode(data.replace("\n", "")) == image.read_bytes()
    assert "example.com/guide" in page  # the text is kept; only its "h" is an entity
