"""The seed's two real failures and one well-built system, as assessment profiles.

The cases are kept twice: as plain data (``SMART_DOOR``, ``ZOMBIE_PLATFORM``, ``WELL_BUILT``: dicts
of strings and numbers, no jiceng types, so they can be read, diffed or stored as JSON) and as
`SystemProfile` builders (`smart_door_profile` …). `run` returns the smart door's report in
Chinese, for ``python -m jiceng demo``.

>>> from jiceng.assessment import InclusiveAssessment
>>> InclusiveAssessment().assess(well_built_profile()).verdict.label
'达标'
"""

from __future__ import annotations

from typing import TypedDict

from jiceng.assessment import (
    Evidence,
    GroupOutcome,
    InclusiveAssessment,
    Sustainability,
    SystemProfile,
)

__all__ = [
    "SMART_DOOR",
    "WELL_BUILT",
    "ZOMBIE_PLATFORM",
    "profile_from_data",
    "run",
    "smart_door_profile",
    "well_built_profile",
    "zombie_platform_profile",
]


class SignalData(TypedDict, total=False):
    """Plain-data `Sustainability` signals."""

    maintenance_staff: int
    data_age_days: float
    usage_rate: float
    without_smartphone: float
    note: str


class CaseData(TypedDict):
    """A case as plain data: evidence rows ``(item_id, status, note)``, outcomes
    ``{group: (successes, attempts)}`` and optional sustainability signals."""

    name: str
    evidence: list[tuple[str, str, str]]
    outcomes: dict[str, tuple[int, int]]
    sustainability: SignalData | None


_SURVEY = "2026 年街道现场核查"

SMART_DOOR: CaseData = {
    "name": "某小区智能门禁（刷脸）",
    "evidence": [
        ("EQU-01", "fail", "门岗已撤，没有人工开门或登记进门的渠道"),
        ("EQU-02", "fail", "只能刷脸进门，不发门卡、不设密码，也没有人工核验"),
        ("EQU-03", "fail", "停电或断网时门无法打开，没有机械钥匙，也无人值守"),
        ("EQU-04", "pass", "进门不需要智能手机"),
        ("EQU-05", "fail", "家属无法为不便刷脸的老人登记替代凭证"),
        ("EQU-06", "not_applicable", "门禁不收费、无线上线下之分"),
        ("EQU-07", "not_applicable", "门禁不涉及上门办理"),
        ("EQU-08", "fail", "安装前没有调查老人、残障人士能否使用"),
        ("EQU-09", "not_applicable", "不涉及缴费"),
        ("ACC-01", "not_applicable", "门禁面板无图文内容"),
        ("ACC-02", "partial", "提示文字对比度不足，仅靠红绿灯表示成败"),
        ("ACC-03", "not_applicable", "无可缩放的页面"),
        ("ACC-04", "fail", "全程无语音提示，视障居民无法知道是否识别成功"),
        ("ACC-05", "not_applicable", "无键盘界面"),
        ("ACC-06", "not_applicable", "无触控目标"),
        ("ACC-07", "not_applicable", "无手势操作"),
        ("ACC-08", "fail", "识别窗口只有 3 秒，超时需重新排队"),
        ("ACC-09", "not_applicable", "无音视频内容"),
        ("ACC-10", "fail", "无语音播报"),
        ("ACC-11", "fail", "摄像头装在 1.6 米高处，坐轮椅的居民无法被识别，也够不到呼叫按钮"),
        ("ACC-12", "not_applicable", "无页面"),
        ("USA-01", "not_applicable", "无 App"),
        ("USA-02", "not_applicable", "无 App"),
        ("USA-03", "not_applicable", "无 App"),
        ("USA-04", "not_applicable", "无 App"),
        ("USA-05", "fail", "面板上的呼叫按钮不接通物业"),
        ("USA-06", "fail", "现场没有求助说明"),
        ("USA-07", "not_applicable", "不涉及登录"),
        ("USA-08", "not_applicable", "无填写流程"),
        ("USA-09", "fail", "识别失败只亮红灯，不说明原因"),
        ("USA-10", "fail", "未请老年人和残障人士试用"),
        ("USA-11", "pass", "物业有一名弱电维护人员"),
        ("USA-12", "not_applicable", "不向居民展示数据"),
        ("USA-13", "not_applicable", "无使用量考核"),
        ("SEC-01", "fail", "人脸录入条款夹在物业服务协议中一并勾选，没有单独同意"),
        ("SEC-02", "fail", "不录入人脸就领不到门禁权限"),
        ("SEC-03", "fail", "人脸比对在厂商云端完成，人脸图像上传互联网"),
        ("SEC-04", "fail", "人脸照片与房号、姓名存放在同一数据表"),
        ("SEC-05", "partial", "传输加密，存储未加密"),
        ("SEC-06", "fail", "物业与厂商共用一个管理员账号"),
        ("SEC-07", "fail", "无访问日志"),
        ("SEC-08", "fail", "未做个人信息保护影响评估"),
        ("SEC-09", "not_applicable", "录入人数不足 10 万"),
        ("SEC-10", "fail", "搬离住户的人脸信息未删除"),
        ("SEC-11", "fail", "没有单独的隐私告知"),
        ("SEC-12", "fail", "无应急预案"),
    ],
    "outcomes": {"60岁及以上": (55, 100), "60岁以下": (95, 100)},
    "sustainability": {"maintenance_staff": 1, "note": _SURVEY},
}
"""The smart door: face-only, no outage fallback, out of a wheelchair user's reach."""

