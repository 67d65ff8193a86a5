"""Catalogues that are odd, hostile or saved at the wrong moment: a translator's work is never
overwritten, no file msgfmt rejects is written, and one odd catalogue harms nothing else."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import files
from pipeline.catalogue import folder
from pipeline.catalogue.checks import compare
from pipeline.catalogue.folder import MERGE_ATTEMPTS, catalogue_path, update
from pipeline.catalogue.pofile import parse_catalogue, read_catalogue, render
from pipeline.cli import cli
from pipeline.config import Config

from .conftest import NOW

ARTICLE = "Kidney stones\n\nStones form when the urine is concentrated.\n\nDrink water — at least 2 litres.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("sources").mkdir()
    Path("sources/stones.txt").write_text(ARTICLE, encoding="utf-8")
    config = Config(sources=Path("sources"), locales=Path("locales"), index=Path("index"))
    Path("locales/ar/LC_MESSAGES").mkdir(parents=True)
    update(config, NOW)
    return config


def po(config: Config, locale: str = "ar") -> Path:
    return catalogue_path(config.locales, locale, "stones")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def translate(path: Path, msgid: str, msgstr: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert f'msgid "{msgid}"\nmsgstr ""' in text
    path.write_text(text.replace(f'msgid "{msgid}"\nmsgstr ""', f'msgid "{msgid}"\nmsgstr "{msgstr}"'),
                    encoding="utf-8")


def edit_source(old: str, new: str) -> None:
    path = Path("sources/stones.txt")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


# --- A translator's save during a merge (issue: a save could be lost) -----------------------------

SAVED = "تتكون الحصى عندما يكون البول مركّزًا."


def test_a_save_while_the_catalogue_is_merged_is_merged_again_not_lost(project, monkeypatch):
    real_merge = folder.merge
    saves = []

    def merge_while_the_translator_saves(catalogue, template, memory=None):
        if not saves:  # the translator's tool saves the file once, in the middle of the merge
            translate(po(project), "Stones form when the urine is concentrated.", SAVED)
            saves.append(po(project).read_bytes())
        return real_merge(catalogue, template, memory)

    monkeypatch.setattr(folder, "merge", merge_while_the_translator_saves)
    edit_source("at least 2 litres", "at least 3 litres")
    report = update(project, NOW)
    assert report.errors == [] and po(project) in report.updated
    catalogue = read_catalogue(po(project))
    assert catalogue.get("Stones form when the urine is concentrated.").string == SAVED  # the save is kept
    assert catalogue.get("Drink water — at least 3 litres.") is not None  # and the merge is done


def test_a_save_right_before_the_file_is_replaced_is_not_overwritten(project, monkeypatch):
    real_check = files.still_as_read
    saves = []

    def save_then_check(path, expected):
        if path == po(project) and not saves:  # the last moment before the rename
            translate(path, "Stones form when the urine is concentrated.", SAVED)
            saves.append(path)
        real_check(path, expected)

    monkeypatch.setattr(files, "still_as_read", save_then_check)
    edit_source("at least 2 litres", "at least 3 litres")
    report = update(project, NOW)
    assert report.errors == [] and saves
    catalogue = read_catalogue(po(project))
    assert catalogue.get("Stones form when the urine is concentrated.").string == SAVED
    assert catalogue.get("Drink water — at least 3 litres.") is not None
    assert not list(po(project).parent.glob(".*.tmp"))  # no temporary file left behind


def test_a_file_saved_at_every_attempt_is_left_as_saved_and_named(project, monkeypatch):
    real_check = files.still_as_read
    versions = []

    def always_saving(path, expected):
        if path == po(project):
            versions.append(f"# save {len(versions)}\n")
            path.write_text(versions[-1] + path.read_text(encoding="utf-8"), encoding="utf-8")
        real_check(path, expected)

    monkeypatch.setattr(files, "still_as_read", always_saving)
    edit_source("at least 2 litres", "at least 3 litres")
    report = update(project, NOW)
    assert len(versions) == MERGE_ATTEMPTS
    assert [str(e) for e in report.errors] == [
        f"{po(project)}: was saved again each of {MERGE_ATTEMPTS} times it was merged; left as saved "
        "(run the command again once the translator's tool has saved it)"]
    assert po(project).read_text(encoding="utf-8").startswith(versions[-1])  # the last save is there


# --- Charsets other than UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize("charset, encoding", [("ISO-8859-1", "latin-1"), ("ASCII", "ascii")])
def test_a_catalogue_whose_charset_cannot_hold_the_new_text_becomes_utf8_saying_so(project, charset, encoding,
                                                                                msgfmt, caplog):
    Path("sources/stones.txt").write_text(ARTICLE.replace(" — ", ", "), encoding="utf-8")
    update(project, NOW)
    text = po(project).read_text(encoding="utf-8").replace("charset=utf-8", f"charset={charset}")
    if encoding == "latin-1":
        text = text.replace('msgid "Kidney stones"\nmsgstr ""', 'msgid "Kidney stones"\nmsgstr "Calculs rénaux"')
    po(project).write_bytes(text.encode(encoding))
    msgfmt(po(project))
    edit_source("Drink water, at least", "Drink water — at least")  # "—" is in neither charset
    with caplog.at_level(logging.WARNING):
        report = update(project, NOW)
    assert report.errors == []
    assert f"{po(project)}: converted from {charset} to UTF-8: {charset} cannot hold “—”" in caplog.text
    data = po(project).read_bytes()
    assert b'"Content-Type: text/plain; charset=UTF-8\\n"' in data and "Drink water — at least".encode() in data
    msgfmt(po(project))
    assert update(project, NOW).stale == []  # nothing left to convert


def test_a_catalogue_whose_charset_holds_the_new_text_keeps_it(project, msgfmt):
    text = po(project).read_text(encoding="utf-8").replace("charset=utf-8", "charset=CP1256")
    po(project).write_bytes(text.encode("cp1256"))
    translate_bytes = po(project).read_bytes().replace(
        b'msgid "Kidney stones"\nmsgstr ""', 'msgid "Kidney stones"\nmsgstr "حصى الكلى"'.encode("cp1256"))
    po(project).write_bytes(translate_bytes)
    edit_source("Stones form", "Most stones form")
    update(project, NOW)
    data = po(project).read_bytes()
    assert b"charset=CP1256" in data and "حصى الكلى".encode("cp1256") in data
    msgfmt(po(project))


# --- Characters msgfmt accepts, and files that are not files -------------------------------------


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0c", "\x1c"])
def test_a_line_separator_inside_a_msgstr_is_text_as_msgfmt_reads_it(project, char, msgfmt):
    text = po(project).read_text(encoding="utf-8")
    po(project).write_text(text.replace('msgid "Kidney stones"\nmsgstr ""',
                                        f'msgid "Kidney stones"\nmsgstr "حصى{char}الكلى"'), encoding="utf-8")
    msgfmt(po(project))
    assert read_catalogue(po(project)).get("Kidney stones").string == f"حصى{char}الكلى"
    assert run("catalog", "check").output == "0 errors, 0 warnings in 1 catalogues\n"
    edit_source("Stones form", "Most stones form")  # the file is merged and written again
    assert update(project, NOW).errors == []
    assert read_catalogue(po(project)).get("Kidney stones").string == f"حصى{char}الكلى"
    msgfmt(po(project))


def test_a_catalogue_that_is_a_fifo_is_named_and_hangs_nothing(project):
    po(project).unlink()
    os.mkfifo(po(project))
    result = run("ingest")
    assert result.exit_code == 1
    assert f"error: {po(project)}: is not a regular file (replace it with a PO file)" in result.output
    assert "1 added, 0 changed, 0 unchanged, 0 removed, 1 failed" in result.output
    assert "(en 1)" in result.output  # the article's English section is indexed all the same
    for command in (["catalog", "check"], ["catalog", "stats"], ["catalog", "update"]):
        output = run(*command).output
        assert f"{po(project)}" in output and "is not a regular file" in output, command
    assert stat_is_fifo(po(project))


def stat_is_fifo(path: Path) -> bool:
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


def test_a_catalogue_that_cannot_be_read_keeps_the_source_documents(project):
    run("ingest")
    po(project).unlink()
    po(project).mkdir()  # something that cannot be read as a file, even by root
    edit_source("Stones form", "Most stones form")
    result = run("ingest")
    assert result.exit_code == 1
    assert "0 added, 1 changed" in result.output and "(en 1)" in result.output
    hits = run("search", "most stones form", "--json").output
    assert '"locale": "en"' in hits


def test_a_catalogue_whose_bytes_cannot_be_read_is_named_by_prune_and_pretranslate(project, monkeypatch):
    from pipeline.catalogue import pofile

    class FailingFile:  # what a failing disk gives: the file opens, its bytes do not come
        def __init__(self, descriptor, mode):
            os.close(descriptor)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(pofile.os, "fdopen", FailingFile)
    for command in (["catalog", "prune", "--dry-run"], ["catalog", "pretranslate", "--locale", "ar", "--dry-run"]):
        result = run(*command)
        assert result.exit_code == 1, command
        assert f"{po(project)}: cannot read file: Input/output error" in result.output, command


# --- Links ---------------------------------------------------------------------------------------


def test_a_catalogue_that_is_a_link_is_named_never_read_through_nor_replaced(project, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("root:x:0:0:secret first line\n", encoding="utf-8")
    po(project).unlink()
    po(project).symlink_to(secret)
    edit_source("Stones form", "Most stones form")
    for command in (["ingest"], ["catalog", "update"], ["catalog", "check"], ["catalog", "stats"],
                    ["catalog", "compile"]):
        result = run(*command)
        assert result.exit_code == 1, command
        assert f"{po(project)}" in result.output, command
        assert "is a symbolic link; catalogues are not read through links" in result.output, command
        assert "secret" not in result.output, command
    assert po(project).is_symlink() and secret.read_text(encoding="utf-8") == "root:x:0:0:secret first line\n"


def test_a_locale_folder_that_is_a_link_is_skipped_with_a_warning(project, tmp_path, caplog):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "LC_MESSAGES").mkdir(parents=True)
    Path("locales/fr").symlink_to(elsewhere, target_is_directory=True)
    with caplog.at_level(logging.WARNING):
        result = run("catalog", "update")
    assert result.exit_code == 0
    assert not list((elsewhere / "LC_MESSAGES").iterdir())  # nothing written through the link
    assert "locales/fr: a link; catalogues are not read through links, so it is skipped" in caplog.text


# --- Sizes ---------------------------------------------------------------------------------------


def test_check_reads_a_huge_token_and_a_huge_msgstr_in_linear_steps():
    # Tried from every character, the address pattern took minutes on these (quadratic).
    token = "a" * 80_000
    assert compare(token, token, "ar") == [("identical", "the translation is the same as the source text")]
    assert compare(token + "@x", token + "@x.org", "ar")[0][0] == "urls"
    big = "كلمة " * 200_000
    header = 'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    catalogue = parse_catalogue((header + f'msgid "Word."\nmsgstr "{big}."\n').encode(), "big.po")
    assert catalogue.get("Word.").string == big + "."
    catalogue.get("Word.").string = big + "!"
    assert render(catalogue).count(b"\n") > 10_000  # written anew, wrapped as gettext writes it
