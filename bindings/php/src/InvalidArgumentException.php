<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_INVALID_ARGUMENT: a NULL handle, a bad enum value, an out-of-range index, a malformed date. */
class InvalidArgumentException extends ClmException
{
}
