"""Synthetic support-message corpus: scikit-learn ships no labelled text and we run offline.

The words are in `phrases.py`; this module composes messages from them: a topic's sentences
in varied wording, a tone, a few typos, drift across topics, wrong labels and resubmissions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .phrases import (
    CLOSINGS,
    CONTEXT,
    COURIERS,
    OPENINGS,
    PLANS,
    PRODUCTS,
    RATING_WEIGHTS,
    SENTIMENT,
    SYNONYMS,
    TOPIC_PHRASES,
    TOPIC_THINGS,
    TOPIC_WEIGHTS,
    TOPICS,
    VAGUE,
)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """Return one option chosen uniformly."""
    return options[int(rng.integers(len(options)))]


def _zipf(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """Return one option, the first often and the last rarely (weights 1/rank)."""
    weights = 1 / np.arange(1, len(options) + 1)
    return options[int(rng.choice(len(options), p=weights / weights.sum()))]


def _fill(rng: np.random.Generator, template: str) -> str:
    """Fill slot placeholders; unused slots are ignored by str.format."""
    return template.format(
        amount=f"${rng.uniform(4, 400):.2f}",
        order=int(rng.integers(10000, 99999)),
        days=int(rng.integers(2, 21)),
        product=_pick(rng, PRODUCTS),
        plan=_pick(rng, PLANS),
        courier=_pick(rng, COURIERS).capitalize(),
    )


def _reword(rng: np.random.Generator, sentence: str) -> str:
    """Swap most words that have synonyms for one of them; punctuation is kept."""
    words = []
    for word in sentence.split():
        core = word.rstrip(".,?!")
        choices = SYNONYMS.get(core.lower())
        if choices and rng.random() < 0.7:
            word = _zipf(rng, choices) + word[len(core) :]
        words.append(word)
    return " ".join(words)


def _typo(rng: np.random.Generator, word: str) -> str:
    """Swap two adjacent letters or drop one."""
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 2))
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _topic_sentence(rng: np.random.Generator, topic: str) -> str:
    """A telling sentence of the topic, in some wording, or a vague one naming a thing of it."""
    if rng.random() < 0.5:
        return _reword(rng, _fill(rng, _pick(rng, TOPIC_PHRASES[topic])))
    return _pick(rng, VAGUE).format(thing=_zipf(rng, TOPIC_THINGS[topic]))


def _message(rng: np.random.Generator, topic: str, rating: int) -> str:
    """Compose one message from opening, topic sentences, tone and closing."""
    parts = [_pick(rng, OPENINGS)]
    if rng.random() < 0.3:
        parts.append(_fill(rng, _pick(rng, CONTEXT)))
    n_topic = 2 if rng.random() < 0.35 else 1
    parts += [_topic_sentence(rng, topic) for _ in range(n_topic)]
    if rng.random() < 0.25:
        # Real messages drift across topics, which blurs the class boundary.
        parts.append(_topic_sentence(rng, _pick(rng, tuple(t for t in TOPICS if t != topic))))
    if rng.random() < 0.85:
        parts.insert(int(rng.integers(1, len(parts) + 1)), _pick(rng, SENTIMENT[rating - 1]))
    words = " ".join(p for p in parts if p).split()
    if rng.random() < 0.5 or len(words) < 8:
        words += _pick(rng, CLOSINGS).split()
    words = [_typo(rng, w) if rng.random() < 0.03 else w for w in words]
    text = " ".join(words)
    style = rng.random()
    if style < 0.05:
        return text.lower()
    if style < 0.07:
        return text.upper()
    return text


def make_corpus(n_rows: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Return a deterministic frame with columns id, text, topic, rating."""
    if n_rows < 20:
        raise ValueError(f"n_rows must be at least 20, got {n_rows}")
    rng = np.random.default_rng(seed)
    # Exact class shares keep the imbalance stable across seeds and sizes.
    counts = np.floor(np.array(TOPIC_WEIGHTS) * n_rows).astype(int)
    counts[0] += n_rows - counts.sum()
    topics = rng.permutation(np.repeat(np.arange(len(TOPICS)), counts))
    tones = rng.choice(5, size=n_rows, p=RATING_WEIGHTS) + 1
    texts = [_message(rng, TOPICS[t], int(r)) for t, r in zip(topics, tones, strict=True)]
    # The stated rating only loosely follows the wording.
    noise = rng.choice((-1, 0, 1), size=n_rows, p=(0.15, 0.7, 0.15))
    ratings = np.clip(tones + noise, 1, 5)
    labels = [TOPICS[t] for t in topics]
    # A few labels are wrong, as in any hand-labelled set.
    for i in np.flatnonzero(rng.random(n_rows) < 0.05):
        labels[i] = _pick(rng, tuple(t for t in TOPICS if t != labels[i]))
    # Exact resubmissions keep text and labels but get a new id.
    n_dup = max(1, n_rows // 100)
    targets = rng.choice(np.arange(1, n_rows), size=n_dup, replace=False)
    for i in targets:
        j = int(rng.integers(i))
        texts[i], labels[i], ratings[i] = texts[j], labels[j], ratings[j]
    return pd.DataFrame(
        {
            "id": [f"msg-{i:05d}" for i in range(1, n_rows + 1)],
            "text": texts,
            "topic": labels,
            "rating": ratings.astype(int),
        }
    )
