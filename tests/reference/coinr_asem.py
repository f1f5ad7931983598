"""Published COINr 1.1.14 results on its ASEM example (see docs/coinr-reference.md §9 for sources).

Every number here is typed from COINr's rendered documentation (bluefoxr.github.io/COINr, stored at
commit cb1fa25c) or the JOSS paper; R prints them rounded to 2 decimals (results tables) or 7
significant digits (treatment tables).
"""

from __future__ import annotations

# articles/overview.md: Denominate → Screen(Denominated, 0.9) → Treat(Screened) → Normalise
# → Aggregate(a_amean)
OVERVIEW_HEAD = {
    # uCode: (Rank, Index, Conn, Sust, Physical, ConEcFin, Political, Instit, P2P, Environ, Social, SusEcFin)
    "CHE": (1, 68.33, 62.18, 74.48, 64.37, 33.30, 73.03, 83.32, 56.87, 78.13, 87.63, 57.67),
    "DNK": (2, 64.47, 56.05, 72.90, 50.17, 30.52, 76.98, 71.59, 51.01, 70.53, 86.17, 61.99),
    "NLD": (3, 64.46, 61.32, 67.60, 68.15, 45.11, 83.49, 67.96, 41.86, 57.14, 86.00, 59.65),
    "NOR": (4, 64.23, 56.53, 71.93, 57.45, 25.39, 78.95, 87.10, 33.75, 71.55, 87.04, 57.20),
    "BEL": (5, 63.11, 63.02, 63.19, 71.80, 48.65, 79.57, 71.84, 43.27, 52.00, 85.36, 52.22),
    "SWE": (6, 62.82, 52.88, 72.77, 51.90, 23.93, 80.10, 70.04, 38.43, 68.34, 86.92, 63.04),
}
OVERVIEW_UNITS = 46  # "5 units removed" by Screen(dat_thresh = 0.9)

# articles/results.md: build_example_coin() = Denominate → Impute(i_mean_grp, EurAsia_group) → Screen (no-op)
# → Treat → Normalise → Aggregate
RESULTS_HEAD = {
    "CHE": (1, 68.38, 62.79, 73.98, 63.41, 32.87, 74.78, 85.94, 56.93, 77.21, 87.85, 56.88),
    "NLD": (2, 64.82, 61.94, 67.70, 64.87, 46.62, 84.55, 71.74, 41.92, 58.73, 86.58, 57.78),
    "DNK": (3, 64.80, 57.10, 72.51, 50.52, 30.43, 78.13, 75.35, 51.04, 69.83, 86.40, 61.29),
    "NOR": (4, 64.47, 57.44, 71.50, 58.18, 25.70, 80.03, 89.46, 33.80, 70.90, 87.00, 56.59),
    "BEL": (5, 63.54, 63.99, 63.09, 71.97, 48.22, 80.84, 75.60, 43.32, 53.01, 86.17, 50.09),
    "SWE": (6, 63.00, 53.87, 72.12, 51.51, 23.87, 80.98, 74.51, 38.50, 66.37, 87.74, 62.27),
}
# get_unit_summary(coin, usel = "IND"): code → (score, rank)
RESULTS_IND = {
    "Index": (39.79, 45),
    "Conn": (28.60, 44),
    "Sust": (50.99, 43),
    "Physical": (18.78, 48),
    "ConEcFin": (6.38, 49),
    "Political": (51.90, 33),
    "Instit": (59.84, 37),
    "P2P": (6.07, 47),
    "Environ": (75.34, 6),
    "Social": (22.74, 51),
    "SusEcFin": (54.88, 36),
}

# JOSS paper (Becker et al. 2022, doi:10.21105/joss.04567): raw data, min-max [0,100], a_amean, no treatment
JOSS_HEAD = {
    "DEU": (1, 75.23),
    "GBR": (2, 68.94),
    "FRA": (3, 65.92),
    "CHE": (4, 62.61),
    "NLD": (5, 61.24),
    "SWE": (6, 60.59),
}

COLUMNS = (
    "Index",
    "Conn",
    "Sust",
    "Physical",
    "ConEcFin",
    "Political",
    "Instit",
    "P2P",
    "Environ",
    "Social",
    "SusEcFin",
)

# articles/treat.md: Treat(ASEM_iData[...]) on raw data: iCode → (skew0, kurt0, nwin, skew1, kurt1)
TREAT_RAW = {
    "Flights": (2.1032872, 4.5088794, 1, 1.900658, 3.3360647),
    "Goods": (2.6499733, 8.2666095, 2, 1.140608, 0.1572047),
    "Bord": (2.1482360, 5.7914905, 1, 1.899211, 4.346298),
    "Elec": (2.2252736, 5.7910268, 1, 1.717744, 2.586062),
    "Gas": (2.8294486, 10.3346494, 1, 1.602518, 1.525576),
}
PASS_RAW = {
    "LPI": (-0.3042681, -0.6567514),
    "Ship": (-0.5756680, -0.6814795),
    "Services": (1.7010849, 2.3756557),
}
# winmax = 1 on Goods → still fails → log_CT of the original column: (skew2, kurt2)
GOODS_LOG_CT = (0.03104001, -0.8888965)
# winmax = 0 on Flights → log_CT directly
FLIGHTS_LOG_CT = (-0.09502644, -0.8305217)

# articles/normalise.md: Flights z-score (m_sd = c(10, 2)) and Ship min-max [0, 100] on raw data
NORMALISE_RAW = {
    "AUS": (9.889993, 66.14497),
    "AUT": (9.588735, 0.0),
    "BEL": (9.711512, 97.14314),
    "BGD": (8.529810, 45.80661),
    "BGR": (8.741971, 37.40495),
    "BRN": (8.433044, 35.38920),
    "CHN": (13.235114, 100.0),
    "CYP": (8.721372, 55.21211),
    "CZE": (9.001961, 0.0),
}
