"""Plugins: packs and importers from installed packages, through the ``ally.packs`` and
``ally.importers`` entry points — Ally's own registered the same way.

The end-to-end test builds the example plugin in ``tests/fixtures/plugins/`` into a wheel,
installs it with pip into a temporary environment that sees the Ally under test, and runs the
``ally`` command there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from ally import plugins
from ally.evidence.importers import IMPORTERS, installed_importers
from ally.knowledge.loader import BUILTIN_PACKS, installed_packs, pack_ids

PLUGIN = Path(__file__).parent / "fixtures" / "plugins" / "ally-example-plugin"
SAMPLE = (
    "ExampleSMS,v1\n"
    "2026-03-01T21:15:00+00:00,Jordan,in,You can't hide from me\n"
    "2026-03-01T21:16:00+00:00,Jordan,out,Please stop contacting me\n"
)


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new Python environment holding the example plugin, and seeing this Ally."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "source"
    shutil.copytree(PLUGIN, source)  # building writes into the tree: keep the fixture clean
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", root, source],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = root.glob("ally_example_plugin-0.1.0-*.whl")
    env = root / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env], check=True)
    python = env / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    Path(site, "ally_under_test.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    installed = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", wheel],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return env


def ally(env: Path, home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE="plugin test passphrase", COLUMNS="200")
    return subprocess.run(
        [env / "bin" / "python", "-m", "ally.cli.main", *args],
        capture_output=True,
        text=True,
        env=environ,
        input=stdin,
        check=False,
    )


def test_the_plugin_pack_is_listed_and_usable(plugin_env: Path, tmp_path: Path) -> None:
    listed = ally(plugin_env, tmp_path, "packs", "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("│")[1].strip(): line for line in listed.stdout.splitlines() if "│" in line}
    assert "Example Land" in rows["xx"] and "ally-example-plugin" in rows["xx"]
    assert "generic" in rows["xx"]  # it extends Ally's generic pack
    assert "built in" in rows["generic"] and "built in" in rows["us"]
    shown = ally(plugin_env, tmp_path, "packs", "show", "xx")
    assert shown.returncode == 0, shown.stderr
    assert "Example Land harassment helpline" in shown.stdout
    # Without the plugin, the same Ally does not know the pack.
    alone = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", "packs", "list"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert "Example Land" not in alone.stdout


def test_the_plugin_importer_is_listed_and_imports(plugin_env: Path, tmp_path: Path) -> None:
    formats = ally(plugin_env, tmp_path, "evidence", "formats")
    assert formats.returncode == 0, formats.stderr
    lines = formats.stdout.splitlines()
    assert lines[-1].startswith("example-sms-csv")
    assert "Example SMS CSV" in lines[-1] and "(from ally-example-plugin)" in lines[-1]
    assert lines[0].startswith("telegram") and "(from" not in lines[0]  # Ally's own first
    assert ally(plugin_env, tmp_path, "vault", "init").returncode == 0
    export = tmp_path / "texts.csv"
    export.write_text(SAMPLE, encoding="utf-8")
    imported = ally(plugin_env, tmp_path, "evidence", "import", str(export))
    assert imported.returncode == 0, imported.stderr
    assert "texts.csv (example-sms-csv): 2 messages read, 2 added" in imported.stdout
    found = ally(plugin_env, tmp_path, "evidence", "search", "--text", "hide")
    assert found.returncode == 0, found.stderr
    assert "You can't hide from me" in found.stdout and "Jordan" in found.stdout


def test_builtins_come_through_the_entry_points() -> None:
    packs = installed_packs()
    assert {entry.source for entry in packs.values()} == {"ally"}
    assert {entry.entry for entry in packs.values()} == {"builtin"}
    assert sorted(packs) == pack_ids() == sorted(p.name for p in BUILTIN_PACKS.iterdir())
    importers = installed_importers()
    assert {(entry.source, entry.entry) for entry in importers} == {("ally", "builtin")}
    assert [entry.item.name for entry in importers] == [i.name for i in IMPORTERS]
    assert IMPORTERS[0].name == "telegram" and IMPORTERS[-1].name == "whatsapp"


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EntryPoint]]:
    """Extra entry points next to the real ones (no distribution: shown as "?")."""
    extra: list[EntryPoint] = []
    real = plugins.entry_points

    def patched(*, group: str) -> list[EntryPoint]:
        return [*real(group=group), *(e for e in extra if e.group == group)]

    monkeypatch.setattr(plugins, "entry_points", patched)
    plugins.refresh()
    yield extra
    plugins.refresh()


def test_a_broken_plugin_is_left_out_with_a_warning(
    fake_entry_points: list[EntryPoint], tmp_path: Path
) -> None:
    fake_entry_points.append(EntryPoint("broken", "no_such_module:folder", plugins.PACKS))
    fake_entry_points.append(EntryPoint("not-a-pack", "os:getcwd", plugins.PACKS))
    fake_entry_points.append(EntryPoint("junk", "os:sep", plugins.IMPORTERS))
    with pytest.warns(plugins.PluginWarning) as caught:
        ids = pack_ids()
        names = [entry.item.name for entry in installed_importers()]
    messages = [str(w.message) for w in caught]
    assert any("packs broken" in m and "ModuleNotFoundError" in m for m in messages)
    assert any("packs not-a-pack" in m and "ValueError" in m for m in messages)
    assert any("importers junk" in m for m in messages)
    assert "generic" in ids and "whatsapp" in names  # Ally goes on without them


def test_a_plugin_cannot_replace_a_builtin_pack(
    fake_entry_points: list[EntryPoint], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    impostor = tmp_path / "us"
    impostor.mkdir()
    (impostor / "pack.yaml").write_text("id: us\nname: Not the real US pack\n")
    monkeypatch.setattr(sys.modules[__name__], "IMPOSTOR", impostor, raising=False)
    fake_entry_points.append(EntryPoint("us", f"{__name__}:IMPOSTOR", plugins.PACKS))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        packs = installed_packs()
    assert packs["us"].builtin and packs["us"].item == BUILTIN_PACKS / "us"
    assert any("'us', which ally already provides" in str(w.message) for w in caught)
