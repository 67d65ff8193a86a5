"""Plural-Forms headers: the formula a new catalogue gets, and whether a file's formula gives its
language's plural forms.

GNU gettext (msginit), Poedit and Weblate write their own formulas (French `nplurals=2;
plural=(n > 1);`), and CLDR, which Babel follows, may count more forms (French has a form for
millions). A formula is right for a language when it sorts the numbers 0 to 1000 into forms as
CLDR's rule does (msgfmt evaluates formulas over the same range); its text and form numbers may
differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# GNU gettext's table of plural formulas (gettext-tools/src/plural-table.c), used for a new
# catalogue when it agrees with CLDR (Babel) on the numbers 0 to 1000.
GNU_PLURAL_FORMS = {
    "ja": "nplurals=1; plural=0;", "vi": "nplurals=1; plural=0;", "ko": "nplurals=1; plural=0;",
    **dict.fromkeys(("en", "de", "nl", "sv", "da", "no", "nb", "nn", "fo", "es", "pt", "it", "bg", "el",
                     "fi", "et", "he", "eo", "hu", "tr", "ca"), "nplurals=2; plural=(n != 1);"),
    "pt_BR": "nplurals=2; plural=(n > 1);", "fr": "nplurals=2; plural=(n > 1);",
    "lv": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);",
    "ga": "nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;",
    "ro": "nplurals=3; plural=n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2;",
    "lt": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2);",
    **dict.fromkeys(("ru", "uk", "be", "sr", "hr"), "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : "
                                                    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"),
    **dict.fromkeys(("cs", "sk"), "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;"),
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "sl": "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);",
}
# msgfmt checks a formula over these numbers.
NUMBERS = range(1001)

_HEADER = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*$", re.S)
_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")


class PluralError(ValueError):
    """A Plural-Forms value that cannot be read, or a formula that does not work."""


def parse_plural_forms(value: str) -> tuple[int, Callable[[int], int]]:
    """nplurals and the formula of a Plural-Forms value (`nplurals=2; plural=(n > 1);`)."""
    match = _HEADER.match(value)
    if not match:
        raise PluralError(f"not `nplurals=N; plural=EXPRESSION;`: {value!r}")
    return int(match.group(1)), _compile(match.group(2))


def plural_forms(locale: str) -> str:
    """The Plural-Forms value for a new catalogue: GNU gettext's formula for the language when it
    gives CLDR's forms, else Babel's (from CLDR)."""
    gnu = GNU_PLURAL_FORMS.get(locale) or GNU_PLURAL_FORMS.get(locale.split("_")[0])
    if gnu and problem(gnu, locale) is None:
        return gnu
    return _babel_forms(locale)


def unreadable(value: str) -> str | None:
    """Why a Plural-Forms value cannot be used (msgfmt would refuse it), or None."""
    try:
        _, formula = parse_plural_forms(value)
        for n in NUMBERS:
            formula(n)
    except PluralError as error:
        return f"Plural-Forms is {error}" if str(error).startswith("not ") else f"Plural-Forms: {error}"
    return None


def problem(value: str, locale: str) -> str | None:
    """What is wrong with a Plural-Forms value for a locale, or None when it gives the locale's forms."""
    reason = unreadable(value)
    if reason is not None:
        return reason
    nplurals, formula = parse_plural_forms(value)
    forms = [formula(n) for n in NUMBERS]
    too_large = next((n for n, form in zip(NUMBERS, forms) if form >= nplurals), None)
    if too_large is not None:
        return (f"Plural-Forms gives form {forms[too_large]} for n={too_large}, "
                f"but nplurals={nplurals} (forms 0 to {nplurals - 1})")
    expected = _expected_forms(locale)
    if expected is None:
        return None
    form_first: dict[int, int] = {}
    want_first: dict[int, int] = {}
    for n, form, want in zip(NUMBERS, forms, expected):
        a, b = form_first.setdefault(form, n), want_first.setdefault(want, n)
        if a != b:  # the two ways of sorting the numbers differ first at n
            if expected[a] != want:
                return (f"Plural-Forms does not give {locale}'s plural forms: n={a} and n={n} share a "
                        f"form, but {locale} tells them apart")
            return (f"Plural-Forms does not give {locale}'s plural forms: n={b} and n={n} take "
                    f"different forms, but {locale} has one form for both")
    return None