ZOMBIE_PLATFORM: CaseData = {
    "name": "某街道智慧社区服务平台（投资 200 万元）",
    "evidence": [
        ("EQU-01", "fail", "社区事项只能在平台上申请，原窗口和电话已撤并"),
        ("EQU-02", "not_applicable", "不使用人脸识别"),
        ("EQU-03", "fail", "平台停机时没有任何办理途径"),
        ("EQU-04", "fail", "必须下载 App 并实名注册"),
        ("EQU-05", "partial", "网格员偶尔帮忙注册，但没有代办制度"),
        ("EQU-06", "not_applicable", "线下渠道已撤，无从比较"),
        ("EQU-07", "fail", "无上门服务"),
        ("EQU-08", "fail", "约 40% 居民没有智能手机，立项时未调查"),
        ("EQU-09", "not_applicable", "不涉及缴费"),
        ("ACC-01", "partial", "部分图标无文字说明"),
        ("ACC-02", "pass", "配色对比度达标"),
        ("ACC-03", "partial", "放大后部分按钮被遮挡"),
        ("ACC-04", "partial", "读屏可读主要页面，报事表单无法完成"),
        ("ACC-05", "not_applicable", "仅移动端"),
        ("ACC-06", "pass", "按钮尺寸达标"),
        ("ACC-07", "pass", "无复杂手势"),
        ("ACC-08", "fail", "验证码 60 秒过期且无法延长"),
        ("ACC-09", "not_applicable", "无音视频"),
        ("ACC-10", "fail", "无语音朗读"),
        ("ACC-11", "not_applicable", "无实体终端"),
        ("ACC-12", "partial", "部分表单无标签"),
        ("USA-01", "fail", "没有长辈版"),
        ("USA-02", "fail", "没有长辈版"),
        ("USA-03", "pass", "无广告"),
        ("USA-04", "fail", "没有长辈版入口"),
        ("USA-05", "fail", "无人工客服，客服电话已停机"),
        ("USA-06", "fail", "帮助入口位置不一"),
        ("USA-07", "partial", "可短信登录，但图形验证码无替代"),
        ("USA-08", "pass", "自动带出已填信息"),
        ("USA-09", "partial", "部分错误提示只显示代码"),
        ("USA-10", "fail", "未做用户测试"),
        ("USA-11", "fail", "验收后运维合同到期，没有运维人员和经费"),
        ("USA-12", "fail", "通知公告最后一次更新在 14 个月前"),
        ("USA-13", "fail", "曾给网格员下达注册量指标"),
        ("SEC-01", "not_applicable", "不采集生物识别信息"),
        ("SEC-02", "pass", "只收集姓名和电话"),
        ("SEC-03", "not_applicable", "不采集人脸"),
        ("SEC-04", "not_applicable", "不采集生物识别信息"),
        ("SEC-05", "pass", "传输和存储均加密"),
        ("SEC-06", "partial", "账号实名，但离职人员账号未注销"),
        ("SEC-07", "pass", "有审计日志"),
        ("SEC-08", "not_applicable", "不处理敏感个人信息"),
        ("SEC-09", "not_applicable", "不采集人脸"),
        ("SEC-10", "partial", "未设定保存期限"),
        ("SEC-11", "pass", "有隐私告知"),
        ("SEC-12", "fail", "无应急预案"),
    ],
    "outcomes": {},
    "sustainability": {
        "maintenance_staff": 0,
        "data_age_days": 420,
        "usage_rate": 0.15,
        "without_smartphone": 0.4,
        "note": _SURVEY,
    },
}
"""The 2-million-yuan "zombie" platform: unmaintained, stale, little used, phone-only."""

