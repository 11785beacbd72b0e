"""The credentials the simulator accepts: a token, an AK/SK pair and an IAM user.

The demo values are fixed and public (they are printed by `roma-tui simulate` and documented
in the README): they only ever open the local simulator. The project id is the one in the seed
example's `tenantId`, so the seed instance is consistent with its project.
Imports nothing from roma_tui.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from pydantic import SecretStr

DEMO_PROJECT_ID = "c29445cce74b445682de4fcf3102cec4"
DEMO_TOKEN = "MIIDsimulatorDemoToken-roma-tui-local-only-0000000000"
DEMO_AK = "HPUASIMULATORDEMO001"
DEMO_SK = "simulatorDemoSecretKey0123456789abcdefgh"
DEMO_IAM_USER = "demo"
DEMO_IAM_DOMAIN = "demo-account"
DEMO_IAM_PASSWORD = "demo-password"
DEMO_REGION = "cn-north-4"

ENV_TOKEN = "ROMA_SIM_TOKEN"
ENV_AK = "ROMA_SIM_AK"
ENV_SK = "ROMA_SIM_SK"


@dataclass(frozen=True)
class SimCredentials:
    """What the simulator's gateway and IAM accept. Secrets are `SecretStr`."""

    project_id: str
    token: SecretStr
    ak: str
    sk: SecretStr
    iam_user: str
    iam_domain: str
    iam_password: SecretStr
    region: str = DEMO_REGION  # the project's name, for IAM `scope.project.name`

    @classmethod
    def demo(cls) -> SimCredentials:
        return cls(
            project_id=DEMO_PROJECT_ID,
            token=SecretStr(DEMO_TOKEN),
            ak=DEMO_AK,
            sk=SecretStr(DEMO_SK),
            iam_user=DEMO_IAM_USER,
            iam_domain=DEMO_IAM_DOMAIN,
            iam_password=SecretStr(DEMO_IAM_PASSWORD),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SimCredentials:
        """The demo credentials, with ROMA_SIM_TOKEN / ROMA_SIM_AK / ROMA_SIM_SK applied."""
        env = os.environ if env is None else env
        creds = cls.demo()
        if env.get(ENV_TOKEN):
            creds = replace(creds, token=SecretStr(env[ENV_TOKEN]))
        if env.get(ENV_AK):
            creds = replace(creds, ak=env[ENV_AK])
        if env.get(ENV_SK):
            creds = replace(creds, sk=SecretStr(env[ENV_SK]))
        return creds
