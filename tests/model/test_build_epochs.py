"""`model build` raises the epoch count on small data so fine-tuning gets enough steps."""

from __future__ import annotations

from exporters.build import effective_epochs


def test_small_data_gets_more_epochs() -> None:
    # 202 templates, batch 32: 7 steps an epoch; 100 steps need 15 epochs.
    assert effective_epochs(1, 202, 32, 100) == 15


def test_enough_data_keeps_the_asked_epochs() -> None:
    # 2,450 templates: 77 steps an epoch, 6 epochs already pass 100 steps.
    assert effective_epochs(6, 2450, 32, 100) == 6
    assert effective_epochs(3, 202, 32, 0) == 3


def test_frozen_encoder_and_empty_split_stay_as_asked() -> None:
    assert effective_epochs(0, 202, 32, 100) == 0
    assert effective_epochs(2, 0, 32, 100) == 2
