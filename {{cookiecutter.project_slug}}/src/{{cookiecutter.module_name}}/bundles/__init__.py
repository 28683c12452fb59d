"""Model bundles: one verified folder with the model, its fitted features, plots and metadata."""
