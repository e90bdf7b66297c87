"""caproto's simulated motor record, with a real motor record's put completion.

Run as a script: ``python fake_motor_ioc.py --prefix P: [--list-pvs]``; it
serves ``P:M1`` (velocity 2, limits -10..20) and ``P:STALLED`` (accepts a
move, never finishes it: a controller that stopped answering).

caproto's ``motor_record_simulator`` completes a put to ``.VAL`` at once and
starts moving on its next tick. A real motor record completes a
``ca_put_callback`` to ``.VAL`` only when the move is done (DMOV back to 1),
which is what the motion logic waits for; the hook below adds that.
"""

from __future__ import annotations

import asyncio
from typing import Any

from caproto.ioc_examples.fake_motor_record import motor_record_simulator
from caproto.server import PVGroup, SubGroup, ioc_arg_parser, pvproperty, run


def complete_puts_when_done(instance: Any) -> None:
    """Make a client's put to .VAL complete at the next DMOV = 1 (move done).

    Client writes arrive through ``write_from_dbr``; the simulator's own
    writes (taking the stopped position as setpoint) do not, so they never wait.
    """
    dmov = instance.field_inst.done_moving_to_value
    settled = asyncio.Event()
    write_dmov = dmov.write

    async def write_dmov_and_tell(value: Any, *args: Any, **kwargs: Any) -> Any:
        result = await write_dmov(value, *args, **kwargs)
        if value == 1:
            settled.set()
        return result

    client_write = instance.write_from_dbr

    async def client_write_until_done(*args: Any, **kwargs: Any) -> Any:
        settled.clear()
        result = await client_write(*args, **kwargs)
        await settled.wait()
        return result

    dmov.write = write_dmov_and_tell
    instance.write_from_dbr = client_write_until_done


class Axis(PVGroup):
    motor = pvproperty(value=0.0, name="", record="motor", precision=3)

    def __init__(
        self, *args: Any, velocity: float, limits: tuple[float, float], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.defaults = {
            "velocity": velocity,
            "precision": 3,
            "acceleration": 0.1,
            "resolution": 1e-6,
            "user_limits": limits,
        }

    @motor.startup
    async def motor(self, instance: Any, async_lib: Any) -> None:
        await instance.field_inst.engineering_units.write("mm")
        complete_puts_when_done(instance)
        await motor_record_simulator(instance, async_lib, self.defaults, 20.0)


class StalledAxis(PVGroup):
    motor = pvproperty(value=0.0, name="", record="motor", precision=3)

    @motor.startup
    async def motor(self, instance: Any, async_lib: Any) -> None:
        fields = instance.field_inst
        await fields.velocity.write(10.0)
        never = asyncio.Event()
        client_write = instance.write_from_dbr

        async def accept_and_hang(*args: Any, **kwargs: Any) -> None:
            await client_write(*args, **kwargs)
            await fields.done_moving_to_value.write(0)
            await fields.motor_is_moving.write(1)
            await never.wait()

        instance.write_from_dbr = accept_and_hang


class FakeMotorIoc(PVGroup):
    m1 = SubGroup(Axis, velocity=2.0, limits=(-10.0, 20.0), prefix="M1")
    stalled = SubGroup(StalledAxis, prefix="STALLED")


if __name__ == "__main__":
    options, run_options = ioc_arg_parser(
        default_prefix="FAKE:", desc="simulated motor records"
    )
    run(FakeMotorIoc(**options).pvdb, **run_options)
