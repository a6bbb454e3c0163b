"""Short GB18030/GBK files must not be mistaken for Korean or Big5 (a real failure we hit)."""

from __future__ import annotations

import pytest

from mudan.lake.encoding import detect_encoding

SAMPLES = [
    "号牌号码,登记日期,排量\n鲁R12345,2024-03-01,1.6\n鲁R23456,2024/03/02,2.0\n",
    "姓名,年龄\n张三,30\n李四,不详\n",
    "统一社会信用代码,企业名称\n91371700MA3C4XXX1X,菏泽市牡丹区某某商贸有限公司\n",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_short_chinese_files_decode_as_gb18030(text: str, codec: str) -> None:
    data = text.encode(codec)
    enc = detect_encoding(data, complete=True)
    assert enc == "gb18030"
    assert data.decode(enc) == text
