"""Every text a person reads is in the catalogue, and the catalogue is complete in Dutch.

Two ways a text can slip through: it is marked but has no Dutch (the catalogue checks), or it
is not marked at all (the template checks: visible text outside {% trans %} and `_()`).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import nodes

from hub.kit.i18n import LOCALE_DIR, environment

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po"
POT = LOCALE_DIR / "messages.pot"
TEMPLATES = sorted(
    p
    for pattern in ("hub/**/templates/**/*.html", "hub/**/templates/**/*.j2")
    for p in ROOT.glob(pattern)
)
# What may stand outside the tags: the product's name. Anything else with a letter in it is
# a text someone reads, and needs a translation.
ALLOWED = ("Barrier Hub",)
# Attributes that a screen reader speaks or a pointer shows.
SPOKEN_ATTRIBUTES = {"title", "aria-label", "aria-description", "placeholder", "alt", "label"}
LETTER = re.compile(r"[^\W\d_]")
FORMAT_SPEC = re.compile(r"^%[-+ #0]*\d*(?:\.\d+)?[a-zA-Z]$")


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    from babel.messages import frontend

    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (ROOT / "babel.cfg").open() as config:
        return parse(config)


def extracted() -> set[str]:
    """The message ids babel.cfg extracts (a plural by its singular, as a catalogue keys it)."""
    method_map, options_map = _mapping()
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale="nl" if path.suffix == ".po" else None)


def test_extraction_finds_the_texts_of_templates_and_python() -> None:
    ids = extracted()
    assert "Skip to main content" in ids  # base.html, {% trans %}
    assert "Linking rules" in ids  # base.html, _() in an expression
    assert "Not found" in ids  # hub/errors.py, N_()
    assert len(ids) > 300


def test_every_text_has_a_dutch_translation() -> None:
    ids = extracted()
    catalogue = _read(PO)
    in_po = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    missing = sorted(ids - in_po)
    assert not missing, f"not in {PO.name} (run pybabel update, then translate): {missing}"
    stale = sorted(in_po - ids)
    assert not stale, f"in {PO.name} but no longer in the hub: {stale}"
    assert not catalogue.obsolete, f"obsolete entries in {PO.name}: {list(catalogue.obsolete)}"
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    assert not untranslated, f"no Dutch (or fuzzy) in {PO.name}: {untranslated}"
    # Babel's own checks, as `pybabel compile` and the build make them (placeholders).
    problems = [(m.id, str(e)) for m, errors in catalogue.check() for e in errors]
    assert not problems, problems


def test_the_template_catalogue_is_current() -> None:
    pot = _read(POT)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id} == extracted()


def test_the_catalogue_keeps_the_placeholders() -> None:
    """A translation names the same {placeholders} and %(variables)s as its English."""
    pattern = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]")
    for message in _read(PO):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(set(pattern.findall(ids[-1])))
        for string in strings:
            assert sorted(set(pattern.findall(string))) == wanted, (message.id, string)


# --- texts outside the tags ----------------------------------------------------------------


class _Text(HTMLParser):
    """The text and spoken attributes of a template's markup, away from <style> and <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in SPOKEN_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data)

    def _check(self, text: str) -> None:
        for allowed in ALLOWED:
            text = text.replace(allowed, "")
        letter = LETTER.search(text)
        if letter:
            line = self.getpos()[0] + text[: letter.start()].count("\n")
            self.found.append((line, " ".join(text.split())))


def skeleton(source: str) -> str:
    """The template's markup with each {{ expression }} and {% trans %} block as "§" and other
    tags left out, on the lines they came from."""
    env = environment(ROOT)
    tokens = [t for t in env.lex(source) if t[1] != "whitespace"]
    out: list[str] = []
    in_trans = False
    i = 0
    while i < len(tokens):
        line, kind, value = tokens[i]
        if kind == "data":
            if not in_trans:
                out.append("\n" * (line - 1 - "".join(out).count("\n")))
                out.append(value)
            i += 1
            continue
        if kind in ("variable_begin", "block_begin", "comment_begin"):
            end = {"variable_begin": "variable_end", "block_begin": "block_end"}.get(
                kind, "comment_end"
            )
            name = tokens[i + 1][2] if i + 1 < len(tokens) else ""
            if kind == "block_begin" and name == "trans":
                in_trans = True
                out.append("§")
            elif kind == "block_begin" and name == "endtrans":
                in_trans = False
            elif kind == "variable_begin" and not in_trans:
                out.append("§")
            while i < len(tokens) and tokens[i][1] != end:
                i += 1
        i += 1
    return "".join(out)


def text_outside_tags(source: str) -> list[tuple[int, str]]:
    parser = _Text()
    parser.feed(skeleton(source))
    parser.close()
    return parser.found


