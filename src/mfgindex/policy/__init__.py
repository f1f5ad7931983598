"""Policy and case library, industrial homogeneity and international benchmarks.

- :mod:`mfgindex.policy.records` — reading and validating policy/case tables (CSV/XLSX), the shipped sample;
- :mod:`mfgindex.policy.library` — the library in a workspace (import with provenance, search, list);
- :mod:`mfgindex.policy.render` — 表1/表2-style tables and 专栏 case boxes (Jinja2 partials);
- :mod:`mfgindex.policy.homogeneity` — Krugman dissimilarity and the 产业结构相似系数;
- :mod:`mfgindex.policy.benchmarks` — international reference values and the 图9 comparison.
"""
