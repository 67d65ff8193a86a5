"""Reading sources: discovery, decoding, locale detection, identity."""

from __future__ import annotations

import codecs
import logging
import os

import pytest

from pipeline.errors import SourceError
from pipeline.sources import decode, detect_locale, discover, load_article, read_bytes

ARABIC = "حصى الكلى هي قطع صلبة تتكون في الكلية عندما تتركز الأملاح في البول."


@pytest.mark.parametrize("data", [
    ARABIC.encode("utf-8"),
    codecs.BOM_UTF8 + ARABIC.encode("utf-8"),
    ARABIC.encode("utf-16"),  # with BOM
    ARABIC.encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]),
    ARABIC.encode("windows-1256"),
    ARABIC.encode("iso-8859-6"),
])
def test_decode_utf_and_legacy_arabic_encodings(data):
    assert decode(data, "sources/a.txt") == ARABIC


def test_decode_honours_declared_html_charset():
    page = '<html><head><meta charset="windows-1256"></head><body><p>حصى</p></body></html>'
    assert "حصى" in decode(page.encode("windows-1256"), "sources/a.html")


def test_undecodable_bytes_are_an_error_naming_the_file_and_line():
    with pytest.raises(SourceError) as caught:
        decode(b"line one\nline two \xff\xfe\xfa caf\xe9\n", "sources/bad.txt")
    assert caught.value.path == "sources/bad.txt"
    assert caught.value.line == 2
    assert "UTF-8" in str(caught.value)


@pytest.mark.parametrize("charset", ["rot13", "hex", "base64", "zlib", "unicode_escape", "utf-16", "utf-32",
                                     "cp037", "no-such-charset"])
def test_a_declared_charset_that_cannot_be_the_pages_is_a_warning(charset, caplog):
    page = f'<html><meta charset="{charset}"><p>Kidney stones \\u0041 café</p></html>'
    with caplog.at_level(logging.WARNING, logger="pipeline.sources"):
        assert decode(page.encode("utf-8"), "sources/a.html") == page
    assert [record.getMessage().split(": ")[0] for record in caplog.records] == ["sources/a.html"]
    assert charset in caplog.text and "detecting the encoding instead" in caplog.text


@pytest.mark.parametrize("declared, data", [
    ("iso-8859-1", "<p>Kidney café crème</p>".encode("utf-8")),  # UTF-8 read as Latin-1: cafÃ©
    ("shift_jis", b"<p>Kidney \x80\xff stones</p>"),  # does not read the bytes
    ("iso-8859-5", b"<p>Kidney stones\x85</p>"),  # reads to a control character
])
def test_a_declared_charset_that_misreads_the_bytes_is_a_warning_and_the_bytes_are_read_otherwise(
        declared, data, caplog):
    page = f'<html><meta charset="{declared}">'.encode() + data
    with caplog.at_level(logging.WARNING, logger="pipeline.sources"):
        try:
            text = decode(page, "sources/a.html")
        except SourceError as error:
            assert "not valid UTF-8" in str(error)
        else:
            assert "Kidney café crème" in text
    assert f"sources/a.html: the declared charset {declared!r}" in caplog.text


def test_windows_1252_declared_as_latin_1_reads_as_browsers_read_it():
    page = '<html><meta charset="iso-8859-1"><p>“Kidney” stones</p></html>'
    assert decode(page.encode("cp1252"), "sources/a.html") == page


def test_a_few_stray_bytes_in_utf_8_are_a_warning_naming_the_line(caplog):
    data = (ARABIC + "\n" + ARABIC).encode() + b" \xff\n"
    with caplog.at_level(logging.WARNING, logger="pipeline.sources"):
        assert decode(data, "sources/a.txt") == ARABIC + "\n" + ARABIC + " \ufffd\n"
    assert "sources/a.txt:2: 1 byte is not UTF-8" in caplog.text


