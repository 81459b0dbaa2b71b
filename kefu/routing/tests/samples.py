"""A small synthetic bilingual set: three kinds of contacts, in Chinese and English."""

import itertools

PHRASES = {
    "order": ["我的订单还没有发货", "快递三天没更新物流", "查询订单物流信息", "Where is my order shipping",
              "my package delivery is late", "track my parcel delivery"],
    "complaint": ["我要投诉客服态度差", "快递员态度恶劣我要投诉", "对服务非常不满意投诉", "I want to file a complaint",
                  "your agent was rude, complaint", "terrible service, I am complaining"],
    "tech": ["APP登录不了密码错误", "手机应用闪退打不开", "无法登录账号验证码收不到", "the app crashes on login",
             "I cannot log in, password reset fails", "login error after the update"],
}
SUFFIXES = ["", "，请尽快处理", " please help", "！", "，谢谢", " thanks"]


def examples() -> list[tuple[str, str]]:
    """(text, label) pairs: every phrase with every suffix."""
    return [
        (f"{phrase}{suffix}", label)
        for label, phrases in PHRASES.items()
        for phrase, suffix in itertools.product(phrases, SUFFIXES)
    ]
