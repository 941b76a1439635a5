<?php

declare(strict_types=1);

namespace Clm;

/**
 * The clm C library cannot be used: not found, not a clm library, a version
 * this binding was not generated for, or lacking a function of clm.h.
 */
final class LibraryException extends \RuntimeException
{
}