def _is_word(value: object) -> bool:
    return isinstance(value, str) and bool(LETTER.search(value)) and not FORMAT_SPEC.match(value)


def _reads_as_text(value: object) -> bool:
    """A constant that looks like a phrase or a label (not a code, path or CSS class)."""
    return (
        _is_word(value)
        and isinstance(value, str)
        and not value.startswith(("/", "#"))
        and (" " in value.strip() or value[:1].isupper())
    )


def _translated(node: nodes.Node) -> bool:
    """A call of gettext, or the `term` filter (it shows a code in words, translated)."""
    if isinstance(node, nodes.Filter):
        return node.name == "term"
    return (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Name)
        and node.node.name in ("_", "gettext", "ngettext")
    )


def _shown(expr: nodes.Node) -> list[nodes.Const]:
    """Constants an output expression may print as they are."""
    if _translated(expr):
        return []
    if isinstance(expr, nodes.Const):
        return [expr] if _is_word(expr.value) else []
    if isinstance(expr, nodes.CondExpr):
        return _shown(expr.expr1) + (_shown(expr.expr2) if expr.expr2 is not None else [])
    if isinstance(expr, nodes.Or | nodes.And | nodes.Add | nodes.Concat):
        parts = expr.nodes if isinstance(expr, nodes.Concat) else [expr.left, expr.right]
        return [c for part in parts for c in _shown(part)]
    if isinstance(expr, nodes.Filter) and expr.node is not None:
        return _shown(expr.node)
    if isinstance(expr, nodes.Getitem | nodes.Getattr) and isinstance(
        expr.node, nodes.Dict | nodes.List | nodes.Tuple
    ):
        items = expr.node.items
        return [c for item in items for c in _shown(getattr(item, "value", item))]
    return []


def _attribute(before: str) -> str | None:
    """The attribute whose value the markup `before` an expression leaves open, if any."""
    tag = before[before.rfind("<") :] if before.rfind("<") > before.rfind(">") else ""
    found = re.search(r"([\w:-]+)=[\"']?[^\"'=]*$", tag)
    return found.group(1).lower() if found else None


def constants_outside_tags(source: str) -> list[tuple[int, str]]:
    """String constants in expressions that are printed, or read like text, untranslated."""
    tree = environment(ROOT).parse(source)
    found: list[nodes.Const] = []
    inside_gettext: set[int] = set()
    for call in tree.find_all((nodes.Call, nodes.Filter)):
        if _translated(call):
            inside_gettext.update(id(c) for c in call.find_all(nodes.Const))
    for output in tree.find_all(nodes.Output):
        before = ""
        for child in output.nodes:
            if isinstance(child, nodes.TemplateData):
                before = child.data
            elif _attribute(before) in (None, *SPOKEN_ATTRIBUTES):
                found += _shown(child)
            else:  # the value of a link, a class or a form field: codes, not words
                found += [c for c in _shown(child) if _reads_as_text(c.value)]
    for const in tree.find_all(nodes.Const):
        if _reads_as_text(const.value):
            found.append(const)
    seen: set[int] = set()
    result = []
    for const in found:
        if id(const) in inside_gettext or id(const) in seen:
            continue
        seen.add(id(const))
        result.append((const.lineno, const.value))
    return sorted(result)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_template_shows_no_text_outside_the_translation_tags(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    loose = text_outside_tags(source) + constants_outside_tags(source)
    assert not loose, f"{path.relative_to(ROOT)}: untranslated text (line, text): {loose}"


def test_the_template_check_finds_an_untranslated_text() -> None:
    """The checks above can fail: loose text, a spoken attribute, a printed constant."""
    assert text_outside_tags('<p class="lead">{% trans %}Hallo{% endtrans %}</p>') == []
    assert text_outside_tags("<h1>{{ title }} · Barrier Hub</h1>") == []
    assert text_outside_tags("<p>\n{{ n }} proposals</p>") == [(2, "§ proposals")]
    assert text_outside_tags('<nav aria-label="Main">§</nav>') == [(1, "Main")]
    assert text_outside_tags("<style>body { color: red; }</style>") == []
    assert constants_outside_tags('{{ "yes" if x else "no" }}') == [(1, "no"), (1, "yes")]
    assert constants_outside_tags('{{ _("Yes") if x else _("No") }}') == []
    assert constants_outside_tags('{% set links = [("/ui/a", "Queue")] %}') == [(1, "Queue")]
    assert constants_outside_tags('{{ "%.1f" | format(x) }}{{ t("day") }}') == []
    assert constants_outside_tags('<a href="/ui/?r={{ "all" if x }}">') == []
    assert constants_outside_tags('<a title="{{ "all" if x }}">') == [(1, "all")]
    assert len(TEMPLATES) >= 15
