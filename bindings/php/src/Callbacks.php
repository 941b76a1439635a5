<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * The C callbacks of the binding: one C function pointer per callback type
 * for the whole process, dispatching to PHP callables by the payload.
 *
 * Why not a closure per registration: PHP's FFI keeps every closure turned
 * into a C function pointer until the end of the request (a leak in a
 * long-running worker), and an exception thrown inside one is a fatal
 * error. So each trampoline is made once, the payload points to a size_t
 * holding the registration's id, and every Throwable is caught and kept,
 * to be rethrown by the caller as the previous exception of the
 * CallbackException (predicates) or CancelledException (progress).
 *
 * The registry holds the PHP callables weakly: the object that registered
 * one keeps it alive. So a predicate that captures its own portfolio makes
 * a cycle the cycle collector can free, instead of a static root that
 * would keep both forever.
 *
 * @internal
 */
final class Callbacks
{
    /** struct { clm_predicate_fn predicate; clm_progress_fn progress; clm_change_fn change; clm_read_fn read; }: the C function pointers. */
    private static ?CData $pointers = null;
    /** @var array<int, array{\WeakReference<\Closure>, CData, CallbackErrors}> id => [the callable, payload slot, errors] */
    private static array $entries = [];
    private static int $next = 1;

    private function __construct()
    {
    }

    private static function pointers(): CData
    {
        if (self::$pointers !== null) {
            return self::$pointers;
        }
        $p = Library::ffi()->new('struct { clm_predicate_fn predicate; clm_progress_fn progress; clm_change_fn change; clm_read_fn read; }');
        $p->predicate = static function ($customer, $model, $from, $to, $date, $payload): int {
            $entry = self::entry($payload);
            if ($entry === null) {
                return -1;
            }
            try {
                return $entry[0]((string) $customer, (string) $model, (string) $from, (string) $to, (string) $date) ? 1 : 0;
            } catch (\Throwable $e) { // never unwind through C (PHP makes it fatal): report an error instead
                $entry[1]->add($e);
                return -1;
            }
        };
        $p->progress = static function ($done, $total, $payload): int {
            $entry = self::entry($payload);
            if ($entry === null) {
                return 0;
            }
            try {
                return $entry[0]((int) $done, (int) $total) ? 1 : 0;
            } catch (\Throwable $e) { // cancel instead
                $entry[1]->add($e);
                return 1;
            }
        };
        $p->change = static function ($change, $payload): int {
            $entry = self::entry($payload);
            if ($entry === null) {
                return -1;
            }
            try {
                $entry[0](Change::fromC($change[0]));
                return 0;
            } catch (\Throwable $e) { // the observer failed, or the cursor stops
                $entry[1]->add($e);
                return -1;
            }
        };
        $p->read = static function ($buffer, $capacity, $payload): int {
            $entry = self::entry($payload);
            if ($entry === null) {
                return -1;
            }
            try {
                $data = $entry[0]((int) $capacity);
                if ($data === null || $data === false || $data === '') {
                    return 0;
                }
                if (!is_string($data) || strlen($data) > $capacity) {
                    throw new \UnexpectedValueException("a stream must give a string of at most $capacity bytes");
                }
                FFI::memcpy($buffer, $data, strlen($data));
                return strlen($data);
            } catch (\Throwable $e) { // the import fails with a CallbackException
                $entry[1]->add($e);
                return -1;
            }
        };
        return self::$pointers = $p;
    }

    /** The [Closure, errors] of a payload, or null when it is gone. */
    private static function entry(?CData $payload): ?array
    {
        if ($payload === null || FFI::isNull($payload)) {
            return null;
        }
        $entry = self::$entries[FFI::cast('size_t *', $payload)[0]] ?? null;
        $fn = $entry === null ? null : $entry[0]->get();
        return $fn === null ? null : [$fn, $entry[2]];
    }

    /** The clm_predicate_fn that calls the PHP predicates. */
    public static function predicateFn(): CData
    {
        return self::pointers()->predicate;
    }

    /** The clm_change_fn that calls the PHP observers and cursor callables with a Change. */
    public static function changeFn(): CData
    {
        return self::pointers()->change;
    }

    /** The clm_read_fn that calls the PHP readers: $fn(int $capacity): ?string. */
    public static function readFn(): CData
    {
        return self::pointers()->read;
    }

    /** The clm_progress_fn that calls the PHP progress callables. */
    public static function progressFn(): CData
    {
        return self::pointers()->progress;
    }

    /**
     * Registers $fn; returns [id, payload, closure]: the payload to hand to C
     * (valid until remove($id)) and $fn as a Closure, which the caller must
     * keep alive as long as C may call it. Throwables raised by $fn are added
     * to $errors.
     *
     * @return array{int, CData, \Closure}
     */
    public static function add(callable $fn, CallbackErrors $errors): array
    {
        $closure = \Closure::fromCallable($fn);
        $id = self::$next++;
        $slot = Library::ffi()->new('size_t');
        $slot->cdata = $id;
        self::$entries[$id] = [\WeakReference::create($closure), $slot, $errors];
        return [$id, FFI::addr($slot), $closure];
    }

    /** Forgets a registration (C must not call it any more). */
    public static function remove(int $id): void
    {
        unset(self::$entries[$id]);
    }
}
