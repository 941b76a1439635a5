<?php

declare(strict_types=1);

namespace Clm;

/**
 * One problem in an input: where it is and what is wrong. line and column are
 * 1-based, or null when the problem has no position (a model built with the
 * ModelBuilder).
 */
final class Problem implements \Stringable
{
    private const LINE = '/^(?<file>.+?)(?::(?<line>\d+):(?<column>\d+))?: error: (?<message>.*)$/';

    public function __construct(
        public readonly string $file,
        public readonly ?int $line,
        public readonly ?int $column,
        public readonly string $message,
    ) {
    }

    /**
     * Parses `NAME:LINE:COL: error: message` lines (`NAME: error: message`
     * when there is no position); other lines are ignored.
     *
     * @return list<Problem>
     */
    public static function parseAll(string $report): array
    {
        $problems = [];
        foreach (preg_split('/\r?\n/', $report) as $text) {
            if (preg_match(self::LINE, $text, $m)) {
                $hasPosition = ($m['line'] ?? '') !== '';
                $problems[] = new self(
                    $m['file'],
                    $hasPosition ? (int) $m['line'] : null,
                    $hasPosition ? (int) $m['column'] : null,
                    $m['message'],
                );
            }
        }
        return $problems;
    }

    public function __toString(): string
    {
        $where = $this->line === null ? $this->file : "{$this->file}:{$this->line}:{$this->column}";
        return "$where: error: {$this->message}";
    }
}
