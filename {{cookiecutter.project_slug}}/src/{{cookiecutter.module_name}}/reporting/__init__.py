"""What a person looks at: the diagnostic plots and the self-contained report page."""
