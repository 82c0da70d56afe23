"""The message catalogue: every UI string in Simplified Chinese (default) and English."""

from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"zh": "督办 · 社区检查督促", "en": "Duban · community inspection & supervision"},
    # navigation
    "nav.overview": {"zh": "总览", "en": "Overview"},
    "nav.hotspots": {"zh": "热点", "en": "Hotspots"},
    "nav.repeats": {"zh": "重复投诉", "en": "Repeat complaints"},
    "nav.inspections": {"zh": "检查", "en": "Inspections"},
    "nav.closed_loop": {"zh": "整改闭环", "en": "Closed loop"},
    "nav.departments": {"zh": "部门", "en": "Departments"},
    "nav.indicators": {"zh": "指标", "en": "Indicators"},
    "nav.data_quality": {"zh": "数据质量", "en": "Data quality"},
    # shared filters
    "filter.header": {"zh": "筛选", "en": "Filters"},
    "filter.language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "filter.from": {"zh": "开始日期", "en": "From"},
    "filter.to": {"zh": "结束日期", "en": "To"},
    "filter.community": {"zh": "社区", "en": "Community"},
    "filter.department": {"zh": "部门", "en": "Department"},
    "filter.problem_type": {"zh": "问题类型", "en": "Problem type"},
    "filter.all": {"zh": "全部", "en": "All"},
    "filter.bad_period": {
        "zh": "开始日期晚于结束日期，已按所选月份显示。",
        "en": "The start is after the end; showing the selected month instead.",
    },
    # overview
    "overview.header": {"zh": "总览", "en": "Overview"},
    "overview.caption": {
        "zh": "统计期 {date_from} 至 {date_to}，截至 {as_of}",
        "en": "Period {date_from} to {date_to}, as of {as_of}",
    },
    "overview.ptype_note": {
        "zh": "指标卡与趋势只计所选问题类型的投诉与整改；"
        "检查指标按检查事项统计，不按问题类型筛选。",
        "en": "The tiles and trends count complaints and rectifications of the chosen problem "
        "type; the inspection KPIs are counted by subject and do not narrow by problem type.",
    },
    "overview.index": {"zh": "综合指数", "en": "Overall index"},
    "overview.index_scale": {
        "zh": "1.00 = 全部达标；低于 1 表示总体未达目标",
        "en": "1.00 = every target met; below 1 = short of the targets overall",
    },
    "overview.index_how": {"zh": "综合指数怎么算", "en": "How the overall index is computed"},
    "overview.index_help": {
        "zh": "参照波士顿 CityScore：每个有目标的指标得分 = 实际值 ÷ 目标值（越低越好的指标为 "
        "目标值 ÷ 实际值），得分限制在 0 到 {cap} 之间；综合指数 = 各指标得分的平均值。1."
        "00 表示正好达标。",
        "en": "After Boston's CityScore: each KPI with a target scores value ÷ target (target "
        "÷ value when lower is better), kept between 0 and {cap}; the index is the mean "
        "of the scores. 1.00 means exactly on target.",
    },
    "overview.tiles": {"zh": "核心指标", "en": "Headline KPIs"},
    "overview.trends": {"zh": "月度趋势", "en": "Monthly trends"},
    "overview.trend_kpi": {"zh": "指标", "en": "KPI"},
    "overview.trend_caption": {
        "zh": "截至统计期末的近 24 个月，按月汇总；悬停可见分子 / 分母",
        "en": "The 24 months to the end of the period, by month; hover for numerator / denominator",
    },
    "overview.trend": {
        "zh": "重复投诉率月度趋势（截至统计期末的近 24 个月）",
        "en": "Repeat-complaint rate by month (24 months to the end of the period)",
    },
    "overview.by_grid": {"zh": "本社区各网格投诉指标", "en": "Complaint KPIs by grid"},
    "overview.by_grid_caption": {
        "zh": "所选社区各网格在所选期间所涉整月的投诉指标；各项按其事件发生月份计（受理或办结）。"
        "未定位到网格的工单单列一行。",
        "en": "The chosen community's complaint KPIs per grid over the whole months the period "
        "touches, each counted in the month of its own event (received or closed). Tickets with no "
        "grid resolved have a row of their own.",
    },
    "overview.by_grid_filters": {
        "zh": "网格表不按部门、问题类型筛选：为全部部门、全部问题类型的合计。",
        "en": "The grid table is not narrowed by department or problem type: it covers them all.",
    },
    "overview.grid_unresolved": {"zh": "（未定位到网格）", "en": "(no grid resolved)"},
    "overview.red_black": {"zh": "红黑榜", "en": "Red and black lists"},
    "overview.red_black_caption": {
        "zh": "按加权评价得分排名；业务量不足的社区不上榜",
        "en": "Ranked by the weighted evaluation score; communities with too little volume "
        "are not listed",
    },
    "overview.red_list": {"zh": "**红榜**（得分最高）", "en": "**Red list** (best scores)"},
    "overview.black_list": {"zh": "**黑榜**（得分最低）", "en": "**Black list** (worst scores)"},
    "status.green": {"zh": "达标", "en": "On target"},
    "status.amber": {"zh": "接近目标", "en": "Near target"},
    "status.red": {"zh": "未达标", "en": "Off target"},
    "status.none": {"zh": "无目标", "en": "No target"},
    # KPIs
    "kpi.repeat_complaint_rate": {"zh": "重复投诉率", "en": "Repeat-complaint rate"},
    "kpi.response_within_24h_rate": {"zh": "24小时内响应率", "en": "Responded within 24 h"},
    "kpi.avg_handling_working_days": {
        "zh": "平均办理时长（工作日）",
        "en": "Average handling time (working days)",
    },
    "kpi.median_handling_working_days": {
        "zh": "办理时长中位数（工作日）",
        "en": "Median handling time (working days)",
    },
    "kpi.complaint_satisfaction_rate": {"zh": "投诉满意率", "en": "Complaint satisfaction"},
    "kpi.duplicate_inspection_rate": {"zh": "重复检查率", "en": "Duplicate-inspection rate"},
    "kpi.duplicate_inspection_reduction": {
        "zh": "重复检查较基线降幅",
        "en": "Duplicate inspections, reduction on the baseline",
    },
    "kpi.feedback_within_24h_rate": {"zh": "24小时内反馈率", "en": "Notice within 24 h"},
    "kpi.rectified_on_time_rate": {"zh": "按期整改率", "en": "Rectified on time"},
    "kpi.rectification_completion_rate": {"zh": "整改完成率", "en": "Rectification completion"},
    "kpi.evaluated_on_time_rate": {"zh": "按期评估率", "en": "Evaluated on time"},
    "kpi.rectification_satisfaction_rate": {"zh": "整改满意率", "en": "Rectification satisfaction"},
    "kpi.second_rectification_rate": {"zh": "二次整改率", "en": "Second rectifications"},
    "kpi.recurrence_3m_rate": {"zh": "三个月内复发率", "en": "Recurrence within 3 months"},
    "unit.working_days": {"zh": "{value} 个工作日", "en": "{value} working days"},
    "kpi.target": {"zh": "目标 {op} {value}", "en": "Target {op} {value}"},
    "kpi.no_target": {"zh": "无目标", "en": "No target"},
    "kpi.fraction": {"zh": "{numerator} / {denominator}", "en": "{numerator} / {denominator}"},
    "kpi.help": {
        "zh": "{target}；分子 / 分母：{fraction}；箭头为与上一同长统计期相比的变化",
        "en": "{target}; numerator / denominator: {fraction}; the arrow is the change on the "
        "previous period of the same length",
    },
    "kpi.count": {"zh": "共 {count} 件", "en": "n = {count}"},
    "kpi.reduction_parts": {
        "zh": "基线 {baseline} → 本期 {current}",
        "en": "baseline {baseline} → now {current}",
    },
    "kpi.delta_points": {"zh": "{value} 个百分点", "en": "{value} pts"},
    "kpi.delta_days": {"zh": "{value} 个工作日", "en": "{value} working days"},
    "kpi.met": {"zh": "达标", "en": "On target"},
    "kpi.near": {"zh": "接近目标", "en": "Near target"},
    "kpi.not_met": {"zh": "未达标", "en": "Off target"},
    "kpi.no_data": {"zh": "无数据", "en": "No data"},
    # charts and tables
    "chart.month": {"zh": "月份", "en": "Month"},
    "chart.rate": {"zh": "重复投诉率", "en": "Repeat-complaint rate"},
    "chart.target": {"zh": "目标", "en": "Target"},
    "table.csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "table.xlsx": {"zh": "下载 Excel", "en": "Download XLSX"},
    "table.truncated": {
        "zh": "仅显示并导出前 {shown} 行（共 {total} 行），请缩小筛选范围",
        "en": "Showing and exporting the first {shown} of {total} rows; narrow the filters",
    },
    "source.caption": {
        "zh": "数据来源：{source}；最近一次入库：{loaded_at}",
        "en": "Source: {source}; last load: {loaded_at}",
    },
    "source.latest": {"zh": "；最新数据月份：{period}", "en": "; latest data: {period}"},
    "source.never": {"zh": "尚未入库", "en": "never"},
    # empty and error states
    "empty.no_warehouse": {
        "zh": "尚无数据仓库：请先运行 `duban demo` 或 `duban ingest` 与 `duban build`。",
        "en": "No warehouse yet: run `duban demo`, or `duban ingest` then `duban build`.",
    },
    "empty.no_data": {"zh": "所选期间没有数据。", "en": "No data in the selected period."},
    "empty.pending": {
        "zh": "这部分数据尚未就绪（{what} 还未构建），下次构建后显示。",
        "en": "Not available yet ({what} is not built); it appears after the next build.",
    },
    "empty.unreadable": {
        "zh": "数据仓库暂时无法读取（可能正在更新或版本过旧），"
        "请稍后刷新或重新运行 `duban build`。",
        "en": "The warehouse cannot be read right now (being replaced, or built by an older "
        "version); reload shortly or run `duban build`.",
    },
    "error.page": {
        "zh": "本页出现错误，已记录日志；请调整筛选条件或稍后刷新。",
        "en": "This page hit an error and it was logged; change the filters or reload shortly.",
    },
    # hotspots
    "hotspots.header": {"zh": "热点区域", "en": "Hotspots"},
    "hotspots.intro": {
        "zh": "投诉与检查不合格项按每千户计，逐级下钻：街道 → 社区 → 网格 → 地址 → "
        "工单与检查记录。",
        "en": "Complaints and failed inspection items per 1,000 households; drill down street "
        "→ community → grid → address → the tickets and inspections.",
    },
    "hotspots.filters_note": {
        "zh": "地图与排名按统计期、社区和问题类型统计；部门筛选只作用于下方工单列表。",
        "en": "The map and rankings follow the period, community and problem type; the "
        "department filter applies to the ticket list below.",
    },
    "hotspots.ptype_note": {
        "zh": "只计所选问题类型的投诉与检查不合格项（重复投诉不按问题类型拆分，此时不显示）。",
        "en": "Only complaints and failed inspection items of the chosen problem type are "
        "counted (repeats are not split by problem type, so they are not shown then).",
    },
    "hotspots.drill": {"zh": "逐级下钻", "en": "Drill down"},
    "hotspots.community": {"zh": "社区", "en": "Community"},
    "hotspots.grid": {"zh": "网格", "en": "Grid"},
    "hotspots.address": {"zh": "地址", "en": "Address"},
    "hotspots.metric": {"zh": "着色指标（每千户）", "en": "Colour by (per 1,000 households)"},
    "hotspots.map": {"zh": "网格地图", "en": "Map of grids"},
    "hotspots.map_caption": {
        "zh": "颜色：{metric}每千户；不使用在线底图",
        "en": "Colour: {metric} per 1,000 households; no online base map",
    },
    "hotspots.map_caption_counts": {
        "zh": "颜色：{metric}件数（网格缺少户数，无法按每千户计）；不使用在线底图",
        "en": "Colour: {metric}, counts (the grids have no household counts, so not per 1,000); "
        "no online base map",
    },
    "hotspots.map_communities": {
        "zh": "网格超过 {count} 个，街道一级以社区为点显示（社区内网格的中心）；"
        "选择社区后显示其网格。",
        "en": "More than {count} grids: the street shows each community as a point (the centre of "
        "its grids); pick a community to see its grids.",
    },
    "hotspots.per_1000": {"zh": "每千户", "en": "per 1,000 hh"},
    "hotspots.no_shapes": {
        "zh": "没有网格边界数据（reference/grid_shapes），无法绘制地图。",
        "en": "No grid boundaries loaded (reference/grid_shapes), so no map.",
    },
    "hotspots.ranked.community": {"zh": "社区排名", "en": "Communities ranked"},
    "hotspots.ranked.grid": {"zh": "网格排名", "en": "Grids ranked"},
    "hotspots.ranked.address": {"zh": "地址排名", "en": "Addresses ranked"},
    "hotspots.rising": {
        "zh": "上升热点 {count} 个：{names}",
        "en": "{count} rising hotspots: {names}",
    },
    "hotspots.mix": {"zh": "问题类型构成", "en": "Category mix"},
    "hotspots.records": {"zh": "工单与检查记录", "en": "Tickets and inspections"},
    "hotspots.records_pick": {
        "zh": "选择社区（再到网格、地址）后显示其工单与检查记录。",
        "en": "Pick a community (then a grid, an address) to see its tickets and inspections.",
    },
    "hotspots.records_caption": {
        "zh": "所选区域工单 {count} 件",
        "en": "{count} tickets in the selected area",
    },
    "hotspots.visits": {"zh": "**检查记录**", "en": "**Inspection visits**"},
    "hotspots.visits_placed": {
        "zh": "网格、地址一级只列出记录了检查地点、且地点能对应到所选区域的检查；"
        "只记到社区的检查在社区一级列出。",
        "en": "At grid and address level, only visits whose recorded place resolves to the "
        "chosen area are listed; visits recorded per community only are listed at community "
        "level.",
    },
    # repeats
    "repeats.header": {"zh": "重复投诉", "en": "Repeat complaints"},
    "repeats.intro": {
        "zh": "同一地点、同一问题类型在 30 天内再次投诉即为重复投诉；目标低于 10%。",
        "en": "A complaint about the same place and problem type within 30 days of an earlier "
        "one is a repeat; the target is below 10%.",
    },
    "repeats.by": {"zh": "分类对比", "en": "Breakdown"},
    "repeats.by_caption": {
        "zh": "按受理月份汇总统计期所含各月；红色为高于目标",
        "en": "The period's months, by month received; red is above the target",
    },
    "repeats.by_community": {"zh": "按社区", "en": "By community"},
    "repeats.by_problem_type": {"zh": "按问题类型", "en": "By problem type"},
    "repeats.by_department": {"zh": "按承办部门", "en": "By department"},
    "repeats.chains": {"zh": "重复投诉链", "en": "Repeat chains"},
    "repeats.chains_caption": {
        "zh": "每条链的首次投诉，以及此前同社区同类问题最近一次完成但没有管住的整改",
        "en": "Each chain's original ticket, and the latest earlier rectification of the same "
        "problem in the community that did not hold",
    },
    "repeats.chain_pick": {"zh": "查看投诉链", "en": "Show the chain of"},
    "repeats.chain_tickets": {
        "zh": "**{original}** 所在投诉链的全部工单",
        "en": "Every ticket in the chain of **{original}**",
    },
    # inspections
    "inspections.header": {"zh": "检查", "en": "Inspections"},
    "inspections.intro": {
        "zh": "30 天内同一社区同一检查事项再次检查即为重复检查；目标较基线降低 30% 以上。",
        "en": "A visit to the same community on the same subject within 30 days of an earlier "
        "one is a duplicate; the target is a 30% reduction on the baseline.",
    },
    "inspections.baseline_rate": {"zh": "基线重复检查率", "en": "Baseline duplicate rate"},
    "inspections.baseline_caption": {
        "zh": "基线期 {date_from} 至 {date_to} · {fraction}",
        "en": "Baseline {date_from} to {date_to} · {fraction}",
    },
    "inspections.baseline": {"zh": "基线", "en": "Baseline"},
    "inspections.target_line": {"zh": "目标（基线降 30%）", "en": "Target (baseline −30%)"},
    "inspections.ptype_note": {
        "zh": "检查以检查事项统计，问题类型筛选不适用。",
        "en": "Inspections are counted by subject; the problem-type filter does not apply.",
    },
    "inspections.trend": {"zh": "重复检查率月度趋势", "en": "Duplicate-inspection rate by month"},
    "inspections.matrix": {"zh": "谁重复了谁", "en": "Who duplicates whom"},
    "inspections.matrix_caption": {
        "zh": "行：先检查的部门；列：30 天内重复检查的部门；数字为重复检查次数",
        "en": "Rows: the department that inspected first; columns: the department that came "
        "back within 30 days; cells: duplicate visits",
    },
    "inspections.by_subject": {"zh": "按检查事项", "en": "By subject"},
    "inspections.merges": {
        "zh": "合并建议（一次检查、多方认领）",
        "en": "Merge suggestions (one inspection, claimed by many)",
    },
    "inspections.visits_saved": {"zh": "可减少检查次数", "en": "Visits a merge would save"},
    # closed loop
    "loop.header": {"zh": "整改闭环", "en": "Closed loop"},
    "loop.intro": {
        "zh": "发现 → 24 小时内下发通知 → 15 个工作日内整改 → 5 个工作日内评估 → 满意（≥80%）。",
        "en": "Found → notice within 24 h → rectified within 15 working days → evaluated "
        "within 5 → satisfied (≥80%).",
    },
    "loop.funnel": {
        "zh": "闭环漏斗（统计期内发现的首轮整改）",
        "en": "The funnel (first-round cases found in the period)",
    },
    "loop.funnel_caption": {
        "zh": "每格：件数 · 占发现总数 / 占上一环节；每一环节都要求此前各环节按时完成",
        "en": "Each bar: cases · share of all found / share of the stage before; each stage "
        "requires every earlier stage on time",
    },
    "loop.stage.count_found": {"zh": "发现问题", "en": "Found"},
    "loop.stage.count_noticed_24h": {"zh": "24小时内通知", "en": "Noticed in 24 h"},
    "loop.stage.count_rectified_on_time": {
        "zh": "15个工作日内整改",
        "en": "Rectified in 15 working days",
    },
    "loop.stage.count_evaluated_on_time": {
        "zh": "5个工作日内评估",
        "en": "Evaluated in 5 working days",
    },
    "loop.stage.count_satisfied": {"zh": "满意", "en": "Satisfied"},
    "loop.overdue": {"zh": "逾期未整改", "en": "Overdue"},
    "loop.overdue_caption": {
        "zh": "截至 {as_of} 已过整改期限仍未完成，按逾期工作日排序",
        "en": "Past the rectification deadline and not completed as of {as_of}, most working "
        "days overdue first",
    },
    "loop.second": {
        "zh": "二次整改（评估满意度低于 80%）",
        "en": "Second rectifications (satisfaction below 80%)",
    },
    "loop.recurrence": {"zh": "三个月内复发", "en": "Recurred within 3 months"},
    # departments
    "departments.header": {"zh": "部门与联席会议", "en": "Departments and the joint meeting"},
    "departments.intro": {
        "zh": "各部门记分卡、联席会议议题，以及单个部门自己的数据。",
        "en": "Each department's scorecard, the joint meeting's agenda, and one department's "
        "own data.",
    },
    "departments.scorecard": {"zh": "部门记分卡", "en": "Department scorecards"},
    "departments.scorecard_caption": {
        "zh": "工单、检查与到期整改合计不少于 {minimum} 件的部门才参与排名；得分为各项比率的平"
        "均（越高越好）",
        "en": "Only departments with at least {minimum} tickets, visits and due cases together "
        "are ranked; the score averages the rates (higher is better)",
    },
    "departments.agenda": {"zh": "联席会议议题", "en": "Joint-meeting agenda"},
    "departments.agenda.multi_department": {
        "zh": "需 3 个以上部门协同",
        "en": "Needs 3+ departments",
    },
    "departments.agenda.overdue": {"zh": "逾期事项", "en": "Overdue items"},
    "departments.agenda.merges": {"zh": "待合并的重复检查", "en": "Duplicate inspections to merge"},
    "departments.own": {"zh": "本部门数据", "en": "One department's own data"},
    "departments.pick": {"zh": "部门", "en": "Department"},
    "departments.own_visits": {
        "zh": "**{department}** 参与的检查",
        "en": "Visits **{department}** took part in",
    },
    "departments.own_cases": {
        "zh": "**{department}** 负责的整改",
        "en": "Cases **{department}** is responsible for",
    },
    # indicators
    "indicators.header": {"zh": "指标达标", "en": "Indicators"},
    "indicators.intro": {
        "zh": "各社区对照指标体系阈值的达标情况，以及加权评价得分（居民评价占 40%，结果类指标占"
        " 60%）。",
        "en": "Each community against the indicator catalogue's thresholds, and the weighted "
        "evaluation score (residents 40%, outcome indicators 60%).",
    },
    "indicators.compliance": {
        "zh": "社区 × 指标达标率",
        "en": "Compliance per community and indicator",
    },
    "indicators.scores": {"zh": "加权评价得分", "en": "Weighted evaluation score"},
    "indicators.scores_caption": {
        "zh": "上级、居民、第三方三方评价，居民权重 40%",
        "en": "Superior, residents and third party; residents weigh 40%",
    },
    "indicators.lowest": {
        "zh": "图中只显示得分最低的 {count} 个社区，下表含全部社区。",
        "en": "The chart shows the {count} communities furthest behind; the table has them all.",
    },
    "indicators.catalogue": {
        "zh": "指标体系与阈值",
        "en": "The indicator catalogue and thresholds",
    },
    # data quality
    "quality.header": {"zh": "数据质量", "en": "Data quality"},
    "quality.intro": {
        "zh": "各部门数据源：最近文件、新鲜度、接收 / 入库 / 隔离行数、主要原因与表头变化。",
        "en": "Per department source: last file, freshness, rows received / loaded / "
        "quarantined, top reasons and schema drift.",
    },
    "quality.sources": {"zh": "各数据源", "en": "Sources"},
    "quality.sources_caption": {
        "zh": "不受统计期筛选影响；可按部门筛选",
        "en": "Not limited by the period; follows the department filter",
    },
    "quality.drift": {"zh": "表头变化", "en": "Schema drift"},
    "quality.drift_caption": {
        "zh": "文件表头与数据源配置不符：缺少字段的文件整份拒收；多出未读取的字段、或字段以配置中的"
        "新名称出现的文件照常入库，但记为表头变化。变化：+多出的字段，原名→新名，-缺少的字段；"
        "字段顺序不同不算变化",
        "en": "A file whose header differs from its source config: one missing a mapped column "
        "is rejected whole; one with columns nobody reads, or a column under a newer name the "
        "config knows, loads but counts as drift. Changes: +extra column, old→new name, "
        "-missing column; a different column order is not drift",
    },
    "quality.reasons": {"zh": "隔离原因", "en": "Quarantine reasons"},
    "quality.rejected": {"zh": "整份被拒收的文件", "en": "Files rejected whole"},
    "quality.tickets": {"zh": "投诉工单的数据质量", "en": "Complaint tickets"},
    "quality.tickets_caption": {
        "zh": "统计期内受理的投诉：地址匹配到已知地址的比例，及受理后 {minutes} 分钟内即办结的工单",
        "en": "Complaints received in the period: the share whose address resolved to a known "
        "address, and tickets closed within {minutes} minutes of being received",
    },
    "quality.closed_within": {
        "zh": "{minutes} 分钟内办结",
        "en": "Closed within {minutes} min",
    },
    "quality.unresolved": {"zh": "未匹配的地址", "en": "Addresses that did not resolve"},
    # sign-in and roles
    "nav.audit": {"zh": "审计", "en": "Audit"},
    "auth.header": {"zh": "登录", "en": "Sign in"},
    "auth.user": {"zh": "用户名", "en": "User name"},
    "auth.password": {"zh": "密码", "en": "Password"},
    "auth.submit": {"zh": "登录", "en": "Sign in"},
    "auth.oidc": {"zh": "使用单位账号登录", "en": "Sign in with your organisation account"},
    "auth.failed": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "auth.expired": {
        "zh": "登录已过期或账号已变更，请重新登录。",
        "en": "Your session has expired or your account changed; please sign in again.",
    },
    "auth.no_account": {
        "zh": "该账号未开通本系统权限，请联系管理员。",
        "en": "This account has no access to the dashboard; ask an administrator.",
    },
    "auth.signed_in_as": {"zh": "已登录：{user}（{role}）", "en": "Signed in: {user} ({role})"},
    "auth.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "role.leader": {"zh": "街道领导", "en": "Leader"},
    "role.analyst": {"zh": "督办分析", "en": "Analyst"},
    "role.department": {"zh": "部门", "en": "Department"},
    "role.meeting": {"zh": "联席会议", "en": "Joint meeting"},
    "role.admin": {"zh": "管理员", "en": "Administrator"},
    "role.None": {"zh": "无角色", "en": "No role"},
    # refusals from warehouse.access (AccessError.code)
    "access.aggregates_only": {
        "zh": "联席会议账号仅可查看汇总数据，不显示明细记录。",
        "en": "Joint-meeting accounts see aggregates only; record-level rows are not shown.",
    },
    "access.unknown_viewer": {
        "zh": "无访问权限：账号、角色或部门未设置。",
        "en": "Access denied: no known user, role or department.",
    },
    "access.no_records": {
        "zh": "该角色不能查看明细记录。",
        "en": "This role does not see record-level rows.",
    },
    "access.reveal_denied": {
        "zh": "该账号无权查看未脱敏的个人信息。",
        "en": "This account may not reveal personal information.",
    },
    "access.admin_only": {
        "zh": "仅管理员可查看审计日志。",
        "en": "Only administrators read the audit log.",
    },
    "access.invalid_filter": {"zh": "筛选条件无效。", "en": "A filter is not valid."},
    "access.invalid_action": {"zh": "操作无效。", "en": "Not a valid action."},
    "access.reason_required": {
        "zh": "请填写查看个人信息的理由。",
        "en": "Give a reason to reveal personal information.",
    },
    "access.reveal_ids_required": {
        "zh": "请选择要查看的记录。",
        "en": "Choose the records to reveal.",
    },
    "access.reason_too_long": {"zh": "理由过长。", "en": "The reason is too long."},
    # revealing personal information (analysts)
    "reveal.header": {
        "zh": "查看个人信息（需填写理由，留痕）",
        "en": "Reveal personal information (reason required, audited)",
    },
    "reveal.ids": {"zh": "记录编号", "en": "Record ids"},
    "reveal.reason": {"zh": "理由", "en": "Reason"},
    "reveal.submit": {"zh": "查看", "en": "Reveal"},
    "reveal.clear": {"zh": "恢复脱敏", "en": "Mask again"},
    "reveal.active": {
        "zh": "正在显示 {count} 条记录的个人信息（已记录审计日志）。",
        "en": "Showing personal information on {count} records (audited).",
    },
    # the admin's audit page
    "audit.header": {"zh": "审计", "en": "Audit"},
    "audit.intro": {
        "zh": "谁在何时查看、导出或查看了哪些记录的个人信息；以及系统账号。",
        "en": "Who viewed, exported or revealed which records, and when; and the accounts.",
    },
    "audit.log": {"zh": "审计日志", "en": "Audit log"},
    "audit.users": {"zh": "账号", "en": "Accounts"},
    "audit.action": {"zh": "操作", "en": "Action"},
    "audit.user": {"zh": "用户", "en": "User"},
    "audit.users_unreadable": {
        "zh": "账号文件无法读取。",
        "en": "The users file cannot be read.",
    },
    "quality.unresolved_masked": {
        "zh": "地址只显示到楼栋。",
        "en": "Addresses are shown down to the building only.",
    },
    "quality.reasons_masked": {
        "zh": "隔离原因中的个人信息已脱敏。",
        "en": "Personal information in the quarantine reasons is masked.",
    },
}

