<?php

declare(strict_types=1);

namespace Clm;

use FFI;
use FFI\CData;

/**
 * The clm C library, loaded once per process through PHP's FFI.
 *
 * The declarations come from cdef.php, generated from include/clm/clm.h by
 * gen_cdef.php; every C function is callable raw as Library::ffi()->name().
 *
 * The library is looked for, in order:
 *  1. the environment variable CLM_LIBRARY, a path (when set, nothing else is tried);
 *  2. the system's loader: libclm.so.0, then libclm.so (LD_LIBRARY_PATH, ldconfig's cache).
 *
 * On the first use the library's version is checked: its major must be the
 * header's and its minor at least the header's, else a LibraryException says
 * which library was found and what is needed. So does a library lacking a
 * function of the header.
 *
 * @internal The classes of this package are the API; this one is their plumbing.
 */
final class Library
{
    private static ?FFI $ffi = null;
    private static string $path = '';
    /** @var array{version: array, constants: array, functions: list<string>, cdef: string}|null */
    private static ?array $defs = null;

    /** The FFI object with every function of clm.h. Loads the library on first use. */
    public static function ffi(): FFI
    {
        return self::$ffi ??= self::load();
    }

    /** The path or name the library was loaded from. */
    public static function path(): string
    {
        self::ffi();
        return self::$path;
    }

    /** The generated declarations: version, constants, functions and the cdef text. */
    public static function defs(): array
    {
        return self::$defs ??= require __DIR__ . '/cdef.php';
    }

    /** The library names tried, in order. */
    public static function candidates(): array
    {
        $env = getenv('CLM_LIBRARY');
        if ($env !== false && $env !== '') {
            return [$env];
        }
        return match (PHP_OS_FAMILY) {
            'Darwin' => ['libclm.0.dylib', 'libclm.dylib'],
            'Windows' => ['clm.dll'],
            default => ['libclm.so.0', 'libclm.so'],
        };
    }

    /**
     * Raises a LibraryException unless library version $number (MAJOR*10000 +
     * MINOR*100 + PATCH) has the header's major and at least its minor.
     */
    public static function checkVersion(int $number, string $path, ?array $want = null): void
    {
        $want ??= self::defs()['version'];
        [$major, $minor, $patch] = [intdiv($number, 10000), intdiv($number, 100) % 100, $number % 100];
        if ($major !== $want['major'] || $minor < $want['minor']) {
            throw new LibraryException(sprintf(
                'clm: the library %s is version %d.%d.%d but this binding was generated from clm.h %s and needs '
                . '%d.%d or a later %d.x (the major version must match); install a matching libclm or point '
                . 'CLM_LIBRARY at one',
                $path, $major, $minor, $patch, $want['string'], $want['major'], $want['minor'], $want['major']
            ));
        }
    }

    private static function load(): FFI
    {
        if (!extension_loaded('ffi')) {
            throw new LibraryException("clm: PHP's FFI extension is not loaded (Debian's php-cli has it; "
                . 'check extension=ffi and ffi.enable in php.ini)');
        }
        $defs = self::defs();
        $tried = [];
        foreach (self::candidates() as $name) {
            try {
                $probe = FFI::cdef('int clm_version_number(void);', $name);
            } catch (FFI\Exception $e) {
                if (str_contains($e->getMessage(), 'ffi.enable')) {
                    throw new LibraryException('clm: ' . $e->getMessage() . ' (set ffi.enable=true in php.ini for this SAPI)');
                }
                $why = str_starts_with($e->getMessage(), 'Failed resolving')
                    ? 'not a clm library (no clm_version_number)' : $e->getMessage();
                $tried[] = "  $name: $why";
                continue;
            }
            self::checkVersion($probe->clm_version_number(), $name);
            try {
                $ffi = FFI::cdef($defs['cdef'], $name);
            } catch (FFI\Exception $e) {
                $missing = preg_match("/Failed resolving C function '([^']+)'/", $e->getMessage(), $m) ? $m[1] : null;
                throw new LibraryException($missing !== null
                    ? "clm: the library $name lacks $missing, declared by clm.h {$defs['version']['string']}"
                    : "clm: cannot declare clm.h for $name: " . $e->getMessage());
            }
            self::$path = $name;
            return $ffi;
        }
        $hint = getenv('CLM_LIBRARY') ? 'check CLM_LIBRARY' : 'set CLM_LIBRARY to the path of libclm.so';
        throw new LibraryException("clm: cannot load the clm C library ($hint); tried:\n" . implode("\n", $tried));
    }

    /**
     * Calls C function $fn; when it returns a non-zero clm_status, throws the
     * ClmException subclass of that status with clm_last_error().
     */
    public static function call(string $fn, mixed ...$args): void
    {
        $status = self::ffi()->$fn(...$args);
        if ($status !== 0) {
            throw ClmException::fromLastError($status, $fn);
        }
    }

    /** A `char *` slot for a `char **out` parameter (pass FFI::addr of it). */
    public static function stringSlot(): CData
    {
        return self::ffi()->new('char *');
    }

    /** A `size_t` slot for a `size_t *out` parameter (pass FFI::addr of it). */
    public static function sizeSlot(): CData
    {
        return self::ffi()->new('size_t');
    }

    /**
     * Copies a string returned through `char **out` ($len bytes, or up to the
     * NUL) and releases it with clm_string_free(). NULL reads as "".
     */
    public static function takeString(CData $slot, ?int $len = null): string
    {
        if (FFI::isNull($slot)) {
            return '';
        }
        try {
            return $len === null ? FFI::string($slot) : FFI::string($slot, $len);
        } finally {
            self::ffi()->clm_string_free($slot);
        }
    }

    /**
     * Checks a string argument for a C `const char *`: a NUL byte would cut
     * it short in C, so it is refused here.
     */
    public static function text(string $value, string $what): string
    {
        if (str_contains($value, "\0")) {
            throw new \ValueError("$what must not contain a NUL byte");
        }
        return $value;
    }

    /** Like text(), null staying null (NULL in C: "not given"). */
    public static function optText(?string $value, string $what): ?string
    {
        return $value === null ? null : self::text($value, $what);
    }

    /**
     * A date argument: a string the library parses, a DateTimeInterface
     * (YYYY-MM-DD at midnight, else YYYY-MM-DDTHH:MM:SS; no time zone is
     * applied), or null ("not given").
     */
    public static function date(string|\DateTimeInterface|null $value, string $what): ?string
    {
        if ($value instanceof \DateTimeInterface) {
            return $value->format('H:i:s') === '00:00:00' ? $value->format('Y-m-d') : $value->format('Y-m-d\TH:i:s');
        }
        return self::optText($value, $what);
    }

    /**
     * A NUL-terminated copy of $value in C memory, for a `const char *`
     * struct field (FFI does not convert PHP strings there). The copy is
     * freed with the returned CData, so keep that alive while C reads it.
     */
    public static function cString(string $value): CData
    {
        $n = strlen($value);
        $buf = self::ffi()->new('char[' . ($n + 1) . ']');
        if ($n > 0) {
            FFI::memcpy($buf, $value, $n);
        }
        return $buf;
    }

    /** Decodes a JSON document returned by the library (objects as arrays). */
    public static function json(string $text): mixed
    {
        return json_decode($text, true, 512, JSON_THROW_ON_ERROR);
    }
}
