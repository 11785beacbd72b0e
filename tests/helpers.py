"""Test data shared by several test modules (`from helpers import ...`: tests/ is on the path).

The secrets are distinctive strings, so a test can assert that none of them leaks into output,
logs, a repr or an error message.
"""

from __future__ import annotations

TOKEN = "tok-QUOKKA-7f3e9a1c5b"
SK = "sk-PANGOLIN-0d8c2b4e6a"
SECURITY_TOKEN = "st-AXOLOTL-91ab3cd4ef"
PASSWORD = "pw-NARWHAL-55aa66bb77"
AK = "HPUAEXAMPLEAK0000001"
PROJECT = "0123456789abcdef0123456789abcdef"
SECRETS = (TOKEN, SK, SECURITY_TOKEN, PASSWORD)
