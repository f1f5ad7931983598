"""The web's own error texts: Chinese first (the dashboard is Chinese), the English term in parentheses.

Problems found in users' files keep the reader's wording (file:sheet:row:column); these are the texts the
web layer writes itself: unknown codes, limits, the server's own 413/500/503, and Starlette's stock phrases.
"""

from __future__ import annotations

INTERNAL = "服务器内部错误 (internal server error)"
BUSY = "服务器繁忙，请稍后再试 (service unavailable: too many connections)"
INVALID = "请求参数无效 (invalid request)"
# Starlette's stock details (an unknown path, a wrong method …) in the same voice
STOCK = {
    "Not Found": "未找到 (not found)",
    "Method Not Allowed": "不支持该请求方法 (method not allowed)",
    "Unauthorized": "未授权 (unauthorized)",
    "Forbidden": "禁止访问 (forbidden)",
    "Unsupported Media Type": "不支持的内容类型 (unsupported media type)",
}


def unknown_city(code: str) -> str:
    return f"未知的城市代码 {code[:20]!r} (unknown city code)"


def too_large(limit: int) -> str:
    return f"请求体过大，上限 {limit:,} 字节 (request body too large: limit {limit} bytes)"


def stock(detail: str) -> str:
    """Starlette's English stock phrase in Chinese first; any other detail unchanged."""
    return STOCK.get(detail, detail)