def test_stray_bytes_in_english_are_not_read_as_arabic():
    with pytest.raises(SourceError, match="not valid UTF-8"):
        decode(b"Kidney stones\n\nKidney stones are hard \xc7\xe1 deposits in the kidney.\n", "sources/a.txt")


def test_binary_file_is_an_error():
    with pytest.raises(SourceError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", "sources/img.txt")


def test_locale_from_metadata_then_folder_then_script():
    assert detect_locale("en-US", "x", ARABIC, "p") == "en_US"
    assert detect_locale(None, "ar/kidney", "plain English", "p") == "ar"
    assert detect_locale(None, "kidney", ARABIC, "p") == "ar"
    assert detect_locale(None, "kidney", "Kidney stones", "p") == "en"
    assert detect_locale("xx-bogus", "kidney", ARABIC, "p") == "ar"


def test_discover_keeps_case_and_folders_and_skips_symlinks_and_unknown_suffixes(tmp_path):
    sources = tmp_path / "sources"
    (sources / "Urology").mkdir(parents=True)
    (sources / "Urology" / "Kidney-Stones.md").write_text("# K\n\ntext\n")
    (sources / "notes.docx").write_bytes(b"PK")
    (sources / ".hidden.txt").write_text("T\n\nx\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("Secret\n\nnot to be read\n")
    (sources / "link.txt").symlink_to(outside)
    assert [s.article_id for s in discover(sources)] == ["Urology/Kidney-Stones"]


def test_two_files_for_one_article_id_are_one_broken_article(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nx\n")
    (tmp_path / "a.txt").write_text("A\n\nx\n")
    (tmp_path / "b.txt").write_text("B\n\nx\n")
    found = discover(tmp_path)
    assert [(s.article_id, s.problem is None) for s in found] == [("a", False), ("b", True)]
    with pytest.raises(SourceError, match=r"2 sources for article 'a': a\.md, a\.txt \(rename or remove"):
        read_bytes(found[0])


@pytest.mark.parametrize("name, problem, shown", [
    ("line\nbreak.txt", "line break", "line\\nbreak.txt"),
    ("escape\x1b[2J.md", "control character", "escape\\x1b[2J.md"),
    (os.fsdecode(b"caf\xe9.txt"), "not valid UTF-8", "caf\ufffd.txt"),
])
def test_names_that_cannot_be_article_ids_are_broken_articles(tmp_path, name, problem, shown):
    (tmp_path / name).write_text("T\n\nx\n")
    (tmp_path / "good.txt").write_text("G\n\nx\n")
    bad, good = sorted(discover(tmp_path), key=lambda source: source.article_id == "good")
    assert good.problem is None and bad.problem is not None
    with pytest.raises(SourceError, match=problem) as caught:
        read_bytes(bad)
    assert caught.value.path == f"{tmp_path.name}/{shown}"  # readable, and says which file it is


def test_a_skipped_symlink_is_named_in_a_warning(tmp_path, caplog):
    sources = tmp_path / "sources"
    (sources / "real").mkdir(parents=True)
    (sources / "real" / "a.txt").write_text("A\n\nx\n")
    (sources / "linked.txt").symlink_to(sources / "real" / "a.txt")
    (sources / "folder").symlink_to(sources / "real")
    (sources / "notes").symlink_to(sources / "real" / "a.txt")  # not named as an article: not warned about
    with caplog.at_level(logging.WARNING, logger="pipeline.sources"):
        assert [s.article_id for s in discover(sources)] == ["real/a"]
    assert sorted(record.getMessage().split(":")[0] for record in caplog.records) == [
        "sources/folder", "sources/linked.txt"]
    assert all("symbolic link, skipped" in record.getMessage() for record in caplog.records)


def test_load_article_gives_identity_and_hash(project):
    source = next(s for s in discover(project / "sources") if s.article_id == "interventional-radiologist")
    article = load_article(source, project / "sources")
    assert article.id == "interventional-radiologist"
    assert article.locale == "en"
    assert article.path == "sources/interventional-radiologist.txt"
    assert len(article.content_hash) == 64
