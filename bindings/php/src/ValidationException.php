<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_VALIDATION: well-formed input that breaks the rules; see $problems. */
class ValidationException extends ClmException
{
}
