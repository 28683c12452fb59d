"""Synthetic support-message corpus: scikit-learn ships no labelled text and we run offline."""

from __future__ import annotations

import numpy as np
import pandas as pd

TOPICS = ("billing", "delivery", "product", "account")
# Mildly uneven classes, as in real support queues.
TOPIC_WEIGHTS = (0.35, 0.25, 0.25, 0.15)

PRODUCTS = (
    "kettle", "blender", "desk lamp", "headphones", "coffee grinder", "backpack",
    "air fryer", "phone case", "office chair", "smart speaker", "toaster", "yoga mat",
)  # fmt: skip
PLANS = ("basic", "plus", "premium", "family", "annual")
COURIERS = ("the courier", "the driver", "the delivery company", "the post office")

OPENINGS = (
    "Hi,", "Hello,", "Hi there.", "Good morning,", "Hey team,", "Dear support,",
    "Quick question.", "I need some help.", "Writing about my recent order.", "",
)  # fmt: skip
CLOSINGS = (
    "Thanks.", "Thank you in advance.", "Regards.", "Please get back to me soon.",
    "Cheers.", "Let me know.", "Hope to hear from you.",
)  # fmt: skip

# Topic-neutral context that pads some messages to realistic lengths.
CONTEXT = (
    "I have been a customer for {days} years.",
    "I already tried contacting you by phone but nobody picked up.",
    "This is the second time I am writing about this.",
    "I bought the {product} as a gift for my sister.",
    "My neighbour had the same thing happen last month.",
    "I checked the help pages first but could not find an answer.",
    "I am travelling next week so a quick reply would help.",
)

TOPIC_PHRASES: dict[str, tuple[str, ...]] = {
    "billing": (
        "I was charged {amount} twice for order #{order}.",
        "My invoice shows {amount} but the price at checkout was lower.",
        "The refund of {amount} for the {product} has not reached my card yet.",
        "Why did my {plan} subscription renew at {amount} without a reminder?",
        "My payment was declined although my bank says the card is fine.",
        "Can you send a corrected receipt for order #{order}?",
        "There is an unknown charge of {amount} on my statement.",
        "The discount code was not applied and I paid full price.",
    ),
    "delivery": (
        "My {product} was supposed to arrive {days} days ago.",
        "Tracking for order #{order} has not updated in {days} days.",
        "{courier} left the parcel at the wrong address.",
        "The package arrived with the box crushed and the {product} loose inside.",
        "Only half of order #{order} was delivered.",
        "Can I change the shipping address before it is dispatched?",
        "{courier} marked it delivered but nothing came.",
        "Shipping took {days} days even though I paid for express.",
    ),
    "product": (
        "The {product} stopped working after {days} days.",
        "The {product} makes a strange noise when I switch it on.",
        "The colour of the {product} is different from the photos.",
        "Is the {product} compatible with the older model?",
        "One part of the {product} is missing from the box.",
        "The battery of the {product} barely lasts an hour.",
        "The {product} feels cheap and the button is already loose.",
        "How do I clean the {product} without damaging it?",
    ),
    "account": (
        "I cannot log in to my account since the last update.",
        "The password reset email never arrives.",
        "Please change the email address on my account.",
        "I want to close my account and delete my data.",
        "Someone else seems to have access to my profile.",
        "My account was locked after I typed the code wrong.",
        "How do I switch my {plan} membership to a different profile?",
        "Two factor login sends the code to an old phone number.",
    ),
}

# Tone sentences indexed by rating 1..5; several overlap in wording on purpose.
SENTIMENT: tuple[tuple[str, ...], ...] = (
    (
        "This is absolutely unacceptable.", "Worst service I have ever had.",
        "I am furious and want my money back.", "Terrible, never ordering again.",
        "Completely useless support so far.", "I am disgusted with how this was handled.",
    ),
    (
        "I am quite disappointed.", "Not happy with this at all.",
        "This is frustrating and slow.", "Pretty poor experience honestly.",
        "I expected better from you.", "It is annoying to chase this.",
    ),
    (
        "It is okay I guess.", "Not great, not terrible.", "Hoping this gets sorted.",
        "Mixed feelings about it.", "It is fine apart from this.", "Average experience so far.",
    ),
    (
        "Overall I am happy with the service.", "Mostly good so far.",
        "Support was helpful last time.", "Nice product otherwise.",
        "Pretty satisfied apart from this.", "Usually a good experience with you.",
    ),
    (
        "I love your shop, great service!", "Excellent support as always, thank you!",
        "Fantastic product, very happy.", "Brilliant experience, highly recommend.",
        "You are amazing, keep it up.", "Really impressed by how fast you respond.",
    ),
)  # fmt: skip
# Reviews skew towards the extremes, with happy customers slightly ahead.
RATING_WEIGHTS = (0.22, 0.15, 0.16, 0.2, 0.27)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """Return one option chosen uniformly."""
    return options[int(rng.integers(len(options)))]


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


def _typo(rng: np.random.Generator, word: str) -> str:
    """Swap two adjacent letters or drop one."""
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 2))
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def _message(rng: np.random.Generator, topic: str, rating: int) -> str:
    """Compose one message from opening, topic sentences, tone and closing."""
    parts = [_pick(rng, OPENINGS)]
    if rng.random() < 0.3:
        parts.append(_fill(rng, _pick(rng, CONTEXT)))
    phrases = TOPIC_PHRASES[topic]
    n_topic = 2 if rng.random() < 0.35 else 1
    for k in rng.choice(len(phrases), size=n_topic, replace=False):
        parts.append(_fill(rng, phrases[int(k)]))
    if rng.random() < 0.25:
        # Real messages drift across topics, which blurs the class boundary.
        other = _pick(rng, tuple(t for t in TOPICS if t != topic))
        parts.append(_fill(rng, _pick(rng, TOPIC_PHRASES[other])))
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


def make_corpus(n_rows: int = 600, seed: int = 0) -> pd.DataFrame:
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
