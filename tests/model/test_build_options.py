"""`model build` options: epochs raised on small data so fine-tuning gets enough steps;
training templates weighed by line count or its log."""

from __future__ import annotations

import numpy as np

from exporters.build import effective_epochs, template_weights


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


def test_template_weights_by_lines_or_log_lines() -> None:
    counts = np.array([1.0, 100.0])
    assert template_weights(counts, line_weighted=True).tolist() == [1.0, 100.0]
    assert template_weights(counts, line_weighted=False).tolist() == [1.0, 1.0 + np.log(100.0)]
