"""The matching rules of ``shared/gold/README.md``: content words, stamps, one-to-one window
matching, timeline stamp sets and cause/action item matching (what `pmkb eval` counts)."""


from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable


FIELDS: tuple[str, ...] = (
    "impact_windows",
    "timeline",
    "causes",
    "corrective_actions",
    "categories",
    "components",
    "quality_flags",
)

MIN_OVERLAP = 0.6
"""Shared content words over the smaller set needed for a text match."""

MIN_JACCARD = 0.25
"""Shared content words over the union needed for a text match."""

WINDOW_TOLERANCE = timedelta(minutes=1)
"""How far a predicted window endpoint may be from a minute-level gold one."""


# --------------------------------------------------------------------------
# text matching


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words, lower-cased (loaded on first use)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS)


_TOKEN = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> frozenset[str]:
    """The lower-cased alphanumeric tokens of ``text`` that are not stop words."""
    if not text:
        return frozenset()
    stop = _stop_words()
    return frozenset(t for t in _TOKEN.findall(text.lower()) if t not in stop)


def _overlaps(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """Shared words over the smaller set, and over the union (0 if either is empty)."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / min(len(a), len(b)), inter / len(a | b)


def _words_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two content-word sets share enough words to be the same item."""
    small, union = _overlaps(a, b)
    return small >= MIN_OVERLAP and union >= MIN_JACCARD


def texts_match(predicted: str, gold: str) -> bool:
    """Whether a predicted text and a gold quote describe the same item.

    True when their content words overlap by at least 0.6 of the smaller set
    and at least 0.25 of the union; texts without content words never match.
    """
    return _words_match(content_words(predicted), content_words(gold))


# --------------------------------------------------------------------------
# time values


@dataclass(frozen=True)
class _Stamp:
    """A parsed time value: a date, optionally a minute, and whether it has a zone."""

    day: date
    minute: datetime | None  # naive; UTC wall clock when ``zoned``
    zoned: bool

    @property
    def is_day(self) -> bool:
        return self.minute is None


_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?\s*$"
)


def _parse_stamp(value: Any) -> _Stamp | None:
    """Parse an ISO date or date-time; offsets are converted to UTC, seconds dropped."""
    if not isinstance(value, str):
        return None
    m = _ISO.match(value)
    if not m:
        return None
    y, mo, d, hh, mm, _ss, zone = m.groups()
    try:
        day = date(int(y), int(mo), int(d))
        if hh is None:
            return _Stamp(day, None, False)
        minute = datetime(int(y), int(mo), int(d), int(hh), int(mm))
    except ValueError:
        return None
    if zone is None:
        return _Stamp(day, minute, False)
    if zone.upper() in ("Z", "UTC"):
        return _Stamp(day, minute, True)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    utc = (minute.replace(tzinfo=timezone(sign * offset))).astimezone(timezone.utc)
    naive = utc.replace(tzinfo=None)
    return _Stamp(naive.date(), naive, True)


def _stamp_key(stamp: _Stamp) -> tuple[str, bool | None]:
    """Identity of a stamp for set comparison: (date or minute text, has zone)."""
    if stamp.minute is None:
        return (stamp.day.isoformat(), None)
    return (stamp.minute.strftime("%Y-%m-%dT%H:%M"), stamp.zoned)


def _key_text(key: tuple[str, bool | None]) -> str:
    """Readable form of a stamp key."""
    text, zoned = key
    return text + ("Z" if zoned else "")


def _endpoint_matches(pred: _Stamp | None, gold: _Stamp | None) -> bool:
    """Whether a predicted window endpoint matches a gold one."""
    if pred is None or gold is None:
        return False
    if gold.is_day:
        return pred.day == gold.day
    if pred.is_day or pred.zoned != gold.zoned:
        return False
    assert pred.minute is not None and gold.minute is not None
    return abs(pred.minute - gold.minute) <= WINDOW_TOLERANCE


def _endpoint_distance(pred: _Stamp, gold: _Stamp) -> float:
    """Distance in minutes used to prefer close pairs (0 for day-level gold)."""
    if gold.is_day or pred.minute is None or gold.minute is None:
        return 0.0
    return abs((pred.minute - gold.minute).total_seconds()) / 60.0


# --------------------------------------------------------------------------
# helpers for the shapes of gold and predictions


def _quotes(evidence: Any) -> list[str]:
    """Gold evidence as a list of alternative quotes."""
    if isinstance(evidence, str):
        return [evidence] if evidence.strip() else []
    if isinstance(evidence, (list, tuple)):
        return [q for q in evidence if isinstance(q, str) and q.strip()]
    return []


