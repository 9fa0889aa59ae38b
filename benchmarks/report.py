"""Evidence report figures: time and peak memory to build the PDF for a large journal.

Run: .venv/bin/python benchmarks/report.py [--incidents 1000] [--images 200] [--seed S]

The journal is held in memory (MemoryEvidence), so the figure is the report's own cost:
reading and hashing every exhibit, making the reduced image copies, laying out and writing
the PDF. Decrypting from the vault is measured by benchmarks/vault.py.

Each measurement runs in a fresh child process, so its peak memory (max RSS) is its own. The
reference, in the same run: WeasyPrint rendering a trivial document with the same number of
pages (one short paragraph per page). The ratio report/reference is the figure to compare
across runs; the machines are noisy. Targets (issue 17): under 10 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

TEXT = (
    "he said again that I would regret it and stood in the doorway so I could not leave the "
    "room while others watched and nobody said anything after the meeting he followed me to "
    "the car park and sent messages late at night about what I wore"
)
WORDS = TEXT.split()
TARGET_SECONDS = 10
TARGET_MB = 500


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _photo(rng: random.Random) -> bytes:
    """A 12-megapixel-like phone photo (4000 x 3000 JPEG) with structure, not flat colour."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(4000), rng.randrange(3000)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(50, 800), y + rng.randrange(50, 600)), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _screenshot(rng: random.Random) -> bytes:
    """A phone screenshot (1170 x 2532 PNG) of chat bubbles with text."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1170, 2532), "white")
    draw = ImageDraw.Draw(image)
    y = 120
    while y < 2400:
        left = rng.random() < 0.5
        width = rng.randrange(400, 900)
        x = 40 if left else 1130 - width
        draw.rounded_rectangle(
            (x, y, x + width, y + 140), 30, fill="#e5e5ea" if left else "#0b84fe"
        )
        draw.text((x + 30, y + 50), _sentence(rng, 6), fill="black")
        y += 180
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build_journal(incidents: int, images: int, seed: int) -> Any:
    from ally.documents.evidence import MemoryEvidence

    rng = random.Random(seed)
    pool = [_photo(rng) for _ in range(10)] + [_screenshot(rng) for _ in range(10)]
    journal = MemoryEvidence("1200-K7Q3-9XRT-M2PA-HW4D")
    with_image = set(rng.sample(range(incidents), images))
    start = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(incidents):
        files = []
        if number in with_image:
            data = pool[number % len(pool)]
            # Change a few bytes so every exhibit has its own hash, as real photos do.
            data = data[:-2] + number.to_bytes(2, "big")
            is_photo = data[:2] == b"\xff\xd8"
            name = f"IMG_{number:04d}.jpg" if is_photo else f"Screenshot_{number:04d}.png"
            files.append((name, "image/jpeg" if is_photo else "image/png", data))
        payload = {
            "when": {"start": (start + dt.timedelta(hours=9 * number)).isoformat()},
            "what": " ".join(_sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(2, 5))),
            "where": rng.choice(["Office", "Car park", "Team chat", "Canteen", "Phone"]),
            "who": [rng.choice(["Sam Boss", "R. Jones", "Unknown man"])],
            "witnesses": rng.sample(["Ana Lee", "Ben Ode", "Chris Wu"], rng.randint(0, 2)),
            "impact": _sentence(rng, 10) if rng.random() < 0.5 else None,
            "contexts": ["work"],
        }
        journal.add("incident", payload, files)
    return journal


def _cpu() -> float:
    """CPU seconds of this process (all threads): unlike wall time, not inflated by the other
    jobs sharing the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_report(incidents: int, images: int, seed: int) -> dict[str, Any]:
    from ally.documents.casefile import build_casefile
    from ally.documents.report_pdf import render_pdf

    journal = build_journal(incidents, images, seed)
    before = _peak_mb()
    cpu = _cpu()
    started = time.perf_counter()
    case = build_casefile(journal, zone=dt.UTC, person="Alex Doe")
    read = time.perf_counter()
    pdf = render_pdf(case)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
        "read_seconds": read - started,
        "pdf_seconds": done - read,
        "pages": _count_pages(pdf),
        "bytes": len(pdf),
        "peak_mb": _peak_mb(),
        "journal_mb": before,
    }


def _count_pages(pdf: bytes) -> int:
    """Pages as poppler's pdfinfo counts them (WeasyPrint compresses the page objects)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]


def child_reference(pages: int) -> dict[str, Any]:
    import weasyprint

    body = "".join(
        f'<p style="break-after: page">Page {n}. A short paragraph.</p>' for n in range(pages)
    )
    html = f"<html><body>{body}</body></html>"
    cpu = _cpu()
    started = time.perf_counter()
    pdf = weasyprint.HTML(string=html).write_pdf()
    done = time.perf_counter()
    assert isinstance(pdf, bytes)
    return {
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
        "bytes": len(pdf),
        "peak_mb": _peak_mb(),
    }


def _run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        kind = args.child[0]
        if kind == "report":
            print(json.dumps(child_report(args.incidents, args.images, args.seed)))
        else:
            print(json.dumps(child_reference(int(args.child[1]))))
        return
    report = _run_child(
        "report",
        "--incidents",
        str(args.incidents),
        "--images",
        str(args.images),
        "--seed",
        str(args.seed),
    )
    reference = _run_child("reference", str(report["pages"]))
    ratio = report["seconds"] / reference["seconds"]
    cpu_ratio = report["cpu_seconds"] / reference["cpu_seconds"]
    size = report["bytes"] / 1e6
    print(
        f"incidents {args.incidents}, images {args.images}, {report['pages']} pages, {size:.1f} MB"
    )
    print(
        f"report:    {report['seconds']:6.1f} s wall, {report['cpu_seconds']:6.1f} s CPU "
        f"(read+hash+images {report['read_seconds']:.1f} s, layout+PDF {report['pdf_seconds']:.1f} s), "
        f"peak {report['peak_mb']:.0f} MB (of which the journal held in memory "
        f"{report['journal_mb']:.0f} MB)"
    )
    print(
        f"reference: {reference['seconds']:6.1f} s wall, {reference['cpu_seconds']:6.1f} s CPU, "
        f"peak {reference['peak_mb']:.0f} MB (a trivial document with the same page count)"
    )
    met_time = "met" if report["seconds"] < TARGET_SECONDS else "MISSED"
    met_memory = "met" if report["peak_mb"] < TARGET_MB else "MISSED"
    print(
        f"ratio {ratio:.1f}x the reference (CPU {cpu_ratio:.1f}x); "
        f"target < {TARGET_SECONDS} s: {met_time}; target < {TARGET_MB} MB: {met_memory}"
    )


if __name__ == "__main__":
    main()
