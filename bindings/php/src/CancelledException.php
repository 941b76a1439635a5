<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_CANCELLED: a progress callback asked to stop; getPrevious() is the PHP exception that stopped it, if any. */
class CancelledException extends ClmException
{
}
