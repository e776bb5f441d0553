"""The drafting lexicons (kg/draft/lexicons/*.yaml), read once and compiled into matchers.

The lexicons are general English and general political vocabulary: reporting verbs, hedges,
negation, modality, time words, titles, groups, demonyms, event triggers. Nothing in them names
one article's people, places or phrases; entities come from data/entities.yaml (knowledge.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg.errors import DataError

FOLDER = Path(__file__).with_name("lexicons")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(name: str) -> Any:
    """One lexicon file, parsed."""
    path = FOLDER / f"{name}.yaml"
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError) as err:
        raise DataError(f"cannot read the lexicon: {err}", str(path)) from err


def words_re(words: list[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternation of `words` (longest first)."""
    parts = sorted({re.escape(w) for w in _lower(words)}, key=len, reverse=True)
    return re.compile(r"(?<![\w’'-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


PhraseIndex = dict[str, list[tuple[str, ...]]]


def phrase_index(phrases: list[str]) -> PhraseIndex:
    """Phrases (lower case) by their first word, longest first."""
    index: PhraseIndex = {}
    for phrase in phrases:
        words = tuple(phrase.lower().replace("’", "'").split())
        index.setdefault(words[0], []).append(words)
    for items in index.values():
        items.sort(key=lambda w: -len(w))
    return index


def find_phrases(
    tokens: list[tuple[int, int, str]], index: PhraseIndex
) -> list[tuple[int, int, str]]:
    """(begin, end, phrase) of every phrase of the index in the tokens, whole words only; a
    possessive "'s" after the last word is not part of the match ("leader's" finds "leader")."""
    out: list[tuple[int, int, str]] = []
    words = [t[2] for t in tokens]
    for i, (b, _, word) in enumerate(tokens):
        if out and b < out[-1][1]:
            continue  # inside the phrase found before ("foreign minister", not "minister")
        key = word[:-2] if word.endswith("'s") else word
        for phrase in index.get(key, ()):
            n = len(phrase)
            if n == 1:
                out.append((b, b + len(key), key))
                break
            last = words[i + n - 1] if i + n - 1 < len(words) else ""
            if tuple(words[i : i + n - 1]) == phrase[:-1] and last in (
                phrase[-1],
                phrase[-1] + "'s",
            ):
                e = tokens[i + n - 1][0] + len(phrase[-1])
                out.append((b, e, " ".join(phrase)))
                break
    return out


@dataclass
class Verb:
    """A reporting verb entry of reporting.yaml."""

    name: str
    kind: str
    act: str
    object: bool = False
    denial: bool = False
    speech_objects: bool = False
    label: bool = False
    needs: str | None = None
    next: tuple[str, ...] = ()
    clausal: bool = False


@dataclass
class Hedge:
    pattern: re.Pattern[str]
    act: str
    certainty: str
    cue: str
    modality: str | None = None
    label_if_np: bool = False


@dataclass
class Trigger:
    pattern: re.Pattern[str]
    type: str
    event: str | None
    roles: dict[str, str]
    hostile: bool = False
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Lexicon:
    """Every lexicon, compiled."""

    verbs: dict[str, Verb]  # inflected form -> entry
    verb_re: re.Pattern[str]
    speech_nouns: set[str]
    according_re: re.Pattern[str]
    hearsay_heads: set[str]
    declined_re: re.Pattern[str]
    hedges: list[Hedge]
    negation_re: re.Pattern[str]
    negation_exceptions_re: re.Pattern[str]
    denial_re: re.Pattern[str]
    possible_re: re.Pattern[str]
    probable_re: re.Pattern[str]
    not_possible_re: re.Pattern[str]
    future_re: re.Pattern[str]
    hypothetical_re: re.Pattern[str]
    conditional_re: re.Pattern[str]
    historical_years: int
    time: dict[str, Any]
    quantities: dict[str, Any]
    titles: list[str]
    head_titles: set[str]
    groups: set[str]
    group_modifiers: set[str]
    definites: dict[str, list[str]]
    pronouns: dict[str, str]
    demonyms: dict[str, list[str]]
    triggers: list[Trigger]
    auxiliaries: set[str]
    present: set[str]
    past: set[str]
    subject_pronouns: set[str]
    irregular_past: set[str]
    not_verbs_ed: set[str]
    not_participles: set[str]
    contrast_re: re.Pattern[str]
    prepositions: set[str]
    not_names: set[str]
    # cue phrases by their first word: word -> [(words, kind, entry)], longest first
    cue_index: dict[str, list[tuple[tuple[str, ...], str, object]]] = field(default_factory=dict)
    # clitic cues: "n't" (negation), "’ll" (future), "’d" (hypothetical)
    clitics: dict[str, str] = field(default_factory=dict)
    # words one of the hedge patterns needs: the patterns run only around them
    hedge_words: set[str] = field(default_factory=set)
    titles_re: re.Pattern[str] | None = None
    titles_index: PhraseIndex = field(default_factory=dict)
    groups_index: PhraseIndex = field(default_factory=dict)
    triggers_any: re.Pattern[str] | None = None  # where any trigger may match
    groups_re: re.Pattern[str] | None = None


def _lower(items: list[str]) -> set[str]:
    for item in items:
        if not isinstance(item, str):
            raise DataError(
                f"a lexicon word is not text: {item!r} (quote yes/no/on/off/true/false)"
            )
    return {i.lower() for i in items}


def _index(lex: Lexicon, phrases: dict[str, list[tuple[str, object]]]) -> None:
    """Index cue phrases by first word; phrases starting with an apostrophe are clitics."""
    for kind, items in phrases.items():
        for phrase, entry in items:
            words = tuple(phrase.lower().replace("’", "'").split())
            if words[0].startswith("'") or words[0] == "n't":
                lex.clitics[words[0]] = kind
                continue
            lex.cue_index.setdefault(words[0], []).append((words, kind, entry))
    for items in lex.cue_index.values():
        items.sort(key=lambda t: -len(t[0]))


@cache
def lexicon() -> Lexicon:
    """All lexicons, read and compiled once per process."""
    rep = read("reporting")
    verbs: dict[str, Verb] = {}
    for name, entry in rep["verbs"].items():
        verb = Verb(
            name,
            entry["kind"],
            entry["act"],
            bool(entry.get("object")),
            bool(entry.get("denial")),
            bool(entry.get("speech_objects")),
            bool(entry.get("label")),
            entry.get("needs"),
            tuple(w.lower() for w in entry.get("next") or ()),
            bool(entry.get("clausal")),
        )
        for form in entry["forms"]:
            verbs.setdefault(form.lower(), verb)
    hed = read("hedges")
    macros = {k: v for k, v in hed["macros"].items()}
    hedges = []
    for item in hed["patterns"]:
        pattern = item["re"]
        for key, value in macros.items():
            pattern = pattern.replace("{" + key + "}", value)
        hedges.append(
            Hedge(
                re.compile(pattern, re.IGNORECASE),
                item["act"],
                item["certainty"],
                item["cue"],
                item.get("modality"),
                bool(item.get("label_if_np")),
            )
        )
    pol = read("polarity")
    mod = read("modality")
    agents = read("agents")
    words = read("words")
    triggers = [
        Trigger(
            re.compile(r"(?<![\w-])(?:" + t["re"] + r")(?![\w-])", re.IGNORECASE),
            t["type"],
            t.get("event"),
            dict(t.get("roles") or {}),
            bool(t.get("hostile")),
            dict(t.get("values") or {}),
        )
        for t in read("events")["triggers"]
    ]
    lex = Lexicon(
        verbs=verbs,
        verb_re=words_re(list(verbs)),
        speech_nouns=_lower(rep["speech_nouns"]),
        according_re=words_re(rep["according"]),
        hearsay_heads=_lower(rep["hearsay_heads"]),
        declined_re=words_re(rep["declined"]),
        hedges=hedges,
        negation_re=words_re(pol["negations"]),
        negation_exceptions_re=words_re(pol["exceptions"]),
        denial_re=words_re(pol["denial_words"]),
        possible_re=words_re(mod["possible"]),
        probable_re=words_re(mod["probable"]),
        not_possible_re=words_re(mod["not_possible"]),
        future_re=words_re(mod["future"]),
        hypothetical_re=words_re(mod["hypothetical"]),
        conditional_re=words_re(mod["conditional"]),
        historical_years=int(mod["historical_years"]),
        time=read("time"),
        quantities=read("quantities"),
        titles=sorted(_lower(agents["titles"]), key=len, reverse=True),
        head_titles=_lower(agents["head_titles"]),
        groups=_lower(agents["groups"]),
        group_modifiers=_lower(agents["group_modifiers"]),
        definites={k.lower(): v for k, v in agents["definites"].items()},
        pronouns={k.lower(): v for k, v in agents["pronouns"].items()},
        demonyms={k: [str(d) for d in v] for k, v in read("demonyms").items()},
        triggers=triggers,
        auxiliaries=_lower(words["auxiliaries"]),
        present=_lower(words["present"]),
        past=_lower(words["past"]),
        subject_pronouns=_lower(words["subject_pronouns"]),
        irregular_past=_lower(words["irregular_past"]),
        not_verbs_ed=_lower(words["not_verbs_ed"]),
        not_participles=_lower(words["not_participles"]),
        contrast_re=re.compile(
            r"^\s*(?:" + "|".join(re.escape(w) for w in words["contrast"]) + r")\b", re.IGNORECASE
        ),
        prepositions=_lower(words["prepositions"]),
        not_names=_lower(words["not_names"]),
    )
    lex.hedge_words = _lower(hed["anchors"])
    lex.titles_re = words_re(lex.titles)
    lex.titles_index = phrase_index(lex.titles)
    lex.groups_index = phrase_index(sorted(lex.groups))
    # one pass finds every trigger: the first (highest-ranked) one matching at each position
    lex.triggers_any = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(f"(?P<t{i}>{t['re']})" for i, t in enumerate(read("events")["triggers"]))
        + r")(?![\w-])",
        re.IGNORECASE,
    )
    lex.groups_re = words_re(sorted(lex.groups))
    _index(
        lex,
        {
            "report": [(form, verb) for form, verb in verbs.items()],
            "according": [(w, None) for w in rep["according"]],
            "negation": [(w, None) for w in _lower(pol["negations"])],
            "exception": [(w, None) for w in _lower(pol["exceptions"])],
            "denial": [(w, None) for w in _lower(pol["denial_words"])],
            "declined": [(w, None) for w in _lower(rep["declined"])],
            "not_possible": [(w, None) for w in _lower(mod["not_possible"])],
            "possible": [(w, None) for w in _lower(mod["possible"])],
            "probable": [(w, None) for w in _lower(mod["probable"])],
            "future": [(w, None) for w in _lower(mod["future"])],
            "hypothetical": [(w, None) for w in _lower(mod["hypothetical"])],
            "conditional": [(w, None) for w in _lower(mod["conditional"])],
        },
    )
    return lex
