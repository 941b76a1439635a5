<?php

declare(strict_types=1);

namespace Clm;

/**
 * A clm C function failed. Each status has its subclass (NotFoundException
 * for CLM_E_NOT_FOUND, ...); codes this binding does not know stay a plain
 * ClmException.
 *
 * getCode() is the clm_status; getMessage() is "STATUS_NAME: detail".
 */
class ClmException extends \RuntimeException
{
    private const CLASSES = [
        1 => InvalidArgumentException::class,
        2 => NoMemoryException::class,
        3 => ParseException::class,
        4 => ValidationException::class,
        5 => NotFoundException::class,
        6 => IllegalTransitionException::class,
        7 => GuardFailedException::class,
        8 => IoException::class,
        9 => CorruptException::class,
        10 => VersionException::class,
        11 => DuplicateException::class,
        12 => BufferTooSmallException::class,
        13 => CancelledException::class,
        14 => CallbackException::class,
        15 => InternalException::class,
    ];

    /** The clm_status code (also getCode()). */
    public readonly int $status;
    /** The constant's name, e.g. "CLM_E_PARSE". */
    public readonly string $statusName;
    /** clm_last_error(): the C function's name, ": ", then what went wrong and where. */
    public readonly string $detail;
    /** The C function that failed, e.g. "clm_model_preset" ("" when not known). */
    public readonly string $function;
    /**
     * The input problems listed in the detail (empty for errors that are not
     * about an input's content).
     *
     * @var list<Problem>
     */
    public readonly array $problems;

    public function __construct(int $status, string $detail, string $function = '', ?\Throwable $previous = null)
    {
        $this->status = $status;
        $this->statusName = statusName($status);
        $this->detail = $detail;
        $this->function = $function;
        $body = $detail;
        if ($function !== '' && str_starts_with($body, $function . ': ')) {
            $body = substr($body, strlen($function) + 2);
        }
        $this->problems = Problem::parseAll($body);
        parent::__construct($this->statusName . ': ' . $detail, $status, $previous);
    }

    /** The exception class of a status (ClmException for codes this binding does not know). */
    public static function classFor(int $status): string
    {
        return self::CLASSES[$status] ?? self::class;
    }

    /** The exception for $status returned by C function $function, with this thread's clm_last_error(). */
    public static function fromLastError(int $status, string $function, ?\Throwable $previous = null): self
    {
        $class = self::classFor($status);
        return new $class($status, lastError(), $function, $previous);
    }

    /** The status as a Status case, or null for a code this binding does not know. */
    public function statusCase(): ?Status
    {
        return Status::tryFrom($this->status);
    }
}
