<?php

declare(strict_types=1);

namespace Clm;

/** clm_stage_kind: what reaching a stage means. */
enum StageKind: int
{
    case OPEN = 0;
    case WON = 1;
    case LOST = 2;
    case DORMANT = 3;
    case TERMINAL = 4;

    /** Accepts a StageKind, its int value or its name ("won", case-insensitive). */
    public static function coerce(self|string|int $value): self
    {
        if ($value instanceof self) {
            return $value;
        }
        if (is_int($value)) {
            return self::from($value);
        }
        foreach (self::cases() as $case) {
            if (strcasecmp($case->name, $value) === 0) {
                return $case;
            }
        }
        throw new \ValueError("unknown stage kind '$value' (expected open, won, lost, dormant or terminal)");
    }
}
