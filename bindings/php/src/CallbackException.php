<?php

declare(strict_types=1);

namespace Clm;

/** CLM_E_CALLBACK: a host callback reported an error; getPrevious() is the PHP exception it threw, if any. */
class CallbackException extends ClmException
{
}
