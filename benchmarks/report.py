"""Evidence report figures: time and peak memory to build the PDF for a large journal.

Run: .venv/bin/python benchmarks/report.py [--incidents 1000] [--images 200] [--seed S]
     [--no-before]

The exhibits are 200 distinct files (100 phone photos of 4000 x 3000 px, about 3.3 MB each,
and 100 phone screenshots of 1170 x 2532 px) written once to a temporary folder; the journal's
entries are held in memory and its files are streamed from that folder in 64 KiB pieces, as
the vault streams attachments. So the figure is the report's own cost: reading and hashing
every exhibit, making the reduced image copies, laying out and writing the PDF. Decrypting
from the vault is measured by benchmarks/vault.py.

Each measurement runs in a fresh child process, so its peak memory (max RSS) is its own:
"after" is the PDF as Ally makes it now (Typst, typeset in parts joined by pypdf when the
report is long: ``report_typst.PART_BUDGET``), "before" the former PDF (the report's HTML
laid out by WeasyPrint) on the same journal in the same run, and the reference WeasyPrint
rendering a trivial document with as many pages as "before" (one short paragraph per page).
The machines are noisy; the ratios within one run are the figures to compare across runs.
Targets (issue 17 item 11): under 10 s and under 500 MB.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ally.documents.evidence import PIECE, MemoryEvidence

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


def _scene(rng: random.Random) -> Any:
    """A 12-megapixel-like phone photo (4000 x 3000) with structure, not flat colour."""
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(4000), rng.randrange(3000)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(50, 800), y + rng.randrange(50, 600)), fill=colour)
    return image


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


class FileJournal(MemoryEvidence):
    """Entries in memory, files on disk, each streamed in 64 KiB pieces as a vault does."""

    def __init__(self, head: str) -> None:
        super().__init__(head)
        self.paths: dict[str, Path] = {}

    def add_file_entry(self, payload: dict[str, Any], file: tuple[str, str, Path] | None) -> None:
        if file is None:
            self.add("incident", payload)
            return
        name, media_type, path = file
        entry = self.add("incident", payload, [(name, media_type, b"")])
        self.paths[entry.attachments[0].id] = path

    def read_attachment(self, ref: str) -> Iterator[bytes]:
        with self.paths[ref].open("rb") as handle:
            while piece := handle.read(PIECE):
                yield piece


def write_exhibits(folder: Path, images: int, seed: int) -> list[tuple[str, str, Path]]:
    """Distinct photos and screenshots (no two with the same pixels, as in a real journal):
    ten photo scenes, each copy stamped with its own shapes, and fresh screenshots."""
    from PIL import ImageDraw

    rng = random.Random(seed)
    scenes = [_scene(rng) for _ in range(10)]
    files = []
    for number in range(images):
        if number % 2 == 0:
            image = scenes[number // 2 % len(scenes)].copy()
            draw = ImageDraw.Draw(image)
            for _ in range(6):
                x, y = rng.randrange(3600), rng.randrange(2700)
                colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
                draw.rectangle(
                    (x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 300)), colour
                )
            path = folder / f"IMG_{number:04d}.jpg"
            image.save(path, "JPEG", quality=88)
            files.append((path.name, "image/jpeg", path))
        else:
            path = folder / f"Screenshot_{number:04d}.png"
            path.write_bytes(_screenshot(rng))
            files.append((path.name, "image/png", path))
    return files


def build_journal(incidents: int, files: list[tuple[str, str, Path]], seed: int) -> FileJournal:
    rng = random.Random(seed)
    journal = FileJournal("1200-K7Q3-9XRT-M2PA-HW4D")
    with_image = dict(zip(sorted(rng.sample(range(incidents), len(files))), files, strict=True))
    start = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(incidents):
        payload = {
            "when": {"start": (start + dt.timedelta(hours=9 * number)).isoformat()},
            "what": " ".join(_sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(2, 5))),
            "where": rng.choice(["Office", "Car park", "Team chat", "Canteen", "Phone"]),
            "who": [rng.choice(["Sam Boss", "R. Jones", "Unknown man"])],
            "witnesses": rng.sample(["Ana Lee", "Ben Ode", "Chris Wu"], rng.randint(0, 2)),
            "impact": _sentence(rng, 10) if rng.random() < 0.5 else None,
            "contexts": ["work"],
        }
        journal.add_file_entry(payload, with_image.get(number))
    return journal


def _cpu() -> float:
    """CPU seconds of this process (all threads): unlike wall time, not inflated by the other
    jobs sharing the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM). Not ru_maxrss: Linux carries that over
    from the parent, which made the exhibits and so has a larger peak of its own."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024  # type: ignore[union-attr]


