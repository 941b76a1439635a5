<?php

declare(strict_types=1);

namespace Clm;

/** A move $fromStage -> $toStage on $event (stage ids). */
final class Transition
{
    public function __construct(
        public readonly string $fromStage,
        public readonly string $toStage,
        public readonly string $event,
    ) {
    }
}