def _predicted_texts(item: dict) -> list[str]:
    """The texts of a predicted cause or action that may match gold: its text and its evidence."""
    texts: list[str] = []
    text = item.get("text")
    if isinstance(text, str) and text.strip():
        texts.append(text)
    ev = item.get("evidence")
    ev_text = ev.get("text") if isinstance(ev, dict) else ev
    if isinstance(ev_text, str) and ev_text.strip() and ev_text not in texts:
        texts.append(ev_text)
    return texts


def _norm(value: Any) -> str:
    """Lower-cased, whitespace-collapsed text of a label."""
    return " ".join(str(value).split()).lower()


def _incidents(predicted: Any) -> list[dict]:
    """Predictions as a list of incident dicts (a single dict is one incident)."""
    if predicted is None:
        return []
    if isinstance(predicted, dict):
        return [predicted]
    return [p for p in predicted if isinstance(p, dict)]


def _gather(incidents: list[dict], key: str) -> list[Any]:
    """All values of a list-valued key across incidents, in order."""
    out: list[Any] = []
    for inc in incidents:
        values = inc.get(key) or []
        if isinstance(values, (list, tuple)):
            out.extend(values)
    return out


def _counts(tp: int, fp: int, fn: int, tp_pred: int | None = None) -> dict[str, int]:
    """A per-field count record."""
    return {"tp": tp, "fp": fp, "fn": fn, "tp_pred": tp if tp_pred is None else tp_pred}


# --------------------------------------------------------------------------
# per-field scoring


def _max_matching(edges: dict[int, list[int]]) -> dict[int, int]:
    """Maximum one-to-one matching (left -> right) of a bipartite graph."""
    owner: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in edges.get(left, []):
            if right in seen:
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    for left in edges:
        augment(left, set())
    return {left: right for right, left in owner.items()}


def _score_windows(pred_windows: list[Any], gold_windows: list[Any]) -> tuple[dict, dict]:
    """One-to-one window matching: counts and unmatched items."""
    preds: list[tuple[dict, _Stamp | None, _Stamp | None]] = []
    seen: set[tuple[Any, Any]] = set()
    for w in pred_windows:
        if not isinstance(w, dict):
            continue
        ident = (w.get("start"), w.get("end"))
        if ident in seen:  # the same window reported by two incidents
            continue
        seen.add(ident)
        preds.append((w, _parse_stamp(w.get("start")), _parse_stamp(w.get("end"))))
    golds = [
        (g, _parse_stamp(g.get("start")), _parse_stamp(g.get("end")))
        for g in gold_windows
        if isinstance(g, dict)
    ]

    def candidates(gold_idx: Iterable[int], free_preds: list[int]) -> dict[int, list[int]]:
        edges: dict[int, list[int]] = {}
        for gi in gold_idx:
            _, gs, ge = golds[gi]
            options = []
            for pi in free_preds:
                _, ps, pe = preds[pi]
                if _endpoint_matches(ps, gs) and _endpoint_matches(pe, ge):
                    assert ps and gs and pe and ge
                    dist = _endpoint_distance(ps, gs) + _endpoint_distance(pe, ge)
                    options.append((dist, pi))
            edges[gi] = [pi for _, pi in sorted(options)]
        return edges

    required = [i for i, (g, _, _) in enumerate(golds) if not g.get("optional")]
    optional = [i for i, (g, _, _) in enumerate(golds) if g.get("optional")]
    all_preds = list(range(len(preds)))
    matched_req = _max_matching(candidates(required, all_preds))
    used = set(matched_req.values())
    rest = [pi for pi in all_preds if pi not in used]
    matched_opt = _max_matching(candidates(optional, rest))
    used |= set(matched_opt.values())

    tp = len(matched_req)
    fn = len(required) - tp
    fp = len(preds) - len(used)
    details = {
        "missed": [
            {"start": golds[i][0].get("start"), "end": golds[i][0].get("end")}
            for i in required
            if i not in matched_req
        ],
        "spurious": [
            {"start": preds[i][0].get("start"), "end": preds[i][0].get("end")}
            for i in all_preds
            if i not in used
        ],
    }
    return _counts(tp, fp, fn), details


def _predicted_stamp_key(event: dict) -> tuple[str, bool | None] | None:
    """Set key of a predicted timeline event, or None when its time is unreadable."""
    stamp = _parse_stamp(event.get("at"))
    if stamp is None:
        return None
    if event.get("precision") == "day":
        stamp = _Stamp(stamp.day, None, False)
    return _stamp_key(stamp)


def _gold_stamp_key(value: Any) -> tuple[str, bool | None]:
    """Set key of a gold time value (unreadable values are kept as written)."""
    stamp = _parse_stamp(value)
    return _stamp_key(stamp) if stamp else (str(value), None)


