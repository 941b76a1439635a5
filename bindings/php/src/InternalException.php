<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_INTERNAL: a bug in clm; please report it with the message. */
class InternalException extends ClmException
{
}
