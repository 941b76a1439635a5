<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_PARSE: malformed input text; see $problems. */
class ParseException extends ClmException
{
}
