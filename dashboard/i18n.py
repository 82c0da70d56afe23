"""The message catalogue: every UI string in Simplified Chinese (default) and English."""

from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"zh": "督办 · 社区检查督促", "en": "Duban · community inspection & supervision"},
    "nav.overview": {"zh": "总览", "en": "Overview"},
    "filter.header": {"zh": "筛选", "en": "Filters"},
    "filter.language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "filter.from": {"zh": "开始日期", "en": "From"},
    "filter.to": {"zh": "结束日期", "en": "To"},
    "filter.bad_period": {
        "zh": "开始日期晚于结束日期，已按所选月份显示。",
        "en": "The start is after the end; showing the selected month instead.",
    },
    "overview.header": {"zh": "总览", "en": "Overview"},
    "overview.caption": {
        "zh": "统计期 {date_from} 至 {date_to}，截至 {as_of}",
        "en": "Period {date_from} to {date_to}, as of {as_of}",
    },
    "overview.trend": {
        "zh": "重复投诉率月度趋势（截至统计期末的近 24 个月）",
        "en": "Repeat-complaint rate by month (24 months to the end of the period)",
    },
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
    "kpi.second_rectification_rate": {"zh": "二次整改率", "en": "Second rectifications"},
    "kpi.recurrence_3m_rate": {"zh": "三个月内复发率", "en": "Recurrence within 3 months"},
    "unit.working_days": {"zh": "{value} 个工作日", "en": "{value} working days"},
    "kpi.target": {"zh": "目标 {op} {value}", "en": "Target {op} {value}"},
    "kpi.no_target": {"zh": "无目标", "en": "No target"},
    "kpi.fraction": {"zh": "{numerator} / {denominator}", "en": "{numerator} / {denominator}"},
    "kpi.met": {"zh": "达标", "en": "On target"},
    "kpi.not_met": {"zh": "未达标", "en": "Off target"},
    "kpi.no_data": {"zh": "无数据", "en": "No data"},
    "chart.month": {"zh": "月份", "en": "Month"},
    "chart.rate": {"zh": "重复投诉率", "en": "Repeat-complaint rate"},
    "chart.target": {"zh": "目标", "en": "Target"},
    "source.caption": {
        "zh": "数据来源：{source}；最近一次入库：{loaded_at}",
        "en": "Source: {source}; last load: {loaded_at}",
    },
    "source.never": {"zh": "尚未入库", "en": "never"},
    "empty.no_warehouse": {
        "zh": "尚无数据仓库：请先运行 `duban demo` 或 `duban ingest` 与 `duban build`。",
        "en": "No warehouse yet: run `duban demo`, or `duban ingest` then `duban build`.",
    },
    "empty.no_data": {"zh": "所选期间没有数据。", "en": "No data in the selected period."},
}


def translate(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The message for `key` in `language`, formatted with `values`."""
    entry = MESSAGES[key]
    text = entry.get(language) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
