<?php

declare(strict_types=1);

namespace Clm;

/**
 * clm_status: the result codes of the C ABI (append-only, never renumbered).
 * A ClmException's getCode() is one of these values.
 */
enum Status: int
{
    case OK = 0;
    case INVALID_ARGUMENT = 1;
    case NO_MEMORY = 2;
    case PARSE = 3;
    case VALIDATION = 4;
    case NOT_FOUND = 5;
    case ILLEGAL_TRANSITION = 6;
    case GUARD_FAILED = 7;
    case IO = 8;
    case CORRUPT = 9;
    case VERSION = 10;
    case DUPLICATE = 11;
    case BUFFER_TOO_SMALL = 12;
    case CANCELLED = 13;
    case CALLBACK = 14;
    case INTERNAL = 15;

    /** clm_status_name(): the constant's name, e.g. "CLM_E_PARSE". */
    public function constantName(): string
    {
        return statusName($this->value);
    }
}
