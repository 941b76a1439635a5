<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_IO: a file could not be read or written. */
class IoException extends ClmException
{
}
