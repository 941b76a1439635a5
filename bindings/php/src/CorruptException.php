<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_CORRUPT: a save file is damaged. */
class CorruptException extends ClmException
{
}
