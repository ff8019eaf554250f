"""Chinese and English labels of the events service's codes (活动类型, 报名状态)."""
KIND_LABELS = {
    "sport": ("体育比赛", "Sport"), "culture": ("文艺活动", "Culture"), "festival": ("节日活动", "Festival"),
    "trip": ("外出考察/旅游", "Trip"), "reading": ("读书征文", "Reading or essay"), "speech": ("演讲比赛", "Speech"),
    "training": ("培训学习", "Training"), "ethics": ("师德教育", "Ethics study"), "film": ("观看电影", "Film"),
    "other": ("其他", "Other"),
}
STATUS_LABELS = {
    "registered": ("已报名", "Registered"), "pending_approval": ("待审核", "Awaiting approval"),
    "waitlisted": ("候补", "On waiting list"), "offered": ("候补递补待确认", "Offered a seat"),
    "attended": ("已签到", "Attended"), "no_show": ("缺席", "No-show"), "cancelled": ("已取消", "Cancelled"),
    "declined": ("放弃递补", "Declined"), "expired": ("递补逾期", "Offer expired"), "rejected": ("未通过审核", "Rejected"),
}
EXPENSE_LABELS = {
    "requested": ("已提交财务", "Sent to finance"), "received": ("财务已受理", "Received by finance"),
    "approved": ("已批准", "Approved"), "rejected": ("已驳回", "Rejected"), "paid": ("已支付", "Paid"),
}


def label(table: dict, code: str, language: str | None) -> str:
    zh, en = table.get(code, (code, code))
    return en if (language or "zh-CN").startswith("en") else zh
