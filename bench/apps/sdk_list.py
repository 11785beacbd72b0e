"""Baseline: the official Huawei Cloud SDK (`huaweicloudsdkroma`, a test-only dependency)
listing the project's instances, page by page, and printing them as one JSON document.

`HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=... python bench/apps/sdk_list.py ENDPOINT PROJECT_ID`
"""

import json
import os
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkroma.v2 import CheckRomaInstanceListV2Request, RomaClient

PAGE = 100


def main(endpoint: str, project_id: str) -> None:
    credentials = BasicCredentials(
        os.environ["HUAWEICLOUD_SDK_AK"], os.environ["HUAWEICLOUD_SDK_SK"], project_id
    )
    client = (
        RomaClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()
    )
    instances = []
    while True:
        page = client.check_roma_instance_list_v2(
            CheckRomaInstanceListV2Request(offset=len(instances), limit=PAGE)
        )
        instances += page.instances or []
        if not page.instances or len(instances) >= (page.total or 0):
            break
    json.dump({"instances": [i.to_dict() for i in instances]}, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
