"""Rate limit and injected faults, over real loopback HTTP. No assertion depends on timing."""

from __future__ import annotations

import pytest
import requests
from sandbox_helpers import NOW, TOKEN, event, post

from pinexport.sandbox import Faults, Sandbox


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_burst_over_a_tiny_limit_gets_429s_then_recovers():
    clock = FakeClock()
    with Sandbox(token=TOKEN, now=lambda: NOW, rate_limit_per_minute=3, clock=clock) as sb:
        codes = [post(sb, [event(i)]).status_code for i in range(6)]
        assert codes == [200, 200, 200, 429, 429, 429]
        r = post(sb, [event(9)])
        assert r.status_code == 429
        assert r.json()["code"] == 8 and "rate limit" in r.json()["message"]
        assert "Retry-After" not in r.headers  # Pinterest does not document one
        # another ad account has its own bucket
        assert post(sb, [event(10)], account="42").status_code == 200
        clock.t += 20.0  # 3 per minute: one call back every 20 s
        assert post(sb, [event(11)]).status_code == 200
        assert post(sb, [event(12)]).status_code == 429
        assert sorted(r.events[0][0] for r in sb.record) == sorted(event(i)["event_id"] for i in (0, 1, 2, 10, 11))
        assert sb.stats()["answers"] == {"200": 5, "429": 5}


def test_real_clock_burst_with_a_tiny_limit():
    with Sandbox(token=TOKEN, now=lambda: NOW, rate_limit_per_minute=2) as sb:
        with requests.Session() as s:
            codes = [post(sb, [event(i)], session=s).status_code for i in range(10)]
    # 2 per minute: at most one more call can be refilled however slow this machine is (within 30 s)
    assert codes[:2] == [200, 200] and codes.count(429) >= 7 and set(codes) == {200, 429}


def test_retry_after_header_when_asked():
    with Sandbox(token=TOKEN, now=lambda: NOW, rate_limit_per_minute=1, clock=FakeClock(), retry_after=2.5) as sb:
        assert post(sb, [event(1)]).status_code == 200
        r = post(sb, [event(2)])
        assert r.status_code == 429 and r.headers["Retry-After"] == "2.5"


@pytest.mark.parametrize("fault, status, code", [("500", 500, 1), ("503", 503, 4197), ("429", 429, 8)])
def test_injected_error_answers_process_nothing(fault, status, code):
    with Sandbox(token=TOKEN, now=lambda: NOW, faults=Faults(script=(fault,))) as sb:
        r = post(sb, [event(1)])
        assert r.status_code == status
        assert r.json()["code"] == code and isinstance(r.json()["message"], str)
        assert sb.record == []
        assert post(sb, [event(1)]).status_code == 200  # the script is over: a retry succeeds
        assert sb.accepted_event_ids() == {event(1)["event_id"]: 1}
        assert sb.stats()["faults"] == {fault: 1}


def test_drop_before_reading_processes_nothing():
    with Sandbox(token=TOKEN, now=lambda: NOW, faults=Faults(script=("drop_before",))) as sb:
        with pytest.raises(requests.ConnectionError):
            post(sb, [event(i) for i in range(200)])
        assert sb.record == []
        assert post(sb, [event(1)]).status_code == 200


def test_drop_after_processing_loses_the_answer_but_records_the_events():
    with Sandbox(token=TOKEN, now=lambda: NOW, faults=Faults(script=("drop_after",))) as sb:
        with pytest.raises(requests.ConnectionError):
            post(sb, [event(1), event(2)])
        [rec] = sb.record
        assert rec.answer_dropped is True
        assert rec.events == ((event(1)["event_id"], "processed"), (event(2)["event_id"], "processed"))
        # the client retries: Pinterest (and the sandbox) count the events twice
        assert post(sb, [event(1), event(2)]).status_code == 200
        assert sb.accepted_event_ids() == {event(1)["event_id"]: 2, event(2)["event_id"]: 2}
        assert [r.answer_dropped for r in sb.record] == [True, False]


def test_slow_answer_times_out_a_short_client_timeout():
    faults = Faults(script=("slow", "slow"), slow_seconds=3.0)
    with Sandbox(token=TOKEN, now=lambda: NOW, faults=faults) as sb:
        with pytest.raises(requests.Timeout):
            post(sb, [event(1)], timeout=0.2)
        r = post(sb, [event(2)], timeout=60)  # a patient client gets its answer
        assert r.status_code == 200
        assert sb.stats()["faults"] == {"slow": 2}
    # stop() let the first request finish: processed after its delay although nobody waits for the answer,
    # like a real slow server does
    assert sb.accepted_event_ids() == {event(1)["event_id"]: 1, event(2)["event_id"]: 1}


def test_fault_shares_of_one_always_apply():
    with Sandbox(token=TOKEN, now=lambda: NOW, faults=Faults(fail_5xx=1.0), seed=3) as sb:
        codes = {post(sb, [event(i)]).status_code for i in range(20)}
        assert codes == {500, 503}
        assert sb.record == []


def test_seeded_faults_are_reproducible():
    def run(seed: int) -> list[object]:
        faults = Faults(fail_5xx=0.2, fail_429=0.2, drop=0.2, drop_when="after")
        out: list[object] = []
        with Sandbox(token=TOKEN, now=lambda: NOW, faults=faults, seed=seed) as sb:
            for i in range(40):
                try:
                    out.append(post(sb, [event(i)]).status_code)
                except requests.ConnectionError:
                    out.append("dropped")
            dropped = sum(r.answer_dropped for r in sb.record)
        assert out.count("dropped") == dropped  # every dropped answer was processed and recorded
        return out

    first = run(11)
    assert first == run(11)
    assert {200, 429, "dropped"} <= set(first) and ({500, 503} & set(first))


def test_set_faults_at_run_time(sandbox):
    assert post(sandbox, [event(1)]).status_code == 200
    sandbox.set_faults(Faults(fail_429=1.0))
    assert post(sandbox, [event(2)]).status_code == 429
    sandbox.set_faults(Faults())
    assert post(sandbox, [event(3)]).status_code == 200


def test_faults_reject_bad_settings():
    with pytest.raises(ValueError):
        Faults(fail_5xx=1.5)
    with pytest.raises(ValueError):
        Faults(script=("boom",))
    with pytest.raises(ValueError):
        Faults(drop_when="later")
