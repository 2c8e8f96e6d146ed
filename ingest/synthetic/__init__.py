"""Helpers for the deterministic synthetic data generator (`ingest.generate`).

- `codes`: the 903 codes the generator writes, and which collection years each placement code is valid in;
- `geography`: approximate English LA centroids and the synthetic postcode scheme;
- `las`: LA order, child population and published CLA counts (read from `data/benchmarks/dfe`);
- `simulate`: the care-history model (periods of care, legal statuses, placements, reviews, missing, oc3);
- `writer`: cutting the histories into per-collection-year return files;
- `cin_targets`: each LA's published children in need and child protection figures (`data/benchmarks/dfe`);
- `cin`: the children in need model (contacts, referrals, assessments, section 47, plans, child in need
  episodes) for the same children and more;
- `teams`: teams, services and workers; `workdays`: working days in England;
- `workforce`: HR extracts and the CSWW census; `complaints`: the complaints register; `qa`: the QA activity
  log and case-file audits with their actions;
- `annex_a` and `xlsx`: Ofsted Annex A workbooks; `cin_census`: the CIN census XML.
"""
