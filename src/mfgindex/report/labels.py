"""The report's fixed words in each language: labels, section headings (numbered in order), the sources
line, the policy section's English headings."""

from __future__ import annotations

SOURCE = {"zh": "本报告根据附录所列公开数据测算", "en": "computed by mfgindex from public data"}


LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "城市制造业高质量发展评价报告",
        "toc": "目录",
        "preface": "前言",
        "note": "注：",
        "source": "来源：",
        "files": "数据文件：",
        "province": "省份",
        "city": "地市",
        "index_name": "高质量发展指数",
        "rank": "全国排名",
        "prov_rank": "地区排名",
        "change": "排名变化",
        "proxies_title": "代理指标清单",
        "agreement_title": "与已发布榜单的差距及原因",
        "data_checks_title": "数据更正与校核",
        "fig_ranking": "{n}强城市指数得分（按区域着色）",
        "fig1": "四大区域{n}强城市排名分布",
        "fig2": "{n}强城市城市群分布图（示意图）",
        "fig3": "{n}强城市省份分布",
        "fig4": "各省入围城市两年位次对比",
        "fig5": "{n}强城市第二产业增加值规模分布（代理工业增加值）",
        "fig6": "{n}强城市第二产业增加值增速分布（名义）",
        "fig7": "{n}强城市第二产业增加值占GDP比重分布",
        "fig_sub": "分项指数得分分布",
        "fig_radar": "前10名城市分项指数雷达图",
        "fig_ua": "{n}强城市排名的5%–95%区间（蒙特卡洛模拟）",
        "fig_sobol": "各项假设的Sobol敏感性指数",
        "t_audit": "各维度的一致性与有效权重（统计审计）",
        "t_counts": "计数类指标对前{n}名的影响（去掉该指标后的位次变动）",
        "t_ua": "{n}强城市排名的不确定性（中位排名与5%–95%区间）",
        "policy_en_note": "",
    },
    "en": {
        "html_lang": "en",
        "title": "Manufacturing High-Quality Development of Chinese Cities",
        "toc": "Contents",
        "preface": "Summary",
        "note": "Note: ",
        "source": "Source: ",
        "files": "Data files: ",
        "province": "Province",
        "city": "City",
        "index_name": "HQD index",
        "rank": "Rank",
        "prov_rank": "In province",
        "change": "Change",
        "proxies_title": "Proxy indicators",
        "agreement_title": "Distance from the published list, and why",
        "data_checks_title": "Data corrections and checks",
        "fig_ranking": "Index scores of the top {n}, coloured by region",
        "fig1": "Top {n} by region and rank band",
        "fig2": "Top {n} by city cluster (schematic map)",
        "fig3": "Top {n} by province",
        "fig4": "Rank changes by province",
        "fig5": "Value added of the top {n} (secondary sector, proxy)",
        "fig6": "Growth of value added, top {n} (nominal)",
        "fig7": "Value added as a share of GDP, top {n}",
        "fig_sub": "Distribution of the sub-index scores",
        "fig_radar": "Sub-index profiles of the top 10",
        "fig_ua": "5-95% rank intervals of the top {n} (Monte Carlo)",
        "fig_sobol": "Sobol sensitivity indices of the assumptions",
        "t_audit": "Coherence and effective weights of each dimension (statistical audit)",
        "t_counts": "Effect of each count indicator on the top {n} (rank shift when it is dropped)",
        "t_ua": "Rank uncertainty of the top {n} (median rank and 5-95% interval)",
        "policy_en_note": "The policy excerpts, case studies and the sentences of this section come from "
        "Chinese sources and are kept in Chinese.",
    },
}


SECTIONS: dict[str, list[tuple[str, str]]] = {
    "zh": [
        ("status", "发展现状：参评城市制造业的规模、结构与区域格局"),
        ("method", "评价方法与数据"),
        ("results", "评估结果：制造业高质量发展{n}强城市"),
        ("regions", "区域、城市群与省份分布"),
        ("capitals", "领先城市与省会城市"),
        ("scale", "规模速度与发展质效"),
        ("leaders", "各分项指数领先城市"),
        ("enterprise", "企业与平台"),
        ("risers", "进步最快城市与发展潜力城市"),
        ("gaps", "区域差距"),
        ("profiles", "城市画像：优势与短板"),
        ("policy", "政策举措、产业同质化与国际比较"),
        ("robustness", "稳健性检验"),
        ("outlook", "发展展望：补短板、缩差距、破障碍"),
        ("notes", "附：数据与计算说明"),
    ],
    "en": [
        ("status", "Where the cities stand: scale, structure and regions"),
        ("method", "Method and data"),
        ("results", "Results: the top {n} cities"),
        ("regions", "Regions, city clusters and provinces"),
        ("capitals", "Leading cities and provincial capitals"),
        ("scale", "Scale, growth, quality and efficiency"),
        ("leaders", "Leaders of each sub-index"),
        ("enterprise", "Enterprises and platforms"),
        ("risers", "Fastest risers and cities with potential"),
        ("gaps", "Regional gaps"),
        ("profiles", "City profiles: strengths and weaknesses"),
        ("policy", "Policies, industrial homogeneity and international comparison"),
        ("robustness", "Robustness checks"),
        ("outlook", "Outlook"),
        ("notes", "Appendix: data and computation notes"),
    ],
}


# Sections shown indented in the table of contents (the h3 headings of the results).
SUBSECTIONS = frozenset(
    {"regions", "capitals", "scale", "leaders", "enterprise", "risers", "gaps", "profiles"}
)


# English headings of the policy section (its tables and sentences quote Chinese sources).
POLICY_EN: dict[str, str] = {
    "h_policies": "4.1 Policies and cases of leading cities",
    "h_homogeneity": "4.2 Homogeneity of local industries",
    "h_benchmarks": "4.3 Innovation compared internationally",
}
