"""Ingest at scale: the index manifest, file stamps, worker processes, and what each command imports.

Speed itself is measured by benchmarks/speed.py, never here: these tests pin down the behaviour
that makes it fast (work skipped, work shared out) and that the results do not depend on it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from pipeline import files as files_module
from pipeline.engine.whoosh import index as index_module
from pipeline import ingest as ingest_module
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.engine.whoosh.index import INDEX_NAME, MANIFEST_NAME, generation, known_articles
from pipeline.ingest import ingest
from pipeline.parallel import split

from .conftest import LOCALES, NOW, SOURCES

# Real worker processes, signals and subprocess runs of the command line: the slow tier.
pytestmark = pytest.mark.slow


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def stored(index_dir: Path) -> list[dict]:
    """Every stored document, in index order."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        return [dict(fields) for fields in searcher.all_stored_fields()]


def tree(root: Path, extra: int = 0) -> Config:
    """The bundled sources and catalogues under root, plus `extra` generated articles."""
    shutil.copytree(SOURCES, root / "sources")
    shutil.copytree(LOCALES, root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    for n in range(extra):
        (root / "sources" / f"extra-{n:03d}.md").write_text(
            f"# Article {n}\n\nKidney stones and bile ducts, note {n}.\n\n## Causes\n\nToo little water {n}.\n")
    return Config(sources=root / "sources", locales=root / "locales", index=root / "index")


def summary(report) -> tuple:
    return (report.added, report.changed, report.unchanged, report.removed,
            [str(e) for e in report.failed], report.catalogue_files, report.sections, report.by_locale)


@pytest.fixture
def settled_at_once(monkeypatch):
    """Trust the stamps of files however recently they changed (the tests' files are all new)."""
    monkeypatch.setattr(files_module, "SETTLE_NS", 0)


@pytest.fixture
def parallel(monkeypatch):
    """Send even a handful of articles to worker processes."""
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN", 1)


# --- What is indexed: the manifest ------------------------------------------------------------


def test_manifest_describes_the_committed_generation(tmp_path, settled_at_once):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    manifest = json.loads((config.index / MANIFEST_NAME).read_text())
    assert manifest["generation"] == generation(config.index) == 1
    assert sorted(manifest["articles"]) == ["bile-duct-blockage", "fluoroscopy", "interventional-radiologist",
                                            "kidney-stones"]
    known, current = known_articles(config.index)
    assert current and {a.id for a in known.values()} == set(manifest["articles"])
    assert all(article.content_hash and article.stamp for article in known.values())


def test_nothing_changed_opens_neither_the_index_nor_a_writer(tmp_path, monkeypatch):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    files = sorted(p.name for p in config.index.iterdir())

    def refuse(*args, **kwargs):
        raise AssertionError("the index was opened")

    monkeypatch.setattr(index_module, "open_index", refuse)
    monkeypatch.setattr(index_module, "IndexWriter", refuse)
    report = ingest(config, now=NOW)
    assert len(report.unchanged) == 4 and not report.added + report.changed
    assert sorted(p.name for p in config.index.iterdir()) == files


def test_a_stale_or_missing_manifest_is_replaced_by_reading_the_index(tmp_path):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    manifest = config.index / MANIFEST_NAME
    good = manifest.read_bytes()
    # As if a crash came between a commit and its manifest: the manifest names an older generation.
    data = json.loads(good)
    data["generation"] -= 1
    data["articles"]["kidney-stones"] = ["0" * 64, ""]
    manifest.write_text(json.dumps(data))
    report = ingest(config, now=NOW)
    assert len(report.unchanged) == 4
    assert json.loads(manifest.read_bytes())["generation"] == generation(config.index)
    manifest.unlink()
    assert len(ingest(config, now=NOW).unchanged) == 4
    assert manifest.exists()


def test_a_new_index_forgets_an_old_manifest(tmp_path):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    for path in config.index.glob(f"*{INDEX_NAME}*"):
        if path.name != MANIFEST_NAME:
            path.unlink()
    report = ingest(config, now=NOW)
    assert len(report.added) == 4  # indexed again, not taken for unchanged
    assert {d["article"] for d in stored(config.index)} == set(report.added)


def test_an_index_of_an_older_version_is_rebuilt_and_its_files_removed(tmp_path):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    older = index_module.INDEX_VERSION - 1
    for path in list(config.index.iterdir()):  # as the previous version of the program left it
        path.rename(path.with_name(path.name.replace(INDEX_NAME, f"sections_v{older}")))
    renamed = sorted(path.name for path in config.index.glob(f"*sections_v{older}[._]*"))
    assert any(name.endswith(".seg") for name in renamed) and f"sections_v{older}.articles.json" in renamed
    (config.index / "notes.txt").write_text("not the index's\n", encoding="utf-8")
    (config.index / f"sections_v{older}_backup").mkdir()  # only files are removed

    report = ingest(config, now=NOW)
    assert len(report.added) == 4
    names = {path.name for path in config.index.iterdir()}
    assert not names & set(renamed)
    assert {"notes.txt", f"sections_v{older}_backup"} <= names
    assert MANIFEST_NAME in names


# --- Stamps: unchanged files are not read ------------------------------------------------------


def test_files_changed_just_before_they_were_read_get_no_stamp(tmp_path):
    config = tree(tmp_path)  # copied a moment ago
    ingest(config, now=NOW)
    known = known_articles(config.index)[0]
    # Templates this run wrote are stamped as written; the sources it read were too fresh to trust.
    assert all(article.content_hash and not article.stamp for article in known.values())


def test_touching_a_file_reads_it_again_but_changes_nothing(tmp_path, settled_at_once):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    before = known_articles(config.index)[0]["kidney-stones"]
    path = config.sources / "kidney-stones.html"
    os.utime(path, ns=(time.time_ns(), time.time_ns() - 10**10))
    report = ingest(config, now=NOW)
    assert "kidney-stones" in report.unchanged and not report.changed
    after = known_articles(config.index)[0]["kidney-stones"]
    assert after.content_hash == before.content_hash and after.stamp != before.stamp


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(tmp_path, settled_at_once):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    path = config.sources / "kidney-stones.html"
    old = path.stat()
    text = path.read_text()
    edited = text.replace("kidney", "kidnee", 1)
    assert len(edited) == len(text) and edited != text
    path.write_text(edited)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # the change time still moves
    assert ingest(config, now=NOW).changed == ["kidney-stones"]


def test_a_catalogue_edit_is_seen(tmp_path, settled_at_once):
    config = tree(tmp_path)
    ingest(config, now=NOW)
    po = config.locales / "ar" / "LC_MESSAGES" / "kidney-stones.po"
    data = po.read_bytes()
    po.write_bytes(data.replace('msgstr "الأعراض"'.encode(), 'msgstr "علامات"'.encode()))
    assert po.read_bytes() != data
    assert ingest(config, now=NOW).changed == ["kidney-stones"]


# --- Worker processes -------------------------------------------------------------------------


def test_split_cuts_contiguous_parts_of_about_equal_weight():
    assert split([1] * 10, 2) == [range(0, 5), range(5, 10)]
    assert split([9, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2) == [range(0, 1), range(1, 10)]
    assert split([1, 1, 1], 8) == [range(0, 1), range(1, 2), range(2, 3)]
    assert split([0, 0, 100], 2) == [range(0, 2), range(2, 3)]
    assert split([], 2) == []
    for weights in ([5, 3, 8, 1, 1, 9, 2], [1] * 7, [100, 1, 1, 1]):
        for parts in (1, 2, 3):
            ranges = split(weights, parts)
            assert [i for r in ranges for i in r] == list(range(len(weights)))
            assert all(ranges) and len(ranges) == min(parts, len(weights))


def test_workers_index_exactly_what_one_process_does(tmp_path, parallel):
    serial = tree(tmp_path / "serial", extra=12)
    workers = tree(tmp_path / "workers", extra=12)
    one = ingest(Config(**{**serial.__dict__, "jobs": 1}), now=NOW)
    many = ingest(Config(**{**workers.__dict__, "jobs": 3}), now=NOW)
    assert summary(one) == summary(many)
    # The same documents in the same order, whichever process indexed them.
    assert stored(serial.index) == stored(workers.index)
    assert len(whoosh_index.open_dir(str(workers.index), indexname=INDEX_NAME)._read_toc().segments) == 3
    for path in sorted(serial.locales.rglob("*.po*")):
        twin = workers.locales / path.relative_to(serial.locales)
        assert twin.read_bytes() == path.read_bytes()
    states = [{article: state for article, (state, _) in json.loads((config.index / MANIFEST_NAME).read_bytes())
               ["articles"].items()} for config in (serial, workers)]
    assert states[0] == states[1]


def test_workers_report_broken_files_with_their_line_and_index_the_rest(tmp_path, monkeypatch, parallel):
    tree(tmp_path, extra=6)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources" / "broken.md").write_text("---\ntitle: [oops\n---\n\nText.\n")
    po = tmp_path / "locales" / "ar" / "LC_MESSAGES" / "kidney-stones.po"
    po.write_bytes(po.read_bytes().replace(b'msgstr "', b'msgstr ', 1))
    result = run("ingest", "--jobs", "2")
    assert result.exit_code == 1
    assert "error: sources/broken.md:2: broken front matter" in result.output
    assert "error: locales/ar/LC_MESSAGES/kidney-stones.po:" in result.output
    assert result.output.splitlines()[-1].startswith("10 added, 0 changed, 0 unchanged, 0 removed, 2 failed")


def test_warnings_logged_in_workers_reach_the_command(tmp_path, monkeypatch, parallel, caplog):
    tree(tmp_path, extra=4)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources" / "a.html").write_text("<html lang='xx-bogus'><p>Text about kidneys.</p></html>")
    result = run("ingest", "--strict", "--jobs", "2")
    assert result.exit_code == 1
    assert "sources/a.html: unknown language 'xx-bogus' declared" in caplog.text


def test_a_bug_in_a_worker_shows_its_traceback_and_commits_nothing(tmp_path, monkeypatch, parallel):
    config = tree(tmp_path, extra=6)
    ingest(Config(**{**config.__dict__, "jobs": 1}), now=NOW)
    before = generation(config.index)
    for path in config.sources.glob("extra-*.md"):
        path.write_text(path.read_text() + "\nMore.\n")
    real = ingest_module.load_article

    def buggy(source, *args, **kwargs):
        if source.article_id == "extra-004":
            raise ZeroDivisionError("a bug")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "load_article", buggy)  # forked workers inherit it
    with pytest.raises(ZeroDivisionError) as caught:
        ingest(Config(**{**config.__dict__, "jobs": 2}), now=NOW)
    assert any("in worker process" in note for note in caught.value.__notes__)
    assert generation(config.index) == before
    monkeypatch.setattr(ingest_module, "load_article", real)
    assert ingest(Config(**{**config.__dict__, "jobs": 2}), now=NOW).changed == [f"extra-{n:03d}" for n in range(6)]


def test_ctrl_c_in_a_worker_interrupts_the_ingest(tmp_path, monkeypatch, parallel):
    tree(tmp_path, extra=6)
    monkeypatch.chdir(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest_module, "load_article", interrupted)
    result = run("ingest", "--jobs", "2")
    assert result.exit_code == 130
    assert "Interrupted: nothing was committed" in result.output
    assert generation(tmp_path / "index") == 0  # created empty, nothing committed


# --- Whole processes: signals and imports -----------------------------------------------------


def _pipeline(*args: str) -> list[str]:
    return [sys.executable, "-c", "from pipeline.cli import main; main()", *args]


def _group_gone(group: int, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def _wait_for(condition, seconds: float = 300.0) -> bool:
    """Wait until condition() holds (the deadline only guards against a hang)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _tree(root: Path, articles: int, paragraphs: int) -> None:
    sources = root / "sources"
    sources.mkdir(parents=True)
    body = "\n\n".join(f"Kidney stone and bile duct imaging, paragraph {n}." for n in range(paragraphs))
    for n in range(articles):
        (sources / f"article-{n:04d}.txt").write_text(f"Article {n}\n\nSection A\n\n{body}\n")


# `pipeline ARGS` whose worker processes, once each has indexed an article, say so (a file
# held-<pid>) and wait to be ended: a signal sent then always finds the run mid-way.
_HELD_WORKERS = """
import os, signal, sys
from pathlib import Path
from pipeline import ingest
main_process, index_article = os.getpid(), ingest._index_article

def held(*args, **kwargs):
    outcome = index_article(*args, **kwargs)
    if os.getpid() != main_process:
        Path(f"held-{os.getpid()}").touch()
        while True:
            signal.pause()
    return outcome

ingest._index_article = held
from pipeline.cli import main
sys.argv = ["pipeline", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_signals_end_the_workers_too(tmp_path, sig):
    _tree(tmp_path, 400, 40)
    subprocess.run(_pipeline("ingest", "--jobs", "1"), cwd=tmp_path, check=True, capture_output=True)
    for path in (tmp_path / "sources").iterdir():
        path.write_text(path.read_text().replace("Section A", "Section B"))
    process = subprocess.Popen([sys.executable, "-c", _HELD_WORKERS, "ingest", "--jobs", "2"], cwd=tmp_path,
                               start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _wait_for(lambda: len(list(tmp_path.glob("held-*"))) == 2 or process.poll() is not None)
    assert process.poll() is None, process.communicate()
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)  # Ctrl-C reaches every process of the terminal's group
    else:
        process.send_signal(sig)  # kill -9 reaches only the main process
    _, err = process.communicate(timeout=120)
    assert process.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert _group_gone(process.pid), "a worker outlived the ingest"
    found = subprocess.run(_pipeline("search", "section a", "--json"), cwd=tmp_path, check=True,
                           capture_output=True, text=True)
    assert json.loads(found.stdout)["total"] == 400  # the last committed index, whole
    assert not list((tmp_path / "locales").rglob(".*.tmp"))
    final = subprocess.run(_pipeline("ingest"), cwd=tmp_path, capture_output=True, text=True, check=True)
    assert final.stdout.startswith("0 added, 400 changed, 0 unchanged")


# `pipeline ARGS` that gets Ctrl-C while its first worker process is forked, in both processes:
# in the at-fork hooks (this one's run first, then logging's), where a KeyboardInterrupt raised
# is printed and dropped.
_CTRL_C_AT_FORK = """
import os, signal, sys
pressed = []

def in_parent():
    if not pressed:
        pressed.append(True)
        os.kill(os.getpid(), signal.SIGINT)

os.register_at_fork(after_in_parent=in_parent, after_in_child=lambda: os.kill(os.getpid(), signal.SIGINT))
from pipeline.cli import main
sys.argv = ["pipeline", *sys.argv[1:]]
main()
"""


def test_ctrl_c_while_workers_start_stops_the_run(tmp_path):
    _tree(tmp_path, ingest_module.PARALLEL_MIN, 2)
    result = subprocess.run([sys.executable, "-c", _CTRL_C_AT_FORK, "ingest", "--jobs", "2"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 130, result.stdout + result.stderr
    assert "KeyboardInterrupt" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip() == ("Interrupted: nothing was committed; the last good index and catalogues "
                                     "are intact.")
    assert known_articles(tmp_path / "index")[0] == {}  # nothing was committed


HEAVY = ("bs4", "lxml", "soupsieve", "markdown_it", "yaml", "babel.messages.catalog")


def _imported_by(args: list[str], cwd: Path) -> list[str]:
    code = ("import sys\nfrom pipeline.cli import main\n"
            f"sys.argv = ['pipeline', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY + ('whoosh',)!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1].replace("'", '"'))


def test_search_and_an_idle_ingest_import_no_parser(tmp_path):
    config = tree(tmp_path)
    ingest(config, now=NOW)  # the folders spelt otherwise than the command will: the same states
    assert _imported_by(["search", "kidney stones"], tmp_path) == ["whoosh"]
    assert _imported_by(["ingest"], tmp_path) == ["babel.messages.catalog"]
