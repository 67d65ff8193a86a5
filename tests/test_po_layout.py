"""PO files in GNU gettext's layout: written byte for byte as msgcat writes them, and entries that
did not change kept as they were, whatever tool wrote them."""

from __future__ import annotations

import ctypes
import ctypes.util
import difflib
import json
import random
from datetime import datetime, timezone
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogue import linebreak, linebreak_data
from pipeline.catalogue.layout import reference_lines, string_lines
from pipeline.catalogue.merge import new_catalogue
from pipeline.catalogue.pofile import parse_catalogue, render

from .gettext_tools import msgcat, msgmerge_update, needs_gettext

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)

# Pieces of text that exercise GNU gettext's wrapping: words of both scripts, combining marks,
# punctuation that breaks before or after, escapes, line separators, long unbreakable tokens.
PIECES = ["kidney", "stones", "the", "a", "well-known", "and/or", "5", "mg/kg", "2.5", "1,000", "%", "50%",
          "(CT)", "[x]", "{y}", "<b>", "</b>", "“quoted”", "«قول»", '"', "'", "\\", "\t", "\n", "\r", "\f",
          "—", "–", "…", "؟", "،", "؛", "٪", "حصى", "الكلى", "مركزًا", "تخصّص", "٢٫٥", "ـ", "\u200f",
          "\u200c", "\u00a0", "\u2028", "\u0085", "é", "x" * 30, "y" * 90, "https://example.org/a/b?c=d",
          "doctor.", "e.g.", "U.S.", "$5", "3:30", "°C", "≤", "§", "→", "漢字", "한국", "😀", " ", "  "]
text = st.lists(st.sampled_from(PIECES), max_size=40).map(lambda pieces: " ".join(pieces))
wide_text = st.lists(st.sampled_from(PIECES), max_size=25).map("".join) | text


def catalogue_with(messages: list[Message], obsolete: list[Message]) -> Catalog:
    catalogue = new_catalogue(Catalog(), "ar", NOW)
    for message in messages:
        catalogue[message.id] = message
    for message in obsolete:
        catalogue.obsolete[message.id if message.context is None else (message.id, message.context)] = message
    return catalogue


@st.composite
def messages(draw, count: int = 6) -> list[Message]:
    found, seen = [], set()
    for _ in range(draw(st.integers(1, count))):
        msgid = draw(wide_text.filter(bool))
        context = draw(st.none() | st.sampled_from(["lead", "causes:2", "a context that is long enough " * 3]))
        if (msgid, context) in seen:
            continue
        seen.add((msgid, context))
        plural = draw(st.booleans()) and draw(st.booleans())
        translation = draw(wide_text)
        message = Message(
            (msgid, msgid + " (plural)") if plural else msgid,
            tuple([translation] * 6) if plural else translation,
            locations=draw(st.lists(st.tuples(st.sampled_from(["sources/a.txt", "sources/deep/folder/b.md"]),
                                              st.integers(1, 99999)), max_size=12)),
            auto_comments=draw(st.lists(st.sampled_from(["lead", "what-does-it-do", "تعليق"]), max_size=2)),
            user_comments=draw(st.lists(st.sampled_from(["checked", "تمت المراجعة", "see Dr. Haddad"]), max_size=2)),
            context=context)
        message.flags = {"fuzzy"} if draw(st.booleans()) else set()
        if draw(st.booleans()):
            message.previous_id = [draw(wide_text)]
            if draw(st.booleans()):
                message.previous_context = "old context"
        found.append(message)
    return found


@needs_gettext
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages(), messages(3))
def test_every_entry_is_written_as_msgcat_writes_it(tmp_path_factory, live, gone):
    gone_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in live}
    gone = [m for m in gone if (m.id if isinstance(m.id, str) else m.id[0]) not in gone_ids and isinstance(m.id, str)]
    for message in gone:
        message.locations, message.auto_comments = [], []
    path = tmp_path_factory.mktemp("po") / "a.po"
    path.write_bytes(render(catalogue_with(live, gone)))
    assert msgcat(path).decode("utf-8") == path.read_text(encoding="utf-8")


