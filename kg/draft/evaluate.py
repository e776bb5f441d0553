"""`kg draft --evaluate`: drafted claims against curated ones, both read through the compiler.

For each curated article folder (article.txt, article.yaml, claims.yaml), the text is drafted
again under the same id, and both claim sets are compiled by the loader (kg.ingest), so the
comparison reads what the graph would hold, whatever the YAML looks like. A curated claim is
found when a drafted claim's span overlaps its quote by at least half the quote's length; each
drafted claim is matched to at most one curated claim (greedily, best overlap first), so a long
drafted span cannot count for several curated claims. Of the found claims: claimant,
attribution, polarity (and act, certainty, modality) equal; time expressions of the found claims
resolved to the same date or interval.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.config import Config
from kg.draft.files import meta_from_yaml, write_folder
from kg.draft.knowledge import load_knowledge
from kg.draft.pipeline import draft
from kg.ingest.compile import compile_sources
from kg.namespaces import GC, TIME
from kg.sources import ontology_dir

_CHAR = re.compile(r"#char=(\d+),(\d+)$")
FIELDS = ("claimant", "attribution", "polarity", "act", "certainty", "modality")


@dataclass
class ClaimView:
    """What the comparison needs of one compiled claim."""

    iri: str
    begin: int
    end: int
    values: dict[str, str]
    times: list[tuple[str, str]]  # (begin, end) dates; a single date twice


@dataclass
class Score:
    """The figures of one article (or of several, added up)."""

    name: str
    curated: int = 0
    drafted: int = 0
    found: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    times: int = 0
    times_right: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.curated += other.curated
        self.drafted += other.drafted
        self.found += other.found
        for k in FIELDS:
            self.right[k] += other.right[k]
        self.times += other.times
        self.times_right += other.times_right

    def ratio(self, a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def recall(self) -> float:
        return self.ratio(self.found, self.curated)

    @property
    def precision(self) -> float:
        return self.ratio(self.found, self.drafted)

    def field(self, name: str) -> float:
        return self.ratio(self.right[name], self.found)

    @property
    def time(self) -> float:
        return self.ratio(self.times_right, self.times)


def claim_views(config: Config, aid: str) -> list[ClaimView]:
    """The claims of one article as the loader compiles them (the whole source must be valid)."""
    compiled = compile_sources(config, articles=[aid])
    base = config.base_iri
    claims = compiled.sink.graphs.get(f"{base}graph/claims/{aid}", {})
    doc = compiled.sink.graphs.get(f"{base}graph/article/{aid}", {})
    props: dict[str, dict[str, list[str]]] = {}
    for s, p, o in [*claims, *doc]:
        props.setdefault(s.value, {}).setdefault(p.value, []).append(o.value)
    out = []
    for subject, values in props.items():
        if GC + "evidence" not in values:
            continue
        m = _CHAR.search(values[GC + "evidence"][0])
        view = ClaimView(subject, int(m.group(1)), int(m.group(2)), {}, [])
        for name in FIELDS:
            key = GC + name if name != "act" else "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
            got = sorted(v for v in values.get(key, []) if name != "act" or v.startswith(GC))
            got = [v for v in got if v != GC + "Claim"]
            view.values[name] = got[0] if got else ""
        for texpr in values.get(GC + "timeExpression", []):
            node = props.get(texpr, {})
            if GC + "resolvedDate" in node:
                day = node[GC + "resolvedDate"][0]
                view.times.append((day, day))
            for interval in node.get(GC + "resolvedInterval", []):
                ends = []
                for edge in (TIME + "hasBeginning", TIME + "hasEnd"):
                    instant = props.get(interval, {}).get(edge, [""])[0]
                    ends.append(props.get(instant, {}).get(TIME + "inXSDDate", [""])[0])
                view.times.append((ends[0], ends[1]))
        out.append(view)
    return sorted(out, key=lambda v: (v.begin, v.end))


def match(curated: list[ClaimView], drafted: list[ClaimView]) -> list[tuple[ClaimView, ClaimView]]:
    """One-to-one pairs: overlap >= half the curated quote, best overlap (IoU) first."""
    pairs = []
    for c in curated:
        for d in drafted:
            overlap = min(c.end, d.end) - max(c.begin, d.begin)
            if overlap > 0 and overlap * 2 >= c.end - c.begin:
                union = max(c.end, d.end) - min(c.begin, d.begin)
                pairs.append((overlap / union, c.begin, d.begin, c, d))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_c: set[str] = set()
    used_d: set[str] = set()
    out = []
    for _, _, _, c, d in pairs:
        if c.iri in used_c or d.iri in used_d:
            continue
        used_c.add(c.iri)
        used_d.add(d.iri)
        out.append((c, d))
    return out


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def score(name: str, text: str, curated: list[ClaimView], drafted: list[ClaimView]) -> Score:
    result = Score(name, len(curated), len(drafted))
    pairs = match(curated, drafted)
    result.found = len(pairs)
    matched = {c.iri for c, _ in pairs}
    for c in curated:
        if c.iri not in matched:
            result.misses.append(f"missed {text[c.begin : c.end][:70]!r}")
    for c, d in pairs:
        for f in FIELDS:
            if _local(c.values[f]) == _local(d.values[f]) and c.values[f].endswith(
                _local(d.values[f])
            ):
                result.right[f] += 1
            elif f in ("claimant", "attribution", "polarity"):
                words = text[c.begin : c.end][:50]
                result.wrong.append(
                    f"{f}: {_local(d.values[f])} for {_local(c.values[f])} in {words!r}"
                )
        for t in c.times:
            result.times += 1
            if t in d.times:
                result.times_right += 1
            else:
                result.wrong.append(f"time {t} not in {d.times} for {text[c.begin : c.end][:40]!r}")
    return result


def evaluate_folder(folder: Path, config: Config, extra_entities: list[Path]) -> Score:
    """Draft the folder's text again and score it against the folder's own claims.yaml."""
    aid = folder.name
    with tempfile.TemporaryDirectory(prefix="kg-draft-eval-") as tmp:
        src = Path(tmp)
        _source_copy(config.sources, src, extra_entities)
        curated_dir = src / "data" / "articles" / aid
        if curated_dir.exists():
            shutil.rmtree(curated_dir)
        shutil.copytree(folder, curated_dir)
        cfg = config.with_(source_dir=str(src))
        curated = claim_views(cfg, aid)
        text = (folder / "article.txt").read_text(encoding="utf-8")
        meta = meta_from_yaml(folder / "article.yaml", aid)
        kb = load_knowledge(src, config.base_iri)
        doc = draft(text, meta, kb)
        shutil.rmtree(curated_dir)
        write_folder(doc, curated_dir, force=True)
        drafted = claim_views(cfg, aid)
    return score(aid, text, curated, drafted)


def _source_copy(sources: list[Path], target: Path, extra_entities: list[Path]) -> None:
    """One project: the ontology in use, every folder's entities (and the extra ones) and the
    first folder's reference facts; no articles."""
    shutil.copytree(ontology_dir(sources), target / "ontology")
    (target / "data" / "articles").mkdir(parents=True)
    found = [s / "data" / "reference" for s in sources if (s / "data" / "reference").is_dir()]
    reference = found[0] if found else None
    if reference is not None:
        shutil.copytree(reference, target / "data" / "reference")
    parts = [s / "data" / "entities.yaml" for s in sources] + list(extra_entities)
    with (target / "data" / "entities.yaml").open("w", encoding="utf-8") as out:
        for part in parts:
            if part.exists():
                out.write(part.read_text(encoding="utf-8") + "\n")


def table(scores: list[Score]) -> str:
    """The figures as a table: one row per article and the total."""
    total = Score("all")
    for s in scores:
        total.add(s)
    head = (
        f"{'article':28} {'curated':>7} {'drafted':>7} {'found':>5} {'recall':>7} {'precision':>9} "
        + " ".join(f"{f:>11}" for f in FIELDS)
        + f" {'time':>9}"
    )
    lines = [head, "-" * len(head)]
    for s in [*scores, total]:
        fields = " ".join(f"{s.field(f):>11.0%}" for f in FIELDS)
        lines.append(
            f"{s.name[:28]:28} {s.curated:>7} {s.drafted:>7} {s.found:>5} {s.recall:>7.0%} "
            f"{s.precision:>9.0%} {fields} {s.time:>5.0%} {s.times_right:>2}/{s.times:<2}"
        )
    return "\n".join(line.rstrip() for line in lines)


def today() -> dt.date:
    return dt.date.today()
