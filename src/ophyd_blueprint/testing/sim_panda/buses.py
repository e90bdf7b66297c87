"""What a block sees of the simulation: the buses, the values, the time."""

from __future__ import annotations

from typing import Protocol

from .store import Store

__all__ = ["Buses"]


class Buses(Protocol):
    """The engine, as the blocks use it."""

    store: Store
    now: int
    """The current time in FPGA ticks."""
    pos: dict[str, int]
    pos_names: list[str]

    def bit_input(self, mux_key: str) -> bool:
        """The level of the bit a bit_mux field (``SEQ1.ENABLE``) selects."""
        ...

    def pos_input(self, mux_key: str) -> int:
        """The value of the position a pos_mux field (``SEQ1.POSA``) selects."""
        ...

    def bits_word(self, word: int) -> int: ...

    def set_bit(self, key: str, level: bool) -> None: ...

    def set_output(self, key: str, level: bool) -> None: ...

    def set_pos(self, key: str, value: int) -> None: ...

    def encoder_counts(self, number: int, t: int) -> int: ...