@needs_gettext
@pytest.mark.parametrize("width", [79, 0])
def test_the_bundled_catalogues_are_written_as_msgcat_writes_them(tmp_path, width):
    from .conftest import LOCALES

    for source in sorted(LOCALES.rglob("*.po*")):
        catalogue = parse_catalogue(source.read_bytes(), source)
        catalogue.originals = {}  # write every entry anew
        path = tmp_path / source.name
        path.write_bytes(render(catalogue))
        assert msgcat(path) == path.read_bytes()


def test_long_references_fill_lines_as_gettext_does():
    locations = [("sources/interventional-radiologist.txt", n) for n in (1, 22, 333, 4444, 55555)]
    assert reference_lines(locations) == [
        "#: sources/interventional-radiologist.txt:1",
        "#: sources/interventional-radiologist.txt:22",
        "#: sources/interventional-radiologist.txt:333",
        "#: sources/interventional-radiologist.txt:4444",
        "#: sources/interventional-radiologist.txt:55555"]
    assert reference_lines([("a.txt", n) for n in range(1, 14)]) == [
        "#: a.txt:1 a.txt:2 a.txt:3 a.txt:4 a.txt:5 a.txt:6 a.txt:7 a.txt:8 a.txt:9",  # a tenth would pass 79
        "#: a.txt:10 a.txt:11 a.txt:12 a.txt:13"]


def test_a_string_that_does_not_fit_starts_with_an_empty_line_and_breaks_after_spaces():
    text = ("Fluoroscopy is one of the most common techniques used by interventional radiologists; "
            "it shows moving images.")
    assert string_lines("msgid", text) == [
        'msgid ""',
        '"Fluoroscopy is one of the most common techniques used by interventional "',
        '"radiologists; it shows moving images."']
    assert string_lines("msgid", "Short.") == ['msgid "Short."']
    assert string_lines("msgstr", "one\ntwo") == ['msgstr ""', '"one\\n"', '"two"']
    assert string_lines("msgid", text, "#~ ")[1] == '#~ "Fluoroscopy is one of the most common techniques used by interventional "'


def test_combining_marks_take_no_column_and_wide_characters_two():
    assert linebreak.column_width("\u0651") == 0  # Arabic shadda
    assert linebreak.column_width("漢") == 2
    assert linebreak.column_width("a") == 1


def _libunistring():
    name = ctypes.util.find_library("unistring")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    lib.u8_possible_linebreaks.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p]
    return lib


@pytest.mark.skipif(_libunistring() is None, reason="GNU libunistring is not installed (GNU gettext brings it)")
def test_break_opportunities_are_libunistrings():
    lib = _libunistring()
    alphabet = [chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000] + list("  ــً") + \
        ["\U0001f1e6", "\U0001f3fb", "\u200d", "\u200b", "\u3008", "\uac00", "\u05d0"]
    rng = random.Random(14)
    for _ in range(3000):
        sample = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        data = sample.encode("utf-8")
        out = ctypes.create_string_buffer(len(data))
        lib.u8_possible_linebreaks(data, len(data), b"UTF-8", out)
        theirs, offset = [], 0
        for char in sample:
            # libunistring's values: 1 prohibited, 2 possible, 3 mandatory.
            theirs.append(out.raw[offset] - 1)
            offset += len(char.encode("utf-8"))
        assert linebreak.possible_breaks(sample) == theirs, repr(sample)


# --- Breaks found a line at a time are the reference's ------------------------------------------

def reference_breaks(text: str, width: int, start: int = 0, prohibited=()) -> list[int]:
    """Where width_breaks, which follows libunistring a character at a time, starts lines."""
    return [i for i, brk in enumerate(linebreak.width_breaks(text, width, start, prohibited)) if brk]


def one_of_each_kind() -> list[str]:
    """A character of every line break class and column width (the last of each, where stand-ins
    are the first)."""
    starts = {int(item.split(":")[0], 16) for runs in (linebreak_data.CLASS_RUNS, linebreak_data.WIDTH_RUNS)
              for item in runs.split()}
    kinds = {(linebreak.break_class(chr(code)), linebreak.column_width(chr(code))): chr(code) for code in sorted(starts)}
    return sorted(kinds.values())


ASCII = [chr(code) for code in range(128)]


