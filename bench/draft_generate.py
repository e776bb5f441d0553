"""Generate N invented news texts of about 500 words (and their entities) for `kg draft` at scale.

    python bench/draft_generate.py OUT_DIR --articles 10000 [--words 500] [--seed 1]

Writes OUT_DIR/texts/aNNNNN.txt with a sidecar aNNNNN.yaml (the date), and OUT_DIR/entities.yaml
with the invented states, people and organisations the texts name. The sentences mix what news
holds: reported speech, quotations (straight and curly, across sentences), "according to",
agentless hedges, denials, conditionals, dates and counts. Every name is invented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

SYLLABLES = [
    "ar",
    "bel",
    "cor",
    "dan",
    "el",
    "fen",
    "gar",
    "hol",
    "is",
    "jun",
    "kar",
    "lor",
    "mar",
    "nor",
    "ost",
    "pel",
    "quin",
    "ros",
    "sal",
    "tor",
    "ul",
    "ven",
    "wal",
    "zar",
]
TITLES = ["President", "Prime Minister", "Foreign Minister", "Defence Minister"]
GROUPS = ["analysts", "diplomats", "witnesses", "officials", "protesters", "residents"]
HEDGES = ["is said to be", "is widely seen as", "is believed to be"]


def name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def world(rng: random.Random) -> dict[str, list[dict[str, str]]]:
    """Invented states (with demonyms), leaders holding posts, and organisations."""
    states, people, orgs = [], [], []
    seen: set[str] = set()
    while len(states) < 30:
        label = name(rng, 2) + "ia"
        if label not in seen:
            seen.add(label)
            states.append({"id": label.lower(), "label": label, "demonym": label[:-2] + "ian"})
    for state in states:
        for title in TITLES[:2]:
            first, last = name(rng, 2), name(rng, 2)
            people.append(
                {
                    "id": f"{first}-{last}".lower(),
                    "label": f"{first} {last}",
                    "last": last,
                    "title": title,
                    "state": state["id"],
                    "demonym": state["demonym"],
                }
            )
    for i in range(10):
        label = f"{name(rng, 2)} {rng.choice(['Alliance', 'Council', 'Union', 'Compact'])}"
        orgs.append({"id": f"org-{i}-{label.split()[0].lower()}", "label": label})
    return {"states": states, "people": people, "orgs": orgs}


def entities_yaml(w: dict[str, list[dict[str, str]]]) -> str:
    out = ["# Invented entities for the drafting benchmark (bench/draft_generate.py)."]
    for s in w["states"]:
        out += [
            f"- id: {s['id']}",
            "  type: State",
            f"  label: {s['label']}",
            f"  altLabel: [{s['demonym']}]",
        ]
    posts = set()
    for p in w["people"]:
        out += [
            f"- id: {p['id']}",
            "  type: Leader",
            f"  label: {p['label']}",
            f"  altLabel: [{p['last']}]",
        ]
        posts.add((p["title"], p["state"]))
    for o in w["orgs"]:
        out += [f"- id: {o['id']}", "  type: Organisation", f"  label: {o['label']}"]
    by_id = {s["id"]: s for s in w["states"]}
    for title, state in sorted(posts):
        pid = f"{title.lower().replace(' ', '-')}-of-{state}"
        out += [
            f"- id: {pid}",
            "  type: Post",
            f"  label: {title} of {by_id[state]['label']}",
            f"  postIn: {state}",
        ]
    return "\n".join(out) + "\n"


def paragraph(rng: random.Random, w: dict[str, list[dict[str, str]]]) -> str:
    a, b = rng.sample(w["states"], 2)
    p, q = rng.sample(w["people"], 2)
    org = rng.choice(w["orgs"])
    day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
    n = rng.choice(
        ["at least 40", "as many as 3,000", "thousands of", "about 200", "more than 12", "two"]
    )
    year = rng.randint(1990, 2019)
    sentences = [
        f"{p['demonym']} {p['title']} {p['label']} said {b['label']} had moved {n} troops towards the border on {day}.",
        f"“We will defend our land. Nobody should doubt it,” {p['last']} told reporters in the capital.",
        f"{b['label']} denied this and called the accusations “baseless”.",
        f"According to local media, {q['label']} has spoken to {p['last']} twice this week.",
        f"{q['last']} {rng.choice(HEDGES)} a pragmatist.",
        f"The {org['label']}, which {a['label']} joined in {year}, said it was following the situation closely.",
        f"If talks fail, {a['label']} could close its border with {b['label']}.",
        f"{rng.choice(GROUPS).capitalize()} say the dispute is less about land than about water.",
        f"Protests have been going on for the past seven days, and {n} people were detained on {day}.",
        f"{b['label']} and {a['label']} signed an agreement on trade in {year}.",
        f"{q['last']} warned that {b['label']} would respond firmly if troops crossed the border.",
        f"“Our patience is not endless,” the {q['demonym']} {q['title'].lower()} said. “We are ready to talk.”",
        f"{a['label']} does not recognise the border drawn in {year}.",
        f"{p['last']} is expected to visit {b['label']} next month.",
        "It remains unclear who fired first.",
    ]
    rng.shuffle(sentences)
    return " ".join(sentences[: rng.randint(3, 5)])


def article(rng: random.Random, w: dict[str, list[dict[str, str]]], words: int) -> str:
    a, b = rng.sample(w["states"], 2)
    lines = [f"{a['label']} accuses {b['label']} of border incursion – {b['label']} denies", ""]
    count = 0
    while count < words:
        if rng.random() < 0.15:
            head = f"{rng.choice(w['people'])['last']}’s warning"
            lines += [head, ""]
        para = paragraph(rng, w)
        lines += [para, ""]
        count += len(para.split())
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    w = world(rng)
    texts = args.out / "texts"
    texts.mkdir(parents=True, exist_ok=True)
    (args.out / "entities.yaml").write_text(entities_yaml(w), encoding="utf-8")
    start = dt.date(2024, 1, 1)
    total = 0
    for i in range(args.articles):
        text = article(rng, w, args.words)
        total += len(text.split())
        (texts / f"a{i:05d}.txt").write_text(text, encoding="utf-8")
        day = start + dt.timedelta(days=i % 365)
        (texts / f"a{i:05d}.yaml").write_text(f"date: {day.isoformat()}\n", encoding="utf-8")
    print(f"{args.articles} texts, {total / args.articles:.0f} words each on average -> {texts}")


if __name__ == "__main__":
    main()