@lru_cache(maxsize=64)
def _expected_forms(locale: str) -> tuple[int, ...] | None:
    """CLDR's form (Babel's formula) for each of NUMBERS, or None for a locale Babel does not know."""
    try:
        _, formula = parse_plural_forms(_babel_forms(locale))
    except (ValueError, LookupError):
        return None
    return tuple(formula(n) for n in NUMBERS)


def _babel_forms(locale: str) -> str:
    from babel.messages.plurals import get_plural

    plural = get_plural(locale)
    return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"


# --- The formula: C's integer expressions as GNU gettext reads them (n, numbers, ! * / % + - < > <=
# >= == != && || ?: and parentheses).

_BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]
_MAX_TOKENS = 1000


def _compile(text: str) -> Callable[[int], int]:
    tokens = _tokens(text)
    tree, rest = _conditional(tokens, 0)
    if rest != len(tokens):
        raise PluralError(f"unexpected {tokens[rest]!r} in the formula {text!r}")

    def formula(n: int) -> int:
        return _evaluate(tree, n)

    return formula


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise PluralError(f"cannot read the formula {text!r} at {text[position:position + 10]!r}")
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
        if len(tokens) > _MAX_TOKENS:
            raise PluralError("the formula is too long")
    return tokens


def _conditional(tokens: list[str], i: int):
    condition, i = _binary(tokens, i, 0)
    if i < len(tokens) and tokens[i] == "?":
        then, i = _conditional(tokens, i + 1)
        if i >= len(tokens) or tokens[i] != ":":
            raise PluralError("`?` without its `:` in the formula")
        otherwise, i = _conditional(tokens, i + 1)
        return ("?", condition, then, otherwise), i
    return condition, i


def _binary(tokens: list[str], i: int, level: int):
    if level == len(_BINARY):
        return _unary(tokens, i)
    left, i = _binary(tokens, i, level + 1)
    while i < len(tokens) and tokens[i] in _BINARY[level]:
        operator = tokens[i]
        right, i = _binary(tokens, i + 1, level + 1)
        left = (operator, left, right)
    return left, i


def _unary(tokens: list[str], i: int):
    if i >= len(tokens):
        raise PluralError("the formula ends too early")
    token = tokens[i]
    if token == "!":
        operand, i = _unary(tokens, i + 1)
        return ("!", operand), i
    if token == "(":
        inner, i = _conditional(tokens, i + 1)
        if i >= len(tokens) or tokens[i] != ")":
            raise PluralError("a `(` is not closed in the formula")
        return inner, i + 1
    if token == "n":
        return "n", i + 1
    if token.isdigit():
        return int(token), i + 1
    raise PluralError(f"unexpected {token!r} in the formula")


def _evaluate(tree, n: int) -> int:
    if tree == "n":
        return n
    if isinstance(tree, int):
        return tree
    operator = tree[0]
    if operator == "?":
        return _evaluate(tree[2] if _evaluate(tree[1], n) else tree[3], n)
    if operator == "!":
        return int(not _evaluate(tree[1], n))
    if operator == "||":
        return int(bool(_evaluate(tree[1], n)) or bool(_evaluate(tree[2], n)))
    if operator == "&&":
        return int(bool(_evaluate(tree[1], n)) and bool(_evaluate(tree[2], n)))
    left, right = _evaluate(tree[1], n), _evaluate(tree[2], n)
    if operator in ("/", "%") and right == 0:
        raise PluralError(f"the formula divides by zero for n={n}")
    return {
        "==": lambda: int(left == right), "!=": lambda: int(left != right), "<": lambda: int(left < right),
        ">": lambda: int(left > right), "<=": lambda: int(left <= right), ">=": lambda: int(left >= right),
        "+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
        "/": lambda: left // right, "%": lambda: left % right,
    }[operator]()
