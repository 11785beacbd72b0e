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

from roma_tui.simulator.scenario import InstanceState, Lifecycle, Phase, StatusStyle

Word = Phase | Lifecycle
# The list's documented words (CheckRomaInstanceListV2) in three spellings; `frozen` and
# `updating` are not among them (a server that says them anyway is a case worth having).
_STATUS: dict[str, dict[Word, str]] = {
    "upper": {
        "creating": "CREATING",
        "running": "RUNNING",
        "failed": "CREATE_FAILED",
        "error": "ERROR",
        "frozen": "FROZEN",
        "updating": "UPDATING",
        "deleting": "DELETING",
        "deleted": "DELETED",
        "soft_deleted": "SOFT_DELETED",
        "delete_failed": "DELETE_FAILED",
    },
    "lower": {
        "creating": "creating",
        "running": "running",
        "failed": "create_failed",
        "error": "error",
        "frozen": "frozen",
        "updating": "updating",
        "deleting": "deleting",
        "deleted": "deleted",
        "soft_deleted": "soft_deleted",
        "delete_failed": "delete_failed",
    },
    "title": {
        "creating": "Creating",
        "running": "Running",
        "failed": "CreateFailed",
        "error": "Error",
        "frozen": "Frozen",
        "updating": "Updating",
        "deleting": "Deleting",
        "deleted": "Deleted",
        "soft_deleted": "SoftDeleted",
        "delete_failed": "DeleteFailed",
    },
}
# The /apic/ detail: CamelCase status and its number (SDK ShowDetailsOfInstanceV2Response).
_DETAIL_STATUS: dict[Word, tuple[str, int]] = {
    "creating": ("Creating", 1),
    "running": ("Running", 6),
    "failed": ("CreateFail", 3),
    "error": ("Unhealthy", 40),
    "frozen": ("Frozen", 37),
    "updating": ("Updating", 12),
    "deleting": ("Deleting", 23),
    "delete_failed": ("DeleteFailed", 24),
}
GONE: tuple[Word, ...] = ("deleted", "soft_deleted")  # listed, but no progress nor detail
_SPEC: dict[str, str] = {
    "basic": "ROMA_BASIC",
    "professional": "ROMA_PROFESSIONAL",
    "enterprise": "ROMA_ENTERPRISE",
    "platinum": "ROMA_PLATINUM",
}


def status_text(word: Word, style: StatusStyle) -> str:
    return _STATUS[style][word]


def word(state: InstanceState) -> Word:
    """What the instance is now, as the list and the detail say it."""
    return state.lifecycle or _reported_phase(state)


def _reported_phase(state: InstanceState) -> Phase:
    """The creation's phase as the statuses report it: a failure reported only through
    `errorMessage` leaves every status saying creating."""
    if state.phase == "failed" and state.spec.fail_report == "message":
        return "creating"
    return state.phase


def list_status(state: InstanceState) -> str:
    """The status as the list endpoint spells it (and as its `status` filter matches it)."""
    return status_text(word(state), state.spec.status_style or "upper")


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
        "error_code": (state.error_code or None) if _reported_phase(state) == "failed" else None,
        "error_msg": (state.error_msg or None) if _reported_phase(state) == "failed" else None,
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
        "status": status_text(_reported_phase(state), spec.status_style or "upper"),
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
    spec = state.spec
    style = spec.status_style or "lower"
    quiet = state.phase == "failed" and spec.fail_report == "message"
    items = []
    for item, item_spec in zip(state.items, spec.sub_services, strict=True):
        phase = "creating" if quiet and item.phase == "failed" else item.phase
        items.append(
            {
                "name": item.name,
                "start_time": item.start_ms,
                "end_time": item.end_ms if item_spec.report_end else 0,
                "status": _ITEM_STATUS[phase],
                "taken_time": item.taken_min,
                "progress": item.progress,
                "error_msg": "" if quiet else item.error_msg,
                "error_code": "" if quiet else item.error_code,
            }
        )
    return {
        "instance": embedded_instance(state, project_id),
        "currentTime": now_ms,
        "instance_id": spec.id,
        "name": spec.name,
        "start_time": state.created_ms,
        "taken_time": state.taken_min,
        "end_time": state.end_ms if spec.report_end else 0,
        "progress": state.progress,
        "status": spec.top_status or status_text(_reported_phase(state), style),
        "item": items,
    }


def instance_detail(state: InstanceState, project_id: str) -> dict[str, Any]:
    spec = state.spec
    status, number = _DETAIL_STATUS[word(state)]
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