def test_every_ascii_pair_breaks_as_the_pair_table_says():
    # Whether a line may start at a character depends only on its class, the class of the last
    # character before it that is not a space (nor a combining mark) and whether a space comes
    # between: these texts are every case ASCII has. At width 0 each opportunity starts a line.
    for a in ASCII:
        for b in ASCII:
            for between in ("", " ", "  ", "\u0651", "\u0651 ", "\x01 "):
                text = a + between + b
                assert list(linebreak.line_breaks(text, 0)) == reference_breaks(text, 0), repr(text)
                if text.isprintable():
                    chances = linebreak.possible_breaks(text)
                    assert list(linebreak.line_breaks(text, 0)) == [i for i, c in enumerate(chances) if c]


def test_every_class_and_width_pair_breaks_as_the_reference():
    kinds = one_of_each_kind()
    for a in kinds:
        for b in kinds:
            for between in ("", " ", "\u0301 "):
                text = "x" + a + between + b + "x"
                for width in (0, 1, 2):
                    assert list(linebreak.line_breaks(text, width)) == reference_breaks(text, width), repr(text)


# Real and made-up text: prose, Arabic with and without its marks, numbers, quotes, URLs, hyphens,
# escapes as they are written in a PO file, format directives, very long words, and characters the
# fast path leaves to the reference (line separators, joiners, Hebrew, flags, wide characters).
WORDS = PIECES + [
    "Fluoroscopy", "interventional", "radiologist's", "(MRI)", "X-ray", "follow-up", "non-steroidal",
    "mg/dL", "10-15", "1.5-2", "3/4", "-5", "+5", "$1,000.00", "#1", "&", "@home", "a|b", "50%.", "!", "?!",
    "www.nhs.uk/conditions/kidney-stones/", "https://example.org/a_b/c-d.html?x=1&y=2#top", "e-mail",
    "\\n", '\\"', "\\\\", "\\t", "%(name)s", "%(dose)5.2f", "%d", "%s%%", "{0}", "{count}",
    "يُسبب", "خوفًا", "الكُلى", "مَرض", "٣٫٥", "(٢٠٢٠)", "«الكلى»", "١٠٪", "؟!", " \u0651", "\u0651",
    "z" * 120, "ـــ", "\u00ad", "co\u00adoperate", "\u2060", "\u2014", "—word—", "\u2026", "\u3000", "\u2029",
    "\u200d\U0001f469", "\U0001f1eb\U0001f1f7", "עברית-", "\u05d0-\u05d1", "中文", "\x01", "\x7f", "\u180e"]
long_text = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join) | \
    st.lists(st.sampled_from(WORDS + [" ", "  "]), max_size=60).map("".join) | \
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=1000, deadline=None)
@given(long_text, st.integers(0, 90), st.integers(0, 30), st.data())
def test_breaks_found_a_line_at_a_time_are_the_references(text, width, start, data):
    prohibited = data.draw(st.sets(st.integers(0, max(len(text) - 1, 0)), max_size=8) if text else st.just(set()))
    assert list(linebreak.line_breaks(text, width, start, prohibited)) == \
        reference_breaks(text, width, start, prohibited)


def test_real_catalogues_break_as_the_reference():
    from .conftest import FIXTURES, LOCALES, SOURCES

    texts = [line for path in sorted(SOURCES.iterdir()) for line in path.read_text(encoding="utf-8").splitlines()]
    for path in sorted(LOCALES.rglob("*.po*")):
        for message in parse_catalogue(path.read_bytes(), path):
            texts += [text for text in (message.id, message.string) if isinstance(text, str)]
    for path in sorted((FIXTURES / "relevance").glob("*.jsonl")):
        texts += [value for line in path.read_text(encoding="utf-8").splitlines()
                  for value in json.loads(line).values() if isinstance(value, str)]
    assert any("\u064b" in text for text in texts)  # Arabic with its marks is among them
    for text in texts:
        for width in (76, 70, 40, 12):
            for start in (0, 6):
                assert list(linebreak.line_breaks(text, width, start)) == reference_breaks(text, width, start), \
                    repr(text)


DIRECTIVES = ["%(name)s", "%(dose)5.2f", "%(count)d%%", "%d", "%s", "%-10s", "%.3f", "%%", "100%", "%(a b)s",
              "%*d", "%.*f", "%(x)*d", "%(unclosed", "%5", "%(x)z"]


