"""Helpers for the deterministic synthetic SSDA903 generator (`ingest.generate`).

- `codes`: the 903 codes the generator writes, and which collection years each placement code is valid in;
- `geography`: approximate English LA centroids and the synthetic postcode scheme;
- `las`: LA order, child population and published CLA counts (read from `data/benchmarks/dfe`);
- `simulate`: the care-history model (periods of care, legal statuses, placements, reviews, missing, oc3);
- `writer`: cutting the histories into per-collection-year return files.
"""
