<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * One committed journal row (clm_change), as Portfolio::eventsSince() and an
 * observer (Portfolio::setObserver()) see it.
 *
 * $seq is its sequence number; $event the row as an Event (every move is a
 * `stage` row naming the stage reached and its model), so that
 * $other->apply($change->event) replays it. For a stage row, $model,
 * $fromStage (null when the row placed the customer in the model) and
 * $toStage; null for other rows. See docs/embedding.md.
 */
final class Change
{
    public function __construct(
        public readonly int $seq,
        public readonly Event $event,
        public readonly ?string $model,
        public readonly ?string $fromStage,
        public readonly ?string $toStage,
    ) {
    }

    /** @internal A clm_change the library passed to a callback (valid during the call only). */
    public static function fromC(CData $change): self
    {
        $e = $change->event[0];
        $amount = $e->has_amount !== 0 ? (float) $e->amount : null;
        return new self(
            (int) $change->seq,
            new Event(
                self::str($e->customer_id) ?? '',
                self::str($e->timestamp) ?? '',
                self::str($e->type) ?? '',
                self::str($e->value),
                self::nonEmpty($e->model),
                self::nonEmpty($e->channel),
                self::nonEmpty($e->manager),
                $amount,
                self::nonEmpty($e->reason),
                self::str($e->due),
                self::nonEmpty($e->note),
            ),
            self::str($change->model),
            self::str($change->from_stage),
            self::str($change->to_stage),
        );
    }

    /** A `const char *` field: PHP's FFI reads it as a string, or null for NULL. */
    private static function str(CData|string|null $p): ?string
    {
        if ($p instanceof CData) {
            return FFI::isNull($p) ? null : FFI::string($p);
        }
        return $p;
    }

    private static function nonEmpty(CData|string|null $p): ?string
    {
        $s = self::str($p);
        return $s === '' ? null : $s;
    }
}
