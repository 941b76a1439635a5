<?php

declare(strict_types=1);

namespace Clm;

/**
 * What to do: the action $kind (contact, follow_up, send_document, ...),
 * through which $channel, for which $goal, offering which $product, by when
 * ($due, YYYY-MM-DD); $document and $targetStage when the rule names them.
 */
final class Action
{
    public function __construct(
        public readonly string $kind,
        public readonly string $channel,
        public readonly string $goal,
        public readonly string $product,
        public readonly string $due,
        public readonly ?string $document = null,
        public readonly ?string $targetStage = null,
    ) {
    }

    /** @internal From the `action` object of the recommendation JSON. */
    public static function fromJson(array $j): self
    {
        return new self($j['kind'], $j['channel'], $j['goal'], $j['product'], $j['due'],
            $j['document'] ?? null, $j['target_stage'] ?? null);
    }
}
