<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_BUFFER_TOO_SMALL: a caller buffer is too small. */
class BufferTooSmallException extends ClmException
{
}