# column labels of the tables (and their downloads)
COLUMNS: dict[str, tuple[str, str]] = {
    "kpi": ("指标", "KPI"),
    "value_text": ("实际值", "Value"),
    "target_text": ("目标", "Target"),
    "score": ("得分", "Score"),
    "status_text": ("状态", "Status"),
    "category": ("类别", "Category"),
    "community": ("社区", "Community"),
    "community_id": ("社区编号", "Community id"),
    "department": ("部门", "Department"),
    "handling_department": ("承办部门", "Handling department"),
    "responsible_department": ("主管部门", "Responsible department"),
    "responsible_unit": ("责任单位", "Responsible unit"),
    "problem_type": ("问题类型", "Problem type"),
    "subject": ("检查事项", "Subject"),
    "address": ("地址", "Address"),
    "caller_name": ("来电人", "Caller"),
    "caller_phone": ("来电号码", "Caller's phone"),
    "channel": ("渠道", "Channel"),
    "grid": ("网格", "Grid"),
    "count_repeats": ("重复投诉", "Repeats"),
    "count_complaints": ("投诉", "Complaints"),
    "repeat_complaint_rate": ("重复投诉率", "Repeat rate"),
    "original_complaint_id": ("首次工单", "Original ticket"),
    "original_received_at": ("首次受理时间", "Original received"),
    "first_repeat_at": ("首次重复时间", "First repeat"),
    "last_repeat_at": ("最近重复时间", "Last repeat"),
    "case_id": ("整改编号", "Case"),
    "case_completed_at": ("整改完成时间", "Rectified at"),
    "satisfaction_pct": ("满意度（%）", "Satisfaction (%)"),
    "case_status": ("整改状态", "Case status"),
    "complaint_id": ("工单编号", "Ticket"),
    "received_at": ("受理时间", "Received"),
    "is_repeat": ("重复投诉", "Repeat"),
    "previous_complaint_id": ("上一工单", "Previous ticket"),
    "status": ("状态", "Status"),
    "closed_at": ("办结时间", "Closed"),
    "satisfaction": ("满意度", "Satisfaction"),
    "description": ("问题描述", "Description"),
    "earlier_department": ("先检查部门", "Inspected first"),
    "later_department": ("重复检查部门", "Came back"),
    "count_duplicates": ("重复检查", "Duplicates"),
    "count_visits": ("检查次数", "Visits"),
    "duplicate_inspection_rate": ("重复检查率", "Duplicate rate"),
    "month_on": ("月份", "Month"),
    "departments": ("涉及部门", "Departments"),
    "count_departments": ("部门数", "No. of departments"),
    "count_visits_saved": ("可减少检查", "Visits saved"),
    "stage": ("环节", "Stage"),
    "count_cases": ("件数", "Cases"),
    "count_previous_stage": ("上一环节件数", "Previous stage"),
    "rate_of_previous": ("占上一环节", "Of previous stage"),
    "rate_of_found": ("占发现总数", "Of all found"),
    "round": ("轮次", "Round"),
    "noticed_at": ("通知时间", "Noticed"),
    "rectification_deadline_on": ("整改期限", "Deadline"),
    "working_days_overdue": ("逾期工作日", "Working days overdue"),
    "evaluated_at": ("评估时间", "Evaluated"),
    "completed_at": ("完成时间", "Completed"),
    "next_problem_at": ("复发时间", "Came back"),
    "days_to_recurrence": ("复发间隔（天）", "Days to recurrence"),
    "area_id": ("区域编号", "Area id"),
    "area_name": ("区域", "Area"),
    "households": ("户数", "Households"),
    "count_failed_items": ("检查不合格项", "Failed inspection items"),
    "count_problems": ("问题合计", "Problems"),
    "per_1000_households": ("每千户问题数", "Per 1,000 households"),
    "previous_count_problems": ("上期问题数", "Previous period"),
    "change_rate": ("环比变化", "Change"),
    "share_repeats": ("重复投诉占比", "Share repeats"),
    "z_score": ("Z 分数", "z-score"),
    "is_rising": ("上升热点", "Rising"),
    "visit_id": ("检查编号", "Visit"),
    "inspected_on": ("检查日期", "Inspected"),
    "is_failed": ("不合格", "Failed"),
    "problem": ("发现问题", "Problem"),
    "is_duplicate": ("重复检查", "Duplicate"),
    "departments_involved": ("参与部门", "Departments involved"),
    "previous_department": ("此前检查部门", "Earlier department"),
    "rank": ("排名", "Rank"),
    "volume": ("业务量", "Volume"),
    "response_within_24h_rate": ("24小时响应率", "Responded in 24 h"),
    "count_cases_due": ("到期整改", "Cases due"),
    "rectification_completion_rate": ("整改完成率", "Completion"),
    "rectified_on_time_rate": ("按期整改率", "On time"),
    "source": ("数据源", "Source"),
    "dataset": ("数据集", "Dataset"),
    "cadence": ("报送周期", "Cadence"),
    "last_file": ("最近文件", "Last file"),
    "last_loaded_at": ("最近入库", "Last loaded"),
    "latest_period": ("最新数据月份", "Latest period"),
    "days_since_load": ("距今天数", "Days since load"),
    "count_files": ("文件数", "Files"),
    "rows_received": ("接收行数", "Rows received"),
    "rows_loaded": ("入库行数", "Rows loaded"),
    "rows_quarantined": ("隔离行数", "Rows quarantined"),
    "rows_duplicate": ("重复行数", "Duplicate rows"),
    "quarantine_rate": ("隔离率", "Quarantine rate"),
    "count_files_rejected": ("拒收文件", "Files rejected"),
    "count_schema_drift": ("表头变化", "Schema drift"),
    "count_with_address": ("有地址", "With an address"),
    "count_address_resolved": ("地址已匹配", "Address resolved"),
    "count_address_unresolved": ("地址未匹配", "Address unresolved"),
    "address_resolution_rate": ("地址匹配率", "Address resolution rate"),
    "count_closed_within_minutes": ("速办结", "Closed within minutes"),
    "top_reasons": ("主要原因", "Top reasons"),
    "rule": ("规则", "Rule"),
    "column_name": ("字段", "Column"),
    "count_rows": ("行数", "Rows"),
    "example_reason": ("示例", "Example"),
    "file_name": ("文件", "File"),
    "reject_kind": ("拒收原因", "Rejected because"),
    "finished_at": ("处理时间", "Processed"),
    "message": ("说明", "Message"),
    "indicator": ("指标", "Indicator"),
    "indicator_id": ("指标编号", "Indicator id"),
    "indicator_name": ("指标名称", "Indicator"),
    "unit": ("单位", "Unit"),
    "comparator": ("比较", "Comparator"),
    "threshold": ("阈值", "Threshold"),
    "threshold_source": ("阈值来源", "Threshold source"),
    "count_measured": ("有测量月数", "Months measured"),
    "count_compliant": ("达标月数", "Months compliant"),
    "compliance_pct": ("达标率（%）", "Compliance (%)"),
    "threshold_text": ("阈值", "Threshold"),
    "performance": ("综合表现", "Performance"),
    "count_rows_received": ("接收行数", "Rows received"),
    "count_rows_loaded": ("入库行数", "Rows loaded"),
    "count_rows_quarantined": ("隔离行数", "Rows quarantined"),
    "count_rows_duplicate": ("重复行数", "Duplicate rows"),
    "count_schema_drift_events": ("表头变化次数", "Schema drift events"),
    "count_files_loaded": ("入库文件", "Files loaded"),
    "count_files_superseded": ("被替换文件", "Files superseded"),
    "last_file_outcome": ("最近文件结果", "Last file outcome"),
    "last_file_at": ("最近文件时间", "Last file at"),
    "last_period": ("最新数据月份", "Latest period"),
    "expected_period": ("应报月份", "Expected period"),
    "top_quarantine_reasons": ("主要隔离原因", "Top quarantine reasons"),
    "last_schema_drift_file": ("最近表头变化文件", "Last schema-drift file"),
    "count_files_rejected_for_drift": ("因表头变化拒收", "Rejected for drift"),
    "count_files_loaded_with_drift": ("表头变化但已入库", "Loaded with drift"),
    "last_schema_drift_at": ("最近表头变化时间", "Last drift at"),
    "last_schema_drift_outcome": ("最近变化文件结果", "Last drift outcome"),
    "last_schema_drift_changes": ("变化的字段", "Columns changed"),
    "count_periods_behind": ("滞后月数", "Periods behind"),
    "freshness": ("新鲜度", "Freshness"),
    "loaded_rate": ("入库率", "Loaded rate"),
    "category_l1": ("一级分类", "Category"),
    "share_problems": ("占比", "Share"),
    "grid_id": ("网格编号", "Grid id"),
    "count_open_cases": ("未结整改", "Open cases"),
    "case_round_id": ("整改轮次编号", "Case round"),
    "found_by": ("发现方式", "Found by"),
    "responsible_unit_type": ("责任单位类型", "Unit type"),
    "community_name": ("社区", "Community"),
    "avg_handling_working_days": ("平均办理工作日", "Avg handling (working days)"),
    "completion_rate": ("整改完成率", "Completion"),
    "compliance_share": ("指标达标占比", "Indicators compliant"),
    "count_closed": ("办结", "Closed"),
    "complaint_satisfaction_rate": ("投诉满意率", "Complaint satisfaction"),
    "count_overdue": ("逾期未整改", "Overdue"),
    "count_parts": ("有数据的分项", "Parts with data"),
    "duplicate_rate": ("重复检查率", "Duplicate rate"),
    "failed_rate": ("不合格率", "Failed rate"),
    "feedback_rate": ("24小时反馈率", "Notice in 24 h"),
    "is_rankable": ("参与排名", "Ranked"),
    "lasting_rate": ("长效率（未复发）", "Lasting (no recurrence)"),
    "on_time_rate": ("按期整改率", "On time"),
    "outcome": ("结果类得分", "Outcome"),
    "process": ("过程类得分", "Process"),
    "residents_score": ("居民评价", "Residents"),
    "response_rate": ("24小时响应率", "Response in 24 h"),
    "solving_rate": ("问题解决率", "Problems solved"),
    "superior_score": ("上级评价", "Superior"),
    "third_party_score": ("第三方评价", "Third party"),
}
MESSAGES.update({f"col.{name}": {"zh": zh, "en": en} for name, (zh, en) in COLUMNS.items()})


def translate(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message for `key` in `language`, formatted with `values`."""
    entry = MESSAGES[key]
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
