<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_NOT_FOUND: an unknown id (preset, stage, event, customer, model). */
class NotFoundException extends ClmException
{
}
