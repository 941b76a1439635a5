<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_VERSION: a format version this library does not read. */
class VersionException extends ClmException
{
}
