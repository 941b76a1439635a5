<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_DUPLICATE: an id that must be unique is already there. */
class DuplicateException extends ClmException
{
}
