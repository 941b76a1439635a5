<?php

declare(strict_types=1);

namespace Clm;

/** clm_model_format: the output formats of Model::render(). */
enum Format: int
{
    case TEXT = 0;
    case JSON = 1;
    case DOT = 2;
    case MERMAID = 3;

    /** Accepts a Format, its int value or its name ("mermaid", case-insensitive). */
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
        throw new \ValueError("unknown format '$value' (expected text, json, dot or mermaid)");
    }
}
