"""Every regular expression the package uses runs in linear time on hostile input (issue 6).

The patterns are found programmatically, so a new one is covered without editing this file:

* every compiled pattern among the package modules' globals;
* every pattern written as a literal in a ``re.compile/search/match/split/sub/findall...``
  call anywhere in the package source (function-local ones included);
* the patterns the package builds at run time — whatever its cached zero-argument loaders
  return (``noise.load_rules()``: the per-kind, ``ad``, ``any_kind`` and exception unions;
  ``fingerprint._tables()``) and the end-tag patterns of the deep-markup scanner;
* each rule of ``rules/*.toml`` on its own (``[patterns]``, ``[exceptions]``, ``*_re`` keys).

Each is run (``findall``: every start position is tried, not just up to the first match)
against adversarial strings of at least 1 MB: the pattern's own near-match (built from its
parse tree: literals, a member of each character class, the minimum of each repeat) cut
short of its last character and repeated, half of it repeated, the near-match with every
repeat stretched to its maximum (where bounded repeats next to each other backtrack into
one another) cut short and repeated; and one composite
string of 2 MB of long runs that starve typical patterns (digits, spaces, CJK, full-width
and ASCII punctuation, ``<`` followed by long words, entity starts, dates, labels…) with
no terminating character. A backtracking blow-up on such input takes minutes; each run
must take at most ``BOUND`` seconds.

The unions built from the rules (``any_kind`` ORs a hundred rules) are linear because each
of their alternatives is (an alternation tries its branches independently at each
position), but their constant is large: they are run on 200 KB here, the way they are
used on lines of at most ``max_line_chars``.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
import time
import tomllib
from importlib import resources
from pathlib import Path

import pytest

import scrapy_govclean

try:  # Python 3.11+
    from re import _constants as sre_c, _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

BOUND = 2.0  # seconds per findall on >= 1 MB (healthy patterns: under 1 s here)
MB = 1_000_000
PACKAGE_DIR = Path(scrapy_govclean.__file__).parent
_RE_CALLS = {"compile", "search", "match", "fullmatch", "split", "sub", "subn", "findall", "finditer"}


def _modules():
    mods = [scrapy_govclean]
    for info in pkgutil.walk_packages(scrapy_govclean.__path__, "scrapy_govclean."):
        mods.append(importlib.import_module(info.name))
    return mods


def _patterns_in(obj, seen: set[int], depth: int = 0):
    """re.Pattern objects inside a loader's result (dataclasses, tuples, lists, dicts)."""
    if depth > 4 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _patterns_in(getattr(obj, f.name), seen, depth + 1)
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            yield from _patterns_in(x, seen, depth + 1)
    elif isinstance(obj, dict):
        for x in obj.values():
            yield from _patterns_in(x, seen, depth + 1)
    elif hasattr(obj, "_fields"):  # namedtuple
        for x in obj:
            yield from _patterns_in(x, seen, depth + 1)


def _literal_calls() -> dict[str, re.Pattern]:
    """Patterns written as literals in re.* calls in the package source."""
    found: dict[str, re.Pattern] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _RE_CALLS
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, (str, bytes))):
                flags = 0
                for kw in node.keywords:
                    if kw.arg == "flags" and isinstance(kw.value, ast.Attribute):
                        flags |= getattr(re, kw.value.attr, 0)
                if len(node.args) > 1 and node.func.attr == "compile" and isinstance(node.args[1], ast.Attribute):
                    flags |= getattr(re, node.args[1].attr, 0)
                rel = path.relative_to(PACKAGE_DIR.parent)
                found[f"{rel}:{node.lineno}"] = re.compile(node.args[0].value, flags)
    return found


def _rule_patterns() -> dict[str, re.Pattern]:
    """Each rule of rules/*.toml on its own."""
    found: dict[str, re.Pattern] = {}
    rules_dir = resources.files("scrapy_govclean").joinpath("rules")
    for entry in rules_dir.iterdir():
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text("utf-8"))
        for section in ("patterns", "exceptions"):
            for kind, pats in data.get(section, {}).items():
                for i, p in enumerate(pats):
                    found[f"{entry.name}:{section}.{kind}[{i}]"] = re.compile(p)
        for key, value in data.items():
            if key.endswith("_re"):
                for i, p in enumerate(value if isinstance(value, list) else [value]):
                    found[f"{entry.name}:{key}[{i}]"] = re.compile(p)
    return found


