"""A local Pinterest Conversions API sandbox (`POST /v5/ad_accounts/{id}/events`) for tests, demos and CI.

    from pinexport.sandbox import Sandbox, Faults
    with Sandbox(token="t", faults=Faults(fail_5xx=0.1), seed=1) as sb:
        ...  # point the exporter at sb.url
        assert sb.accepted_event_ids()[event_id] == 1
"""

from pinexport.sandbox.checks import EventOutcome, RequestInvalid
from pinexport.sandbox.faults import FAULT_NAMES, Faults
from pinexport.sandbox.process import SandboxProcess
from pinexport.sandbox.record import RecordedRequest, accepted_event_ids, load_record
from pinexport.sandbox.server import Sandbox, SandboxError, is_loopback

__all__ = [
    "FAULT_NAMES",
    "EventOutcome",
    "Faults",
    "RecordedRequest",
    "RequestInvalid",
    "Sandbox",
    "SandboxError",
    "SandboxProcess",
    "accepted_event_ids",
    "is_loopback",
    "load_record",
]
