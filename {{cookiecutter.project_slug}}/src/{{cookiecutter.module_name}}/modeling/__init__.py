"""Model selection: the ladder of candidates, their features, cross-validation, the search
that tunes the survivors, what a search costs, and the learning-curve forecast."""
