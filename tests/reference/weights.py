"""Published worked examples for the weighting and TOPSIS methods (values as printed in the sources).

Each entry: source citation, inputs, expected outputs, and the number of decimals the source prints
(tests compare within half a unit of that last digit). Where the numbers were found through the test
suite of a Python MCDA library, that suite is named too; the values are the papers'.
"""

from __future__ import annotations

XU_2004_ENTROPY = {
    "source": "Xu, X. (2004). EJOR 156(2), 530-532 (also pyrepo-mcda tests/test_weighting_methods.py)",
    "x": [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]],
    "weights": [0.4630, 0.3992, 0.1378, 0.0000],
    "decimals": 4,
}
ZAVADSKAS_PODVEZKO_2016_ENTROPY = {
    "source": "Zavadskas, E. K., & Podvezko, V. (2016). IJITDM 15(2), 267-283 (via crispyn tests)",
    "x": [[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]],
    "weights": [0.1146, 0.1981, 0.4185, 0.2689],
    "decimals": 4,
}
PAPATHANASIOU_PLOSKAS_2018_AHP = {
    "source": "Papathanasiou, J., & Ploskas, N. (2018). MCDA, Springer, ch. 1 (AHP)",
    "matrix": [[1, 1, 5, 3], [1, 1, 5, 3], [1 / 5, 1 / 5, 1, 1 / 3], [1 / 3, 1 / 3, 3, 1]],
    "weights": [0.3899, 0.3899, 0.0679, 0.1524],
    "lambda_max": 4.0435,
    "cr": 0.016,
    "decimals": 4,
}
SAATY_RI = {
    "source": "Saaty, T. L. (1980). The Analytic Hierarchy Process (RI table, n = 1..15; METHODS.md §2)",
    "ri": [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59],
}
TZENG_HUANG_2011_TOPSIS = {
    "source": "Tzeng, G.-H., & Huang, J.-J. (2011). MADM, CRC Press (via scikit-criteria)",
    "x": [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]],
    "weights": [0.3, 0.4, 0.3],
    "directions": [1, 1, 1],
    "normalisation": "vector",
    "closeness": [0.5037, 0.6581, 0.7482, 0.3340],
    "decimals": 4,
}
OPRICOVIC_TZENG_2004_TOPSIS = {
    "source": "Opricovic, S., & Tzeng, G.-H. (2004). EJOR 156(2), 445-455 (via pymcdm tests): linear scaling",
    "x": [[1, 3000], [2, 3750], [5, 4500]],
    "weights": [0.5, 0.5],
    "directions": [-1, 1],
    "normalisation": "minmax",
    "closeness": [0.500, 0.617, 0.500],
    "decimals": 3,
}
# The published weights are reproduced when all six columns are min-max scaled in the same
# orientation (price included), which is what the paper's normalised table does.
TUS_ADALI_2019_CRITIC = {
    "source": "Tuş, A., & Aytaç Adalı, E. (2019). OPSEARCH 56(2), 528-538 (via pyrepo-mcda tests)",
    "x": [
        [5000, 3, 3, 4, 3, 2],
        [680, 5, 3, 2, 2, 1],
        [2000, 3, 2, 3, 4, 3],
        [600, 4, 3, 1, 2, 2],
        [800, 2, 4, 3, 3, 4],
    ],
    "weights": [0.157, 0.249, 0.168, 0.121, 0.154, 0.151],
    "decimals": 3,
}
KESHAVARZ_2021_MEREC = {
    "source": "Keshavarz-Ghorabaee, M. et al. (2021). Symmetry 13(4), 525 (via crispyn tests)",
    "x": [
        [450, 8000, 54, 145],
        [10, 9100, 2, 160],
        [100, 8200, 31, 153],
        [220, 9300, 1, 162],
        [5, 8400, 23, 158],
    ],
    "directions": [1, 1, -1, -1],
    "weights": [0.5752, 0.0141, 0.4016, 0.0091],
    "decimals": 4,
}
SHUAI_2012_CV = {
    "source": "Shuai, D. et al. (2012). CCDC 2012, 3889-3892 (via crispyn tests): coefficient of variation",
    "x": [[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]],
    "weights": [0.4258, 0.3610, 0.2121, 0.0011],
    "decimals": 4,
}
SALABUN_2020_STD = {
    "source": "Sałabun, W. et al. (2020). Symmetry 12(9), 1549 (via crispyn tests)",
    "x": [
        [0.619, 0.449, 0.447],
        [0.862, 0.466, 0.006],
        [0.458, 0.698, 0.771],
        [0.777, 0.631, 0.491],
        [0.567, 0.992, 0.968],
    ],
    "weights": [0.217, 0.294, 0.488],
    "decimals": 3,
}
