"""Word lists kept as data (`pipeline/data/words/*.txt`): stop words, request words, protected words.

A list file holds words separated by spaces and line breaks; `#` starts a comment line that says
why a word is in the list or left out of it.
"""

from __future__ import annotations

from importlib import resources


def read_words(name: str) -> frozenset[str]:
    """The words of the list `pipeline/data/words/<name>.txt`."""
    text = resources.files("pipeline").joinpath("data", "words", f"{name}.txt").read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


EN_STOP_WORDS = read_words("en-stop")
