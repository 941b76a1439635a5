<?php

declare(strict_types=1);

namespace Clm;

/**
 * Where a customer stands in a model: the stage id (null when not in the
 * model on that date) and the whole days spent in it.
 */
final class StagePosition
{
    public function __construct(
        public readonly ?string $stageId,
        public readonly int $days,
    ) {
    }
}