def _score_timeline(events: list[Any], gold: dict) -> tuple[dict, dict]:
    """Set comparison of distinct stamps, optional stamps removed from both sides."""
    required: set[tuple[str, bool | None]] = set()
    optional: set[tuple[str, bool | None]] = set()
    for item in gold.get("timeline") or []:
        if not isinstance(item, dict) or "at" not in item:
            continue
        (optional if item.get("optional") else required).add(_gold_stamp_key(item["at"]))
    for value in gold.get("optional_timestamps") or []:
        optional.add(_gold_stamp_key(value))
    optional -= required

    predicted: set[tuple[str, bool | None]] = set()
    for event in events:
        if isinstance(event, dict):
            key = _predicted_stamp_key(event)
            if key is not None:
                predicted.add(key)
    predicted -= optional

    hit = predicted & required
    details = {
        "missed": sorted(_key_text(k) for k in required - predicted),
        "spurious": sorted(_key_text(k) for k in predicted - required),
    }
    return _counts(len(hit), len(predicted - required), len(required - predicted)), details


@dataclass
class _ItemResult:
    """Outcome of matching predicted causes or actions against gold ones."""

    counts: dict[str, int]
    details: dict[str, list]
    best: dict[int, int]  # required gold index -> index into ``kept``
    kept: list[dict]  # the predictions scored, duplicates removed


def _best_jaccard(pred_sets: list[frozenset[str]], gold_sets: list[frozenset[str]]) -> float | None:
    """Highest union overlap over matching (predicted text, gold quote) pairs, None if none match."""
    best: float | None = None
    for p in pred_sets:
        for g in gold_sets:
            if _words_match(p, g):
                jac = _overlaps(p, g)[1]
                if best is None or jac > best:
                    best = jac
    return best


def _score_items(pred_items: list[Any], gold_items: list[Any]) -> _ItemResult:
    """Many-to-many text matching of causes or corrective actions."""
    preds: list[dict] = []
    seen: set[str] = set()
    for item in pred_items:
        if not isinstance(item, dict):
            continue
        texts = _predicted_texts(item)
        ident = _norm(texts[0]) if texts else ""
        if ident and ident in seen:  # the same item reported by two incidents
            continue
        seen.add(ident)
        preds.append(item)
    golds = [g for g in gold_items if isinstance(g, dict)]
    pred_sets = [[content_words(t) for t in _predicted_texts(p)] for p in preds]
    gold_sets = [[content_words(q) for q in _quotes(g.get("evidence"))] for g in golds]

    # score[pi][gi] = best union overlap of a matching pair, absent when no match
    score: list[dict[int, float]] = []
    for ps in pred_sets:
        row: dict[int, float] = {}
        for gi, gs in enumerate(gold_sets):
            jac = _best_jaccard(ps, gs)
            if jac is not None:
                row[gi] = jac
        score.append(row)

    required = [gi for gi, g in enumerate(golds) if not g.get("optional")]
    required_set = set(required)
    tp_pred = fp = 0
    spurious: list[str] = []
    ignored: list[str] = []
    for pi, row in enumerate(score):
        label = (_predicted_texts(preds[pi]) or [""])[0]
        if any(gi in required_set for gi in row):
            tp_pred += 1
        elif row:
            ignored.append(label)
        else:
            fp += 1
            spurious.append(label)

    best: dict[int, int] = {}
    for gi in required:
        hits = [(score[pi][gi], -pi) for pi in range(len(preds)) if gi in score[pi]]
        if hits:
            best[gi] = -max(hits)[1]
    missed = [(_quotes(golds[gi].get("evidence")) or [""])[0] for gi in required if gi not in best]
    tp = len(best)
    return _ItemResult(
        counts=_counts(tp, fp, len(required) - tp, tp_pred),
        details={"missed": missed, "spurious": spurious, "ignored": ignored},
        best=best,
        kept=preds,
    )


def _score_set(predicted: Iterable[Any], gold: Iterable[Any]) -> tuple[dict, dict]:
    """Set precision/recall counts of labels (case- and space-insensitive)."""
    p = {_norm(v) for v in predicted if v is not None and str(v).strip()}
    g = {_norm(v) for v in gold if v is not None and str(v).strip()}
    details = {"missed": sorted(g - p), "spurious": sorted(p - g)}
    return _counts(len(p & g), len(p - g), len(g - p)), details


def _flag_names(flags: Iterable[Any]) -> list[Any]:
    """Flag names of predicted quality flags (dicts with ``flag``, or plain names)."""
    return [f.get("flag") if isinstance(f, dict) else f for f in flags]


def _statuses(value: Any) -> set[str]:
    """Gold acceptable statuses as a normalised set."""
    if isinstance(value, str):
        return {_norm(value)}
    if isinstance(value, (list, tuple)):
        return {_norm(v) for v in value if isinstance(v, str)}
    return set()
