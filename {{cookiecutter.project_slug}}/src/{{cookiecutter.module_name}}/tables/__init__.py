"""Tables larger than memory: read in chunks and written as they stream, and the seeded draws
that decide, one chunk at a time, which rows are held out and which a sample keeps."""