_WELL_BUILT_EXCEPTIONS = {
    "ACC-09": ("partial", "部分办事指南视频缺字幕，已排期补齐"),
    "ACC-11": ("not_applicable", "无实体终端"),
    "USA-08": ("partial", "两处流程需重复填写地址"),
    "SEC-01": ("not_applicable", "不采集生物识别信息"),
    "SEC-03": ("not_applicable", "不采集人脸"),
    "SEC-04": ("not_applicable", "不采集生物识别信息"),
    "SEC-09": ("not_applicable", "不采集人脸"),
    "EQU-02": ("not_applicable", "不使用人脸识别"),
    "EQU-09": ("not_applicable", "不涉及缴费"),
}

WELL_BUILT: CaseData = {
    "name": "某区 12345 接诉即办服务（网站、App、热线、窗口）",
    "evidence": [
        (item_id, *_WELL_BUILT_EXCEPTIONS.get(item_id, ("pass", "第三方测评通过")))
        for item_id in (
            *(f"ACC-{i:02d}" for i in range(1, 13)),
            *(f"USA-{i:02d}" for i in range(1, 14)),
            *(f"SEC-{i:02d}" for i in range(1, 13)),
            *(f"EQU-{i:02d}" for i in range(1, 10)),
        )
    ],
    "outcomes": {"60岁及以上": (176, 200), "60岁以下": (282, 300)},
    "sustainability": {
        "maintenance_staff": 4,
        "data_age_days": 3,
        "usage_rate": 0.46,
        "without_smartphone": 0.12,
        "note": _SURVEY,
    },
}
"""A well-built service: every function also by phone and at a counter; no face recognition."""


def profile_from_data(data: CaseData) -> SystemProfile:
    """Build a `SystemProfile` from a case's plain data (see `CaseData`)."""
    evidence = [Evidence(i, s, note=n, source=_SURVEY) for i, s, n in data["evidence"]]
    groups = {g: GroupOutcome(successes=s, attempts=a) for g, (s, a) in data["outcomes"].items()}
    signals = data["sustainability"]
    sustainability = (
        None
        if signals is None
        else Sustainability(
            maintenance_staff=signals.get("maintenance_staff"),
            data_age_days=signals.get("data_age_days"),
            usage_rate=signals.get("usage_rate"),
            without_smartphone=signals.get("without_smartphone"),
            note=signals.get("note", ""),
        )
    )
    return SystemProfile(
        data["name"], evidence=evidence, outcomes=groups, sustainability=sustainability
    )


def smart_door_profile() -> SystemProfile:
    """The smart door (智能门禁): face-only, no outage fallback, not usable from a wheelchair.

    >>> report = InclusiveAssessment().assess(smart_door_profile())
    >>> report.verdict.label, report.scores["equity"] <= 0.39
    ('不达标', True)
    """
    return profile_from_data(SMART_DOOR)


def zombie_platform_profile() -> SystemProfile:
    """The 2-million-yuan "zombie" platform (僵尸平台)."""
    return profile_from_data(ZOMBIE_PLATFORM)


def well_built_profile() -> SystemProfile:
    """A well-built service that passes."""
    return profile_from_data(WELL_BUILT)


def run() -> str:
    """The smart door's assessment report, in Chinese."""
    return InclusiveAssessment().assess(smart_door_profile()).render("zh")
