"""Bad input, hostile content, interruptions and concurrency: nothing lost, nothing crashes."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import sources as sources_module
from pipeline.cli import cli
from pipeline.catalogue.pofile import parse_catalogue
from pipeline.errors import CatalogError, SourceError
from pipeline.files import remove_stale_temporaries
from pipeline.lock import ingest_lock
from pipeline.parsers import PARSERS
from pipeline.search import search
from pipeline.sources import decode

from .indexes import engine

GOOD = {
    "good-text.txt": "Gallstones\n\nGallstones are hard deposits that form in the gallbladder.\n",
    "good-page.html": "<html lang='en'><title>Anaemia</title><p>Anaemia is a lack of red blood cells.</p></html>",
    "good-notes.md": "# Dialysis\n\nDialysis filters the blood when the kidneys fail.\n",
}

BAD = {  # file name -> (content, text the error must contain)
    "empty.txt": (b"", "sources/empty.txt: no text found"),
    "blank.md": (b"   \n\n  \n", "sources/blank.md: no text found"),
    "binary.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "sources/binary.html: binary file"),
    "latin1.txt": ("Title\n\nCafé crème.\n".encode("latin-1"), "sources/latin1.txt:3: not valid UTF-8"),
    "only-scripts.html": (b"<html><script>alert(1)</script><style>p{}</style></html>",
                          "sources/only-scripts.html: no text found"),
    "no-body.html": (b"<html><head><title>T</title></head></html>", "sources/no-body.html: no text found"),
    "front-matter.md": (b"---\ntitle: [oops\nlang: en\n---\n\nText.\n", "sources/front-matter.md:3: broken front matter"),
    "front-list.md": (b"---\n- a\n- b\n---\n\nText.\n", "sources/front-list.md:2: front matter is not"),
    "huge.txt": (b"Big\n\n" + b"word " * 300_000, "sources/huge.txt: file is 1,500,005 bytes, over the limit"),
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def make_tree(root: Path) -> Path:
    sources = root / "sources"
    sources.mkdir()
    for name, text in GOOD.items():
        (sources / name).write_text(text, encoding="utf-8")
    for name, (data, _) in BAD.items():
        (sources / name).write_bytes(data)
    return sources


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.as_posix().encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_bad_sources_are_named_and_every_good_article_is_indexed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sources = make_tree(tmp_path)
    (sources / "outside.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("Secret\n\nNever to be read.\n")
    before = tree_digest(sources)
    result = run("ingest", "--max-bytes", "1000000")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for _, expected in BAD.values():
        assert f"error: {expected}" in result.output
    assert result.output.splitlines()[-1].startswith(f"3 added, 0 changed, 0 unchanged, 0 removed, {len(BAD)} failed")
    found = {hit.article for query in ("gallbladder", "red blood cells", "dialysis")
             for hit in search(engine(Path("index")), query).hits}
    assert found == {"good-text", "good-page", "good-notes"}
    assert not search(engine(Path("index")), "secret never").hits
    assert tree_digest(sources) == before  # the pipeline never writes into sources/


@pytest.mark.parametrize("html", [
    "<div>" * 20_000 + "deep text" + "</div>" * 20_000,
    "<p>unclosed <b>bold <i>italic <p>next <li>item",
    "".join(f"<h2>Heading {i}</h2><p>Text {i}.</p>" for i in range(3000)),
    "<h2>Causes</h2><p>a</p><h2>Causes</h2><p>b</p><h2>?!</h2><p>c</p><h2>الأسباب</h2><p>d</p>",
])
def test_awkward_html_parses(html):
    document = PARSERS[".html"](f"<html><body>{html}</body></html>", "sources/x.html")
    ids = [section.id for section in document.sections]
    assert len(ids) == len(set(ids))
    assert any(section.paragraphs for section in document.sections)


def test_unreadable_file_is_named_and_does_not_stop_the_others(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in GOOD.items():
        (sources / name).write_text(text)
    real = Path.read_bytes

    def read_bytes(path):
        if path.name == "good-page.html":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run("ingest")
    assert result.exit_code == 1
    assert "error: sources/good-page.html: cannot read file: Permission denied" in result.output
    assert "2 added" in result.output


def test_control_characters_never_reach_the_terminal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "evil.txt").write_text(
        "Kidney \x1b[2J\x1b]0;pwned\x07stones\n\nKidney stones \x1b[31mred\x9b text.\n")
    assert run("ingest").exit_code == 0
    text = run("search", "kidney stones").output
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    data = json.loads(run("search", "kidney \x1b[1m stones", "--json").output)
    assert data["hits"] and "\x1b" not in json.dumps(data["hits"], ensure_ascii=False)


def test_warnings_fail_only_with_strict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.html").write_text("<html lang='xx-bogus'><p>Text about kidneys.</p></html>")
    assert run("ingest").exit_code == 0
    (tmp_path / "sources" / "a.html").write_text("<html lang='xx-bogus'><p>Text about the kidneys.</p></html>")
    result = run("ingest", "--strict")
    assert result.exit_code == 1
    assert "1 changed" in result.output


def test_ctrl_c_keeps_the_last_index_and_leaves_no_stale_lock(project, monkeypatch):
    assert run("ingest").exit_code == 0
    (project / "sources" / "extra.txt").write_text("Extra\n\nAn extra article about anaemia.\n")
    seed = project / "sources" / "interventional-radiologist.txt"
    seed.write_text(seed.read_text().replace("kidney stones", "renal calculi"))
    real = sources_module.load_article
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr("pipeline.ingest.load_article", interrupted)
    result = run("ingest")
    assert result.exit_code == 130
    assert "Interrupted: nothing was committed" in result.output
    # The old index is whole: the seed still has "kidney stones", the new article is absent.
    assert "interventional-radiologist" in {h.article for h in search(engine(Path("index")), '"kidney stones"').hits}
    assert not search(engine(Path("index")), "anaemia").hits
    monkeypatch.setattr("pipeline.ingest.load_article", real)
    result = run("ingest")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 added, 1 changed")


def test_second_ingest_waits_for_the_first(project):
    released = threading.Event()

    def hold():
        with ingest_lock(Path("index")):
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    timer = threading.Timer(0.5, released.set)
    timer.start()
    result = run("ingest")
    holder.join()
    assert result.exit_code == 0
    assert "another ingest is writing index; waiting for it to finish" in result.output
    assert "4 added" in result.output


QUERIES = ["", "   ", "\t\n", "the of and", "?!…", "()[]{}", "\x00\x01\x1b[2J", "a" * 10_000,
           "kidney " * 2000, "حصى kidney stones الكلى", "\u200f\u202eحصى\u202c\u200e", "\ufeff", "*:*",
           '"', '""', '" "', "\udcff\udcfe", "ﷺ", "٥٠٠ ملغ", "C++ C# .NET", "NOT", "-kidney +stones"]


@pytest.mark.parametrize("query", QUERIES)
def test_hostile_queries_exit_zero_with_valid_json(project, query):
    assert run("ingest").exit_code == 0
    result = run("search", query, "--json")
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.output)["hits"], list)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    sources = make_tree(root)
    for name in BAD:
        (sources / name).unlink()
    from pipeline.config import Config
    from pipeline.ingest import ingest
    ingest(Config(sources=sources, locales=root / "locales", index=root / "index"))
    return root / "index"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300), lang=st.sampled_from([None, "en", "ar", "xx"]))
def test_search_never_raises_on_any_query(small_index, query, lang):
    result = search(engine(small_index), query, lang=lang)
    json.dumps(result.as_json(), ensure_ascii=False)
    assert all(hit.rank == i for i, hit in enumerate(result.hits, start=1))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=2000), suffix=st.sampled_from(sorted(PARSERS)))
def test_parsers_raise_only_source_errors(text, suffix):
    try:
        document = PARSERS[suffix](text, f"sources/x{suffix}")
    except SourceError:
        return
    ids = [section.id for section in document.sections]
    assert len(ids) == len(set(ids))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000))
def test_decode_raises_only_source_errors(data):
    try:
        text = decode(data, "sources/x.txt")
    except SourceError as error:
        assert error.path == "sources/x.txt"
    else:
        assert isinstance(text, str)


SEED_PO = (Path(__file__).resolve().parent.parent / "locales" / "ar" / "LC_MESSAGES"
           / "interventional-radiologist.po").read_bytes()


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(0, len(SEED_PO)), junk=st.binary(max_size=40), keep_tail=st.booleans())
def test_damaged_catalogues_raise_only_catalogue_errors(cut, junk, keep_tail):
    data = SEED_PO[:cut] + junk + (SEED_PO[cut:] if keep_tail else b"")
    try:
        catalogue = parse_catalogue(data, "locales/ar/LC_MESSAGES/x.po")
    except CatalogError as error:
        assert error.path == "locales/ar/LC_MESSAGES/x.po"
    else:
        assert all(isinstance(message.id, (str, tuple)) for message in catalogue)
        if data == SEED_PO:
            assert len([m for m in catalogue if m.id and m.string]) == 12


def _corpus(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(7)
    words = "kidney stone bile duct fluoroscopy imaging blood vessel urine pain fever liver".split()
    for n in range(count):
        body = "\n\n".join(" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(6))
        (folder / f"article-{n:04d}.txt").write_text(f"Article {n}\n\nSection A\n\n{body}\n\nSection B\n\n{body}\n")


def _cli(*args: str, cwd: Path, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          cwd=cwd, capture_output=True, text=True, check=check, timeout=300)


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_a_searchable_index_and_the_next_ingest_completes(tmp_path):
    _corpus(tmp_path / "sources", 300)
    _cli("catalog", "init", "ar", cwd=tmp_path)
    _cli("ingest", cwd=tmp_path)
    for n in range(300):  # change every article so the next ingest has real work to interrupt
        path = tmp_path / "sources" / f"article-{n:04d}.txt"
        path.write_text(path.read_text() + "\nAddendum about anaemia.\n")
    rng = random.Random(11)
    for delay in sorted(rng.uniform(0.3, 2.5) for _ in range(4)):
        process = subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "ingest"],
                                   cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        result = json.loads(_cli("search", "kidney stone", "--json", cwd=tmp_path).stdout)
        assert result["total"] > 0  # the last committed index is searchable
        for path in (tmp_path / "locales").rglob("*.po*"):  # every catalogue old or new, never torn
            parse_catalogue(path.read_bytes(), path)
    final = _cli("ingest", cwd=tmp_path)
    assert "0 failed" in final.stdout
    again = _cli("ingest", cwd=tmp_path)
    assert again.stdout.startswith("0 added, 0 changed, 300 unchanged, 0 removed, 0 failed")
    result = json.loads(_cli("search", "anaemia", "--json", "--limit", "1000", cwd=tmp_path).stdout)
    assert result["total"] == 300  # the addendum's section of every article, once each


@pytest.mark.slow
def test_searches_during_an_ingest_never_fail(tmp_path):
    _corpus(tmp_path / "sources", 200)
    _cli("ingest", cwd=tmp_path)
    for n in range(200):
        path = tmp_path / "sources" / f"article-{n:04d}.txt"
        path.write_text(path.read_text().replace("Section B", "Section C"))
    writer = subprocess.Popen([sys.executable, "-c", "from pipeline.cli import main; main()", "ingest"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    failures, searches = [], 0
    while writer.poll() is None and searches < 200:
        result = _cli("search", "bile duct", "--json", cwd=tmp_path, check=False)
        searches += 1
        if result.returncode != 0 or not json.loads(result.stdout)["hits"]:
            failures.append(result.stderr)
    assert writer.wait() == 0
    assert searches > 0 and failures == []


# What a terminal would obey: C0 (but tab and line feed) and C1 controls, DEL, bidi embeddings,
# overrides and isolates.
TERMINAL_COMMANDS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.slow
def test_no_command_lets_a_file_name_or_a_catalogue_line_command_the_terminal(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "kidney\u202egnp.txt").write_text("Kidney stones\n\nKidney stones are hard deposits.\n")
    (sources / "evil\x1b]0;title\x07.txt").symlink_to(tmp_path / "nowhere.txt")  # warned about, by name
    (sources / "page.html").write_text("<html lang='\u202exx'><p>Kidney \x9b31m stones.</p></html>")
    _cli("catalog", "init", "ar", cwd=tmp_path)
    catalogue = next((tmp_path / "locales" / "ar" / "LC_MESSAGES").glob("kidney*.po"))
    catalogue.write_text(catalogue.read_text().replace(
        'msgid "Kidney stones are hard deposits."\nmsgstr ""',
        'msgid "Kidney stones are hard deposits."\nmsgstr "\x1b]0;pwned\x07\x1b[2J حصى \u202e \x9b31m"')
        + "\x1b]0;pwned\x07\x1b[2J \u2066garbage\n")
    outputs = {}
    for command in ("catalog check", "catalog check --json", "catalog stats", "catalog stats --json",
                    "catalog update", "catalog init ar", "ingest", "search kidney", "search kidney --json"):
        result = _cli(*command.split(), cwd=tmp_path, check=False)
        assert "Traceback" not in result.stderr, result.stderr
        outputs[command] = result.stdout + result.stderr
        if command.endswith("--json"):
            json.loads(result.stdout)  # escaped, still the same JSON
    assert not {command: TERMINAL_COMMANDS.findall(output) for command, output in outputs.items()
                if TERMINAL_COMMANDS.search(output)}
    assert "kidneygnp.po:" in outputs["catalog check"]  # the name, without what reordered it
    assert "evil]0;title.txt: a symbolic link, skipped" in outputs["ingest"]


def test_one_odd_source_is_one_broken_article_and_the_others_are_indexed(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in GOOD.items():
        (sources / name).write_text(text)
    (sources / "rot13.html").write_text('<html><meta charset="rot13"><p>Rickets softens the bones.</p></html>')
    (sources / os.fsdecode(b"caf\xe9.txt")).write_text("Cafe\n\nCoffee and the kidneys.\n")
    (sources / "line\nbreak.txt").write_text("Break\n\nA newline in a file name.\n")
    (sources / "bomb.md").write_text("---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n---\n\nText.\n")
    (sources / "twice.md").write_text("# Twice\n\nOnce in Markdown.\n")
    (sources / "twice.html").write_text("<p>Once in HTML.</p>")
    assert _cli("catalog", "init", "ar", cwd=tmp_path, check=False).returncode == 1  # the same four errors
    result = _cli("ingest", cwd=tmp_path, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: sources/bomb.md:3: broken front matter: an alias (*name), which front matter does not allow "
        "(fix the YAML between the --- lines, or remove it)",
        "error: sources/caf\ufffd.txt: file name is not valid UTF-8 "
        "(rename it: its name becomes the article id, which catalogues record)",
        "error: sources/line\\nbreak.txt: file name has a line break or another control character "
        "(rename it: its name becomes the article id, which catalogues record)",
        "error: sources/twice.html: 2 sources for article 'twice': twice.html, twice.md "
        "(rename or remove all but one of them)",
    ]
    assert "WARNING: sources/rot13.html: the declared charset 'rot13' is not a text encoding" in result.stderr
    assert result.stdout.startswith("4 added, 0 changed, 0 unchanged, 0 removed, 4 failed")
    found = {hit["article"] for query in ("gallbladder", "red blood cells", "dialysis", "rickets bones")
             for hit in json.loads(_cli("search", query, "--json", cwd=tmp_path).stdout)["hits"]}
    assert found == {"good-text", "good-page", "good-notes", "rot13"}
    templates = sorted(path.name for path in (tmp_path / "locales" / "templates").iterdir())
    assert templates == ["good-notes.pot", "good-page.pot", "good-text.pot", "rot13.pot"]


def test_an_article_indexed_once_stays_indexed_while_a_second_file_claims_its_id(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "twice.md").write_text("# Twice\n\nGallstones in Markdown.\n")
    _cli("ingest", cwd=tmp_path)
    (sources / "twice.html").write_text("<p>Gallstones in HTML.</p>")
    result = _cli("ingest", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "2 sources for article 'twice'" in result.stderr
    assert result.stdout.startswith("0 added, 0 changed, 0 unchanged, 0 removed, 1 failed")
    hits = json.loads(_cli("search", "gallstones", "--json", cwd=tmp_path).stdout)["hits"]
    assert [hit["article"] for hit in hits] == ["twice"]  # the last good version


# A write of a catalogue stopped between writing its temporary file and renaming it, and told
# so by a file `stopped`: what `kill -9` leaves.
_STOPPED_WRITE = """
import os, signal, sys
from pathlib import Path
from pipeline.files import write_file

