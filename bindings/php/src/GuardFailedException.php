<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_GUARD_FAILED: the move exists but a guard refused it. */
class GuardFailedException extends ClmException
{
}
