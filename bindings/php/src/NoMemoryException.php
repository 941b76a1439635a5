<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_NO_MEMORY: an allocation failed; nothing was changed. */
class NoMemoryException extends ClmException
{
}
