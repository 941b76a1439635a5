<?php

declare(strict_types=1);

namespace Clm;

/** An action fitted into the week: on $day, taking $minutes. */
final class PlannedAction
{
    public function __construct(
        public readonly string $day,
        public readonly float $minutes,
        public readonly Recommendation $recommendation,
    ) {
    }
}
