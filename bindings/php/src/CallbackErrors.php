<?php

declare(strict_types=1);

namespace Clm;

/**
 * The Throwables raised by PHP callbacks during one C call, kept so that
 * the caller can rethrow them once the call has returned.
 *
 * @internal
 */
final class CallbackErrors
{
    /** @var list<\Throwable> */
    private array $errors = [];

    public function add(\Throwable $e): void
    {
        $this->errors[] = $e;
    }

    public function clear(): void
    {
        $this->errors = [];
    }

    /** The last Throwable raised, or null. */
    public function last(): ?\Throwable
    {
        return $this->errors === [] ? null : $this->errors[count($this->errors) - 1];
    }
}
