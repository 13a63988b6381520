"""The README's worked examples for the real shops are valid settings (a documented key that the adapter
refuses would send an operator in circles)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from controlroom.settings import Settings
from plugins.douyin import DouyinConfig
from plugins.wechat_channels import WechatChannelsConfig

README = Path(__file__).resolve().parents[3] / "README.md"


def example(heading: str) -> dict:
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    return tomllib.loads(block)


@pytest.mark.parametrize("heading,cls,kind", [("#### 抖店 (`[platform.douyin]`)", DouyinConfig, "douyin"),
                                              ("#### 微信小店 (`[platform.wechat_channels]`)", WechatChannelsConfig,
                                               "wechat_channels")])
def test_the_readme_example_is_accepted(heading, cls, kind):
    data = example(heading)
    assert data["platform"]["kind"] == kind
    cfg = cls.from_settings(Settings(None, data=data))
    assert isinstance(cfg, cls)
