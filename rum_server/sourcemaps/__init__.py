"""Source maps: uploaded and fetched maps that error stacks are symbolicated with."""
