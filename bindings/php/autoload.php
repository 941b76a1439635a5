<?php
/*
 * autoload.php -- loads the Clm\ classes from src/ without Composer:
 *
 *     require '/path/to/bindings/php/autoload.php';   // or share/clm/php/autoload.php of an install
 *
 * With Composer, composer.json's PSR-4 mapping and "files" entry do the same.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'Clm\\', 4) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 4)) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
require_once __DIR__ . '/src/functions.php';
