"""Where a Huawei Cloud region's ROMA Connect and IAM endpoints are, and what a project id is.

Pure data and string functions, no I/O. Sources: the official SDK's
`huaweicloudsdkcore/auth/endpoint.py` (the regions with their own IAM host; any other region
uses the global `https://iam.myhuaweicloud.com`, `IamHelper.DEFAULT_ENDPOINT` in
`huaweicloudsdkcore/auth/internal.py`) and `huaweicloudsdkroma/v2/region/roma_region.py`
(`https://roma.{region}.myhuaweicloud.com`).
Must not import textual or anything above roma_tui.api.
"""

from __future__ import annotations

import re

#: A project id as IAM issues it: 32 lowercase hexadecimal characters.
PROJECT_ID_PATTERN = r"^[0-9a-f]{32}$"
_PROJECT_ID = re.compile(PROJECT_ID_PATTERN)

#: The SDK's fallback IAM endpoint, for regions without their own (huaweicloudsdkcore 3.1).
GLOBAL_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"

#: Regions with their own IAM endpoint, `https://iam.{region}.myhuaweicloud.com`
#: (huaweicloudsdkcore/auth/endpoint.py, `__IAM_ENDPOINT_DICT`).
REGIONS_WITH_IAM = frozenset(
    {
        "af-south-1",
        "ae-ad-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "cn-east-2",
        "cn-east-3",
        "cn-east-4",
        "cn-east-5",
        "cn-north-1",
        "cn-north-2",
        "cn-north-4",
        "cn-north-9",
        "cn-north-12",
        "cn-south-1",
        "cn-south-2",
        "cn-southwest-2",
        "eu-west-0",
        "la-north-2",
        "la-south-2",
        "me-east-1",
        "my-kualalumpur-1",
        "na-mexico-1",
        "ru-moscow-1",
        "sa-brazil-1",
        "tr-west-1",
    }
)


def roma_endpoint_for(region: str) -> str:
    """The ROMA Connect API of a public-cloud region."""
    return f"https://roma.{region}.myhuaweicloud.com"


def iam_endpoint_for(region: str) -> str:
    """The IAM endpoint the official SDK uses for a region (`IamHelper.get_iam_endpoint`)."""
    if region in REGIONS_WITH_IAM:
        return f"https://iam.{region}.myhuaweicloud.com"
    return GLOBAL_IAM_ENDPOINT


def is_project_id(text: str) -> bool:
    return bool(_PROJECT_ID.match(text))
