"""The simulator's JSON, written by hand from scenario state, with the real API's quirks.

Three endpoints, three conventions, as the real service has them (see shared/api/ROMA-API.md):
the list is snake_case with string times and upper-case statuses; the creation progress has a
snake_case top level with ms epochs and lower-case statuses plus a camelCase `instance` object;
the `/apic/` detail has `instance_name`, CamelCase statuses and a seconds epoch.
Must not import roma_tui.api.models or roma_tui.api.client: a parsing bug must not be able to
hide behind symmetric serialisation.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from roma_tui.simulator.scenario import InstanceState, Phase, StatusStyle

_STATUS: dict[str, dict[Phase, str]] = {
    "upper": {"creating": "CREATING", "running": "RUNNING", "failed": "CREATE_FAILED"},
    "lower": {"creating": "creating", "running": "running", "failed": "create_failed"},
    "title": {"creating": "Creating", "running": "Running", "failed": "CreateFailed"},
}
# The /apic/ detail: CamelCase status and its number (SDK ShowDetailsOfInstanceV2Response).
_DETAIL_STATUS: dict[Phase, tuple[str, int]] = {
    "creating": ("Creating", 1),
    "running": ("Running", 6),
    "failed": ("CreateFail", 3),
}
_SPEC: dict[str, str] = {
    "basic": "ROMA_BASIC",
    "professional": "ROMA_PROFESSIONAL",
    "enterprise": "ROMA_ENTERPRISE",
    "platinum": "ROMA_PLATINUM",
}


def status_text(phase: Phase, style: StatusStyle) -> str:
    return _STATUS[style][phase]


def list_status(state: InstanceState) -> str:
    """The status as the list endpoint spells it (and as its `status` filter matches it)."""
    return status_text(state.phase, state.spec.status_style or "upper")


def _iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def listed_instance(state: InstanceState, project_id: str) -> dict[str, Any]:
    spec = state.spec
    return {
        "id": spec.id,
        "name": spec.name,
        "description": spec.description,
        "flavor_id": spec.product_id,
        "flavor_type": spec.type,
        "cpu_arch": spec.cpu_arch,
        "vpc_id": spec.vpc_id,
        "subnet_id": spec.subnet_id,
        "security_group_id": spec.security_group_id,
        "publicip_enable": False,
        "publicip_id": None,
        "publicip_address": None,
        "status": list_status(state),
        "error_code": state.error_code or None,
        "error_msg": state.error_msg or None,
        "charge_type": spec.charge_type,
        "project_id": project_id,
        "create_time": _iso_ms(state.created_ms),
        "update_time": _iso_ms(state.updated_ms),
        "maintain_begin": spec.maintain_begin,
        "maintain_end": spec.maintain_end,
        "available_zone_ids": list(spec.available_zones),
        "enterprise_project_id": spec.enterprise_project_id,
    }


def embedded_instance(state: InstanceState, project_id: str) -> dict[str, Any]:
    """The camelCase `instance` object of the creation-progress answer (seed field order)."""
    spec = state.spec
    prepaid = spec.charge_type == "prePaid"
    if state.phase == "failed":
        error_code: str | None = state.error_code
        error_message: str | None = state.error_msg
    elif state.phase == "creating":
        error_code, error_message = spec.job_id or None, None
    else:
        error_code = error_message = None
    running = state.phase == "running"
    data: dict[str, Any] = {
        "instanceId": spec.id,
        "name": spec.name,
        "status": status_text(state.phase, spec.status_style or "upper"),
        "connectAddress": spec.connect_address if running else None,
        "connectAddressWithPP": None,
        "mgmtConnectAddress": None,
        "mgmtExtraConnectAddress": None,
        "port": None,
        "conAmount": None,
        "type": spec.type,
        "location": None,
        "productId": spec.product_id,
        "engine": "ROMA",
        "engineVersion": "1.0.0",
        "chargingMode": 1 if prepaid else 0,
        "description": spec.description,
        "errorCode": error_code,
        "errorMessage": error_message,
        "resTenantId": "#",
        "resDomainId": "#",
        "resVpcId": "#",
        "resSubnetId": "#",
        "resSecurityGroupId": "#",
        "tenantId": project_id,
        "tenantVpcId": spec.vpc_id,
        "tenantSubnetId": spec.subnet_id,
        "tenantSecurityGroupId": spec.security_group_id,
        "userId": None,
        "userName": None,
        "domainId": None,
        "virtualRouterId": None,
        "orderId": None,
        "createdAt": state.created_ms,
        "updatedAt": state.updated_ms,
        "deletedAt": None,
        "availableZones": json.dumps(list(spec.available_zones)),
        "maintainBegin": spec.maintain_begin,
        "maintainEnd": spec.maintain_end,
        "taskStatus": None,
        "noPasswordAccess": False,
        "accessUser": None,
        "publicipId": None,
        "publicipAddr": None,
        "publicipBounded": False,
        "outZones": None,
        "resourceList": None,
        "nameLike": None,
        "instanceIdLike": None,
        "specCode": spec.spec,
        "statusIncluded": None,
        "epId": spec.enterprise_project_id,
        "resLeakStatus": None,
        "tagEntries": None,
        "epIds": None,
        "typeExcluded": None,
        "ipv6Enable": False,
        "ipv6ConnectAddress": None,
        "bandwidths": 0,
        "ingressBandwidthSize": None,
        "resInstanceClusterId": "#",
        "scope": "center",
        "cpuArch": spec.cpu_arch,
        "cryptoType": None,
        "rocketmqEnable": False,
        "externalElbEnable": False,
        "ltsLogGroupId": None,
        "demondPay": not prepaid,
        "prePay": prepaid,
        "epIdOrDefault": spec.enterprise_project_id,
    }
    data.update(spec.extra)
    return data


_ITEM_STATUS: dict[str, str] = {
    "waiting": "creating",  # as in the seed: not started yet, still "creating"
    "creating": "creating",
    "done": "running",
    "failed": "create_failed",
}


def creation_progress(state: InstanceState, project_id: str, now_ms: int) -> dict[str, Any]:
    style = state.spec.status_style or "lower"
    return {
        "instance": embedded_instance(state, project_id),
        "currentTime": now_ms,
        "instance_id": state.spec.id,
        "name": state.spec.name,
        "start_time": state.created_ms,
        "taken_time": state.taken_min,
        "end_time": state.end_ms,
        "progress": state.progress,
        "status": status_text(state.phase, style),
        "item": [
            {
                "name": item.name,
                "start_time": item.start_ms,
                "end_time": item.end_ms,
                "status": _ITEM_STATUS[item.phase],
                "taken_time": item.taken_min,
                "progress": item.progress,
                "error_msg": item.error_msg,
                "error_code": item.error_code,
            }
            for item in state.items
        ],
    }


def instance_detail(state: InstanceState, project_id: str) -> dict[str, Any]:
    spec = state.spec
    status, number = _DETAIL_STATUS[state.phase]
    running = state.phase == "running"
    return {
        "id": spec.id,
        "project_id": project_id,
        "instance_name": spec.name,
        "status": status,
        "instance_status": number,
        "type": "apic",
        "spec": _SPEC[spec.type],
        "create_time": state.created_ms // 1000,
        "enterprise_project_id": spec.enterprise_project_id,
        "eip_address": None,
        "charging_mode": 1 if spec.charge_type == "prePaid" else 0,
        "cbc_metadata": None,
        "description": spec.description or "",
        "vpc_id": spec.vpc_id,
        "subnet_id": spec.subnet_id,
        "security_group_id": spec.security_group_id,
        "maintain_begin": spec.maintain_begin,
        "maintain_end": spec.maintain_end,
        "ingress_ip": spec.connect_address if running else None,
        "user_id": None,
        "nat_eip_ipv6_cidr": None,
        "eip_ipv6_address": None,
        "nat_eip_address": None,
        "bandwidth_size": 0,
        # a string here, not a list (unlike the list endpoint)
        "available_zone_ids": "[" + ", ".join(spec.available_zones) + "]",
        "instance_version": "1.0.0",
        "virsubnet_id": spec.subnet_id,
        "roma_eip_address": None,
        "listeners": [],
        "supported_features": [],
        "ingress_ip_v6": None,
        "node_ips": None,
        "ingress_ips": None,
        "cipher_type": "generic",
    }
