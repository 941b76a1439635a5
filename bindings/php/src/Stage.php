<?php

declare(strict_types=1);

namespace Clm;

/** One stage of a model. $index is its 0-based position in Model::stages(). */
final class Stage
{
    /**
     * @param list<string> $requirements the entry requirements (checklist items, documents)
     */
    public function __construct(
        public readonly int $index,
        public readonly string $id,
        public readonly string $name,
        public readonly StageKind $kind,
        public readonly string $task,
        public readonly ?int $timeLimitDays,
        public readonly ?float $probability,
        public readonly array $requirements,
    ) {
    }
}
