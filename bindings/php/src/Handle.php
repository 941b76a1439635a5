<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * An object that owns one C handle (clm_model *, clm_portfolio *, ...).
 *
 * The handle is released by close(), which is safe to call more than once,
 * or, when the object is no longer referenced, by __destruct (PHP's
 * reference counting makes that deterministic, cycles aside). Using a closed
 * object throws a LogicException.
 */
abstract class Handle
{
    /** The handle, or null once closed. */
    private ?CData $ptr = null;

    /** Releases a handle with its type's _free function. */
    abstract protected function release(CData $ptr): void;

    /** Takes ownership of (or, for release() doing nothing, borrows) a handle. */
    protected function adopt(CData $ptr): void
    {
        $this->ptr = $ptr;
    }

    /** Releases the handle at once. Safe to call more than once. */
    public function close(): void
    {
        $ptr = $this->ptr;
        $this->ptr = null;
        if ($ptr !== null && !FFI::isNull($ptr)) {
            $this->release($ptr);
        }
    }

    /** Whether close() was called. */
    public function isClosed(): bool
    {
        return $this->ptr === null;
    }

    public function __destruct()
    {
        try {
            $this->close();
        } catch (\Throwable) {
            // the end of the script: nothing left to report to
        }
    }

    /**
     * The C handle, for passing to Library::ffi() functions.
     *
     * @throws \LogicException when the object is closed
     */
    public function handle(): CData
    {
        if ($this->ptr === null) {
            throw new \LogicException('operation on a closed ' . static::class);
        }
        return $this->ptr;
    }

    /** Objects owning a C handle cannot be copied. */
    public function __clone()
    {
        $this->ptr = null; // the failed copy must not free the original's handle
        throw new \LogicException('a ' . static::class . ' cannot be cloned');
    }
}
