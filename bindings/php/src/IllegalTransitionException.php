<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_ILLEGAL_TRANSITION: the model has no such move from that stage. */
class IllegalTransitionException extends ClmException
{
}