def child_report(engine: str, incidents: int, folder: Path, seed: int) -> dict[str, Any]:
    from ally.documents.casefile import build_casefile
    from ally.documents.report_pdf import render_pdf, render_pdf_weasyprint

    render = render_pdf if engine == "after" else render_pdf_weasyprint
    files = json.loads((folder / "files.json").read_text())
    journal = build_journal(incidents, [(n, t, Path(p)) for n, t, p in files], seed)
    before = _peak_mb()
    cpu = _cpu()
    started = time.perf_counter()
    case = build_casefile(journal, zone=dt.UTC, person="Alex Doe")
    read, read_cpu = time.perf_counter(), _cpu()
    pdf = render(case)
    done = time.perf_counter()
    peak = _peak_mb()
    from ally.documents.report_typst import part_count

    parts = part_count(case) if engine == "after" else 1
    return {
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
        "read_seconds": read - started,
        "read_cpu": read_cpu - cpu,
        "pdf_seconds": done - read,
        "pdf_cpu": _cpu() - read_cpu,
        "pages": _count_pages(pdf),
        "bytes": len(pdf),
        "peak_mb": peak,
        "journal_mb": before,
        "parts": parts,
    }


def _count_pages(pdf: bytes) -> int:
    """Pages as poppler's pdfinfo counts them (both engines compress the page objects)."""
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


def _line(name: str, run: dict[str, Any]) -> str:
    return (
        f"{name:<20}{run['seconds']:6.1f} s wall, {run['cpu_seconds']:6.1f} s CPU "
        f"(read+hash+images {run['read_seconds']:.1f} s wall {run['read_cpu']:.1f} s CPU, "
        f"layout+PDF {run['pdf_seconds']:.1f} s wall {run['pdf_cpu']:.1f} s CPU), "
        f"{run['pages']} pages ({run['parts']} part(s)), {run['bytes'] / 1e6:.1f} MB, "
        f"peak {run['peak_mb']:.0f} MB "
        f"(before the report: {run['journal_mb']:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--no-before", action="store_true", help="skip the WeasyPrint run")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        kind = args.child[0]
        if kind in ("after", "before"):
            folder = Path(args.child[1])
            print(json.dumps(child_report(kind, args.incidents, folder, args.seed)))
        else:
            print(json.dumps(child_reference(int(args.child[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="ally-report-bench-") as name:
        folder = Path(name)
        files = write_exhibits(folder, args.images, args.seed)
        (folder / "files.json").write_text(json.dumps([(n, t, str(p)) for n, t, p in files]))
        on_disk = sum(path.stat().st_size for _, _, path in files) / 1e6
        common = ("--incidents", str(args.incidents), "--seed", str(args.seed))
        after = _run_child("after", name, *common)
        before = None if args.no_before else _run_child("before", name, *common)
    print(f"incidents {args.incidents}, images {args.images} (distinct files, {on_disk:.0f} MB)")
    print(_line("after (Typst):", after))
    if before is not None:
        reference = _run_child("reference", str(before["pages"]))
        print(_line("before (WeasyPrint):", before))
        print(
            f"{'reference:':<20}{reference['seconds']:6.1f} s wall, "
            f"{reference['cpu_seconds']:6.1f} s CPU, peak {reference['peak_mb']:.0f} MB "
            f"(WeasyPrint, a trivial document with {before['pages']} pages)"
        )
        print(
            f"after/before: {after['seconds'] / before['seconds']:.3f}x wall, "
            f"{after['cpu_seconds'] / before['cpu_seconds']:.3f}x CPU, "
            f"{after['peak_mb'] / before['peak_mb']:.2f}x peak memory; "
            f"before/reference {before['cpu_seconds'] / reference['cpu_seconds']:.1f}x CPU"
        )
    met_time = "met" if after["seconds"] < TARGET_SECONDS else "MISSED"
    met_memory = "met" if after["peak_mb"] < TARGET_MB else "MISSED"
    print(
        f"targets: < {TARGET_SECONDS} s wall: {met_time} ({after['seconds']:.1f} s; CPU "
        f"{after['cpu_seconds']:.1f} s); < {TARGET_MB} MB: {met_memory} ({after['peak_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
