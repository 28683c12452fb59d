"""What an analysis gives each document, kept for the process: the same documents come back.

Cross-validation, the race's rounds, a halving search and the learning curve fit and transform
the text features on the same documents again and again. What an analysis gives a document (its
n-grams, the lexicon terms it holds) depends on the analysis's settings only, never on what a
fit learned, so each document is analysed once per process and setting and kept as an array of
numbers, up to `MAX_KEPT` numbers in all; past the bound, documents are analysed every time. A
bundle holds none of it: it lives in this module, not in an estimator.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Numbers kept over every document and setting (4 bytes each; a document counts one more),
# besides each distinct n-gram's string once per setting.
MAX_KEPT = 10_000_000


class Cuts:
    """One analysis setting's documents as arrays, and the strings those arrays number."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.docs: dict[str, np.ndarray] = {}

    def numbers(self, strings: list[str]) -> np.ndarray:
        """`strings` as their numbers, a string numbered when first seen."""
        number = self.number
        return np.fromiter(
            (number.setdefault(string, len(number)) for string in strings), np.int32, len(strings)
        )


class Kept:
    """Every setting's cuts, and how many numbers they hold in all."""

    def __init__(self) -> None:
        self.settings: dict[tuple, Cuts] = {}
        self.count = 0

    def clear(self) -> None:
        """Forget every document, as a new process starts."""
        self.settings.clear()
        self.count = 0

    def cuts(self, setting: tuple) -> Cuts:
        return self.settings.setdefault(setting, Cuts())

    def arrays(
        self, cuts: Cuts, docs: list[str], analyse: Callable[[str], np.ndarray]
    ) -> list[np.ndarray] | None:
        """Each document's array, analysed when first seen; None past the bound."""
        found = []
        for doc in docs:
            array = cuts.docs.get(doc)
            if array is None:
                array = analyse(doc)
                if self.count + len(array) + 1 > MAX_KEPT:
                    return None
                cuts.docs[doc] = array
                self.count += len(array) + 1
            found.append(array)
        return found


KEPT = Kept()