def collect_patterns() -> tuple[dict[str, re.Pattern], dict[str, re.Pattern]]:
    """(patterns run on >= 1 MB, rule unions run on 200 KB), by a readable name."""
    single: dict[str, re.Pattern] = {}
    unions: dict[str, re.Pattern] = {}
    for mod in _modules():
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern):
                single[f"{mod.__name__}.{name}"] = value
            elif callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", "") == mod.__name__:
                try:
                    loaded = value()  # cached zero-argument loaders (load_rules, _tables, ...)
                except TypeError:
                    continue
                for i, pat in enumerate(_patterns_in(loaded, set())):
                    unions[f"{mod.__name__}.{name}()#{i}"] = pat
    single.update(_literal_calls())
    single.update(_rule_patterns())
    # the end-tag patterns the deep-markup scanner compiles on demand: make it compile them all
    from scrapy_govclean import extraction

    extraction._flatten_deep("".join(f"<{t}>x</{t}>" for t in extraction._RAW_TEXT_TAGS), limit=0)
    for tag, pat in extraction._RAW_END_RES.items():
        single[f"extraction._RAW_END_RES[{tag}]"] = pat
    # a union that is really a single rule (one alternative) is run on 1 MB like the rest
    for name in [n for n, p in unions.items() if p.pattern in {q.pattern for q in single.values()}]:
        single[name] = unions.pop(name)
    return single, unions


SINGLE, UNIONS = collect_patterns()

# --- adversarial strings -----------------------------------------------------------------

_RUNS = (
    "1", " ", "\u3000", "\xa0", "\t\n", "政", "深圳市人民政府", "。", ",", "(", "【", "》", "“", ":", ":", "、",
    "—", "-", ".", "/", "|", "<", "<a", "<" + "a" * 4200, "</", "&#", "&", "a", "A1", "2023-05-06 ", "2023年5月6日",
    "来源:", "发表于", "第", "号", "〔2023〕", "http://", "\\", "'", '"', "=", "*", "0755-", "附件", "_", "#",
)