@needs_gettext
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES + DIRECTIVES * 3), min_size=1, max_size=40).map(" ".join)
       | st.lists(st.sampled_from(PIECES + DIRECTIVES * 3), min_size=1, max_size=30).map("".join))
def test_python_format_directives_stay_whole_as_msgcat_keeps_them(tmp_path_factory, msgid):
    message = Message(msgid, msgid, flags={"python-format"})
    path = tmp_path_factory.mktemp("po") / "a.po"
    path.write_bytes(render(catalogue_with([message], [])))
    assert msgcat(path).decode("utf-8") == path.read_text(encoding="utf-8")


# --- Only what changed is touched ---------------------------------------------------------------

SEED = Path("sources/interventional-radiologist.txt")
SEED_PO = Path("locales/ar/LC_MESSAGES/interventional-radiologist.po")
SEED_POT = Path("locales/templates/interventional-radiologist.pot")


def save(path: Path, tool: str) -> None:
    """Save a catalogue as a translator's tool would, changing nothing in it."""
    if tool == "translate-toolkit":
        from translate.storage import pypo

        store = pypo.pofile.parsefile(str(path))
        for unit in store.units:
            unit.target = unit.target  # touched: written again in the toolkit's own layout
        path.write_bytes(bytes(store))
    else:
        path.write_bytes(msgcat(path, *tool.split()[1:]))


def changed_lines(before: str, after: str) -> int:
    """Lines added or removed, as a diff counts them."""
    return sum(1 for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("+ ", "- "))


@needs_gettext
@pytest.mark.parametrize("tool", ["msgcat -w 79", "msgcat --no-wrap", "translate-toolkit"])
def test_a_one_word_edit_changes_no_more_lines_than_msgmerge_after_any_tool_saved_the_file(seeded, tool):
    from pipeline.catalogue.folder import update
    from pipeline.config import Config

    save(SEED_PO, tool)
    saved = SEED_PO.read_text(encoding="utf-8")
    config = Config(sources=Path("sources"), locales=Path("locales"))
    assert update(config).stale == []  # the tool's save alone: nothing to write
    assert SEED_PO.read_text(encoding="utf-8") == saved
    SEED.write_text(SEED.read_text(encoding="utf-8").replace("usually followed up", "normally followed up"),
                    encoding="utf-8")
    update(config)
    ours = changed_lines(saved, SEED_PO.read_text(encoding="utf-8"))
    theirs_path = SEED_PO.with_name("msgmerge.po")
    theirs_path.write_text(saved, encoding="utf-8")
    msgmerge_update(theirs_path, SEED_POT)
    theirs = changed_lines(saved, theirs_path.read_text(encoding="utf-8"))
    # The figures, reported in the translators' guide: lines changed by us / by msgmerge --previous.
    print(f"\n{tool}: ours {ours}, msgmerge --previous {theirs}")
    assert 0 < ours <= theirs, f"{tool}: {ours} lines changed, msgmerge {theirs}"


@needs_gettext
def test_an_entry_that_changed_is_written_in_gnu_layout_and_the_others_as_they_were(seeded):
    from pipeline.catalogue.folder import update
    from pipeline.config import Config

    save(SEED_PO, "msgcat --no-wrap")
    saved = SEED_PO.read_text(encoding="utf-8").split("\n\n")
    SEED.write_text(SEED.read_text(encoding="utf-8").replace("usually followed up", "normally followed up"),
                    encoding="utf-8")
    update(Config(sources=Path("sources"), locales=Path("locales")))
    now = SEED_PO.read_text(encoding="utf-8").split("\n\n")
    changed = [(old, new) for old, new in zip(saved, now) if old != new]
    assert len(saved) == len(now) and len(changed) == 2  # the header's POT-Creation-Date, and the entry
    assert "POT-Creation-Date" in changed[0][1]
    edited = changed[1][1]
    assert "#, fuzzy\n#| msgid \"\"\n#| \"Once the radiological intervention is complete" in edited
    assert all(len(line) <= 79 for line in edited.splitlines())  # GNU layout where it changed
    assert any(len(line) > 79 for block in now for line in block.splitlines())  # --no-wrap elsewhere
