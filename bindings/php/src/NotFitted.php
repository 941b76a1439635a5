<?php

declare(strict_types=1);

namespace Clm;

/** An action that did not fit the week, and why. */
final class NotFitted
{
    public function __construct(
        public readonly string $reason,
        public readonly float $minutes,
        public readonly Recommendation $recommendation,
    ) {
    }
}