def _composite() -> str:
    """One long run of each, back to back: 2 MB with no terminating character."""
    per = 2 * MB // len(_RUNS)
    return "".join((run * (per // len(run) + 1))[:per] for run in _RUNS)


COMPOSITE = _composite()
COMPOSITE_BYTES = COMPOSITE.encode("utf-8", "replace")


def _class_member(items, negate: bool, state) -> str:
    """A character the class matches (tried against the class itself)."""
    sp = sre_parse.SubPattern(state, [(sre_c.IN, ([(sre_c.NEGATE, None)] if negate else []) + items)])
    try:
        from re import _compiler as sre_compile  # type: ignore[attr-defined]
    except ImportError:
        import sre_compile  # type: ignore[no-redef]
    cls = sre_compile.compile(sp, 0)
    for ch in "a1 中。<:-x_(【\n" + "".join(chr(c) for c in range(0x21, 0x7F)):
        if cls.fullmatch(ch):
            return ch
    return "x"


def near_match(pattern: re.Pattern, stretch: bool = False) -> str:
    """A string the pattern (nearly) matches, built from its parse tree: literals as they
    are, a member of each class, the minimum of each repeat (at least one) — or with
    ``stretch`` its maximum (up to 5000) —, the first branch of each alternation; anchors
    and lookarounds contribute nothing. At most ``_NEAR_MAX`` characters."""
    if isinstance(pattern.pattern, bytes):
        return ""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    except Exception:  # noqa: BLE001 - an exotic construct: fall back to its literal text
        return re.sub(r"[\\\[\](){}?*+|^$.]", "", pattern.pattern)
    state = parsed.state

    budget = [_NEAR_MAX]

    def walk(items) -> str:
        out = []
        for op, av in items:
            if budget[0] <= 0:
                break
            if op is sre_c.LITERAL:
                out.append(chr(av))
            elif op is sre_c.NOT_LITERAL:
                out.append("x" if chr(av) != "x" else "y")
            elif op is sre_c.ANY:
                out.append("x")
            elif op is sre_c.IN:
                negate = bool(av) and av[0][0] is sre_c.NEGATE
                out.append(_class_member(av[1:] if negate else av, negate, state))
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) or getattr(sre_c, "POSSESSIVE_REPEAT", None) is op:
                lo, hi, sub = av
                if stretch:
                    reps = min(hi, 5000)
                else:
                    reps = min(max(lo, 1), 50) if hi else 0
                unit = walk(sub)
                out.append(unit * min(reps, budget[0] // max(1, len(unit)) + 1))
            elif op is sre_c.SUBPATTERN:
                out.append(walk(av[-1]))
            elif op is sre_c.BRANCH:
                out.append(walk(av[1][0]))
            elif getattr(sre_c, "ATOMIC_GROUP", None) is op:
                out.append(walk(av))
            # AT, ASSERT, ASSERT_NOT, GROUPREF, CATEGORY...: nothing
            budget[0] -= len(out[-1]) if out else 0
        return "".join(out)

    return walk(parsed.data if hasattr(parsed, "data") else list(parsed))[:_NEAR_MAX]


_NEAR_MAX = 20_000


def _repeated(unit: str, size: int = MB) -> str:
    if not unit:
        return ""
    return (unit * (size // len(unit) + 1))[:size]


def _timed_findall(pattern: re.Pattern, text) -> float:
    started = time.perf_counter()
    pattern.findall(text)
    return time.perf_counter() - started


# --- tests ----------------------------------------------------------------------------


def test_patterns_are_found():
    """The collection really reaches every source of patterns."""
    names = set(SINGLE) | set(UNIONS)
    assert any(n.startswith("scrapy_govclean.noise.") for n in names)
    assert any(n.startswith("scrapy_govclean.extraction._TAG_RE") for n in names)
    assert any(n.startswith("scrapy_govclean.encoding._META_RE") for n in names)
    assert any(n.startswith("noise.toml:patterns.byline") for n in names)
    assert any(n.startswith("noise.toml:exceptions.ad") for n in names)
    assert any(":" in n and n.startswith("scrapy_govclean/") for n in names)  # function-local literals
    assert any(n.startswith("scrapy_govclean.noise.load_rules()") for n in UNIONS)
    assert any(n.startswith("extraction._RAW_END_RES[") for n in names)
    assert len(SINGLE) >= 100


def test_near_match_builds_what_the_pattern_matches():
    for src in (r"本帖最后由[^。]{0,40}编辑", r"(于|发表于)\s{0,3}\d{4}[-年/.]\d{1,2}", r"^第\s{0,3}\d{1,5}\s{0,3}页"):
        assert re.compile(src).search(near_match(re.compile(src))), src


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_linear_on_megabyte_inputs(name):
    pattern = SINGLE[name]
    if isinstance(pattern.pattern, bytes):
        inputs = {"composite": COMPOSITE_BYTES}
    else:
        near = near_match(pattern)
        stretched = near_match(pattern, stretch=True)
        inputs = {
            "composite": COMPOSITE,
            "near-match cut short, repeated": _repeated(near[:-1]),
            "half near-match, repeated": _repeated(near[: max(1, len(near) // 2)]),
            "near-match with every repeat at its maximum, cut short, repeated": _repeated(stretched[:-1]),
        }
    for label, text in inputs.items():
        if not text:
            continue
        seconds = _timed_findall(pattern, text)
        assert seconds <= BOUND, f"{name} took {seconds:.1f}s on {len(text)} chars ({label}): {pattern.pattern[:200]!r}"


@pytest.mark.parametrize("name", sorted(UNIONS))
def test_rule_unions_linear(name):
    pattern = UNIONS[name]
    size = 200_000
    near = near_match(pattern)
    for label, text in {"composite": COMPOSITE[:: len(COMPOSITE) // size][:size] + COMPOSITE[:size],
                        "near-match cut short": _repeated(near[:-1], size)}.items():
        if not text:
            continue
        seconds = _timed_findall(pattern, text)
        assert seconds <= BOUND, f"{name} took {seconds:.1f}s on {len(text)} chars ({label})"


def test_rule_union_time_grows_linearly():
    """The largest union, at 50 KB and 200 KB of its worst input: about 4x, not 16x."""
    pattern = max(UNIONS.values(), key=lambda p: len(p.pattern))
    text = _repeated("深圳 2023年5月6日 1. 、 <a ", 200_000)
    small = min(_timed_findall(pattern, text[:50_000]) for _ in range(2))
    large = _timed_findall(pattern, text)
    assert large <= 8 * small + 0.05, (small, large)
