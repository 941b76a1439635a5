<?php

declare(strict_types=1);

namespace Clm;

/**
 * An event or CSV row skipped by a skip-bad batch or import.
 *
 * $index is the 0-based position in the batch (Portfolio::applyBatch()) or
 * null; $file and $line locate a CSV row (Portfolio::importCsv()) or are
 * null. $message says why; $text is the report line as the library wrote it.
 */
final class Rejection implements \Stringable
{
    public function __construct(
        public readonly ?int $index,
        public readonly ?string $file,
        public readonly ?int $line,
        public readonly string $message,
        public readonly string $text,
    ) {
    }

    /**
     * The rejections of a report: `event INDEX: message` lines for a batch,
     * `FILE:LINE: message` lines for a CSV import.
     *
     * @return list<Rejection>
     */
    public static function parseAll(string $report, bool $csv): array
    {
        $out = [];
        foreach (preg_split('/\r?\n/', $report) as $text) {
            if ($text === '') {
                continue;
            }
            if ($csv && preg_match('/^(.+?):(\d+): (.*)$/', $text, $m)) {
                $out[] = new self(null, $m[1], (int) $m[2], $m[3], $text);
            } elseif (!$csv && preg_match('/^event (\d+): (.*)$/', $text, $m)) {
                $out[] = new self((int) $m[1], null, null, $m[2], $text);
            } else {
                $out[] = new self(null, null, null, $text, $text);
            }
        }
        return $out;
    }

    public function __toString(): string
    {
        return $this->text;
    }
}