def stopped(*args):
    Path("stopped").touch()
    while True:
        signal.pause()

os.replace = stopped
write_file(Path(sys.argv[1]), b"half-written")
"""


def _stopped_write(tmp_path: Path, target: Path) -> subprocess.Popen:
    writer = subprocess.Popen([sys.executable, "-c", _STOPPED_WRITE, str(target)], cwd=tmp_path)
    deadline = time.monotonic() + 120  # only against a hang
    while not (tmp_path / "stopped").exists():
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    (tmp_path / "stopped").unlink()
    return writer


@pytest.mark.slow
@pytest.mark.parametrize("command", [["ingest"], ["catalog", "update"]])
def test_the_next_run_removes_what_a_killed_write_left(tmp_path, command):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text(GOOD["good-text.txt"])
    _cli("catalog", "init", "ar", cwd=tmp_path)
    catalogue = tmp_path / "locales" / "ar" / "LC_MESSAGES" / "a.po"
    before = catalogue.read_bytes()
    writer = _stopped_write(tmp_path, catalogue)
    writer.kill()
    writer.wait()
    left = list(catalogue.parent.glob(".a.po.*.tmp"))
    assert len(left) == 1
    _cli(*command, cwd=tmp_path)
    assert not left[0].exists() and catalogue.read_bytes() == before


@pytest.mark.slow
def test_a_write_still_going_on_keeps_its_temporary_file(tmp_path):
    (tmp_path / "locales").mkdir()
    target = tmp_path / "locales" / "a.po"
    writer = _stopped_write(tmp_path, target)
    try:
        assert remove_stale_temporaries(tmp_path / "locales") == []
        assert len(list(target.parent.glob(".a.po.*.tmp"))) == 1
    finally:
        writer.kill()
        writer.wait()
    assert len(remove_stale_temporaries(tmp_path / "locales")) == 1
