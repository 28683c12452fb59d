"""Text beyond the TF-IDF n-grams: hand lexicons, and the demo corpus the demo stage writes."""
